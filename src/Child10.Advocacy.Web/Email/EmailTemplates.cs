using System.Collections.Frozen;
using System.Globalization;
using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Child10.Advocacy.Web.Infrastructure;
using Scriban;
using Scriban.Parsing;
using Scriban.Runtime;
using Scriban.Syntax;

namespace Child10.Advocacy.Web.Email;

/// <summary>What a template produced: the subject (set by the text template), the HTML and the text version.</summary>
public sealed record RenderedEmail(string Subject, string Html, string Text);

/// <summary>A template failed while rendering: an unknown variable, a loop limit, a timeout.</summary>
public sealed class TemplateRenderException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The Scriban templates of email-templates/, parsed once at start-up. Files are name[.lang].(html|text).sbn;
/// names starting with _ are the layout and partials. Rendering is strict, and in the HTML version every
/// string of the model arrives HTML-encoded, so a template cannot forget to encode.
/// </summary>
public sealed partial class EmailTemplates
{
    public const string DefaultLanguage = "en";
    private const string Layout = "_layout";
    internal static readonly JsonSerializerOptions ModelJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private readonly FrozenDictionary<string, Template> templates;

    private EmailTemplates(FrozenDictionary<string, Template> templates) => this.templates = templates;

    /// <summary>Template names a caller may render (not the layout or partials).</summary>
    public IReadOnlyList<string> Names => templates.Keys
        .Select(key => key.Split('.')[0])
        .Where(name => !name.StartsWith('_'))
        .Distinct()
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>Parses every template of the folder; any problem stops start-up naming file, line and column.</summary>
    public static EmailTemplates Load(string folder)
    {
        var parsed = new Dictionary<string, Template>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(folder, "*.sbn").Order(StringComparer.Ordinal))
        {
            var fileName = Path.GetFileName(file);
            var match = FileNamePattern().Match(fileName);
            if (!match.Success)
            {
                throw Broken(fileName, "is not named name.html.sbn, name.text.sbn or name.<language>.html.sbn (lower-case letters, digits, - and _)");
            }
            var template = Template.Parse(File.ReadAllText(file), fileName);
            if (template.HasErrors)
            {
                var error = template.Messages.First(m => m.Type == ParserMessageType.Error);
                throw Broken(fileName, $"line {error.Span.Start.Line + 1}, column {error.Span.Start.Column + 1}: {error.Message}");
            }
            parsed[Key(match.Groups["name"].Value, match.Groups["lang"].Success ? match.Groups["lang"].Value : null, match.Groups["format"].Value)] = template;
        }

        var names = parsed.Keys.Select(key => key.Split('.')[0]).Distinct(StringComparer.Ordinal).ToList();
        if (!names.Contains(Layout, StringComparer.Ordinal))
        {
            throw Broken(folder, "has no _layout.html.sbn and _layout.text.sbn");
        }
        foreach (var name in names)
        {
            foreach (var format in new[] { "html", "text" })
            {
                if (!parsed.ContainsKey(Key(name, null, format)))
                {
                    throw Broken($"{name}.{format}.sbn", "is missing: every template needs an English HTML and text version");
                }
            }
        }
        return new EmailTemplates(parsed.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public bool Exists(string name) => templates.ContainsKey(Key(name, null, "text"));

    /// <summary>
    /// Renders name in language (falling back to English) with model, an object of plain values (records, anonymous
    /// objects, lists, strings, numbers) whose properties arrive in snake_case: FullName is full_name.
    /// The text template sets the subject with {{ subject = ... }}.
    /// </summary>
    public RenderedEmail Render(string name, string? language, object model, string? unsubscribeUrl, CancellationToken ct)
    {
        using var run = new EmailRender(ct);
        return Render(name, language, model, unsubscribeUrl, run);
    }

    /// <summary>As <see cref="Render(string, string?, object, string?, CancellationToken)"/>, as one part of the email run renders.</summary>
    public RenderedEmail Render(string name, string? language, object model, string? unsubscribeUrl, EmailRender run)
    {
        ArgumentNullException.ThrowIfNull(run);
        if (name.StartsWith('_') || !Exists(name))
        {
            throw new TemplateRenderException($"There is no email template '{name}'.");
        }
        var lang = string.IsNullOrWhiteSpace(language) ? DefaultLanguage : language.Trim().ToLowerInvariant();
        var values = JsonSerializer.SerializeToElement(model, ModelJson);
        if (values.ValueKind != JsonValueKind.Object)
        {
            throw new TemplateRenderException($"The model of email template '{name}' must be an object.");
        }

        var textGlobals = Globals((ScriptObject)ToScript(values, encode: false)!, lang, unsubscribeUrl, encode: false);
        textGlobals["subject"] = null;
        var textBody = RenderOne(name, lang, "text", textGlobals, run);
        var subject = (textGlobals["subject"] as string ?? "").ReplaceLineEndings(" ").Trim();
        if (subject.Length == 0)
        {
            throw new TemplateRenderException($"Email template '{name}' sets no subject: its text version must start with {{{{ subject = \"...\" }}}}.");
        }
        textGlobals["content"] = textBody.Trim();
        var text = RenderOne(Layout, lang, "text", textGlobals, run).Trim() + "\n";

        var htmlGlobals = Globals((ScriptObject)ToScript(values, encode: true)!, lang, unsubscribeUrl, encode: true);
        htmlGlobals["subject"] = WebUtility.HtmlEncode(subject);
        htmlGlobals["content"] = RenderOne(name, lang, "html", htmlGlobals, run);
        var html = RenderOne(Layout, lang, "html", htmlGlobals, run);
        return new RenderedEmail(subject, html, text);
    }

    /// <summary>
    /// Wraps a body rendered elsewhere (an <see cref="InlineTemplate"/> stored in the database) in the file template
    /// name, in language (falling back to English), and the layout. The file template sees the body as {{ body }}
    /// (already safe HTML in the HTML version, plain text in the text version), the subject, and model's values.
    /// </summary>
    public RenderedEmail RenderWrapped(string name, string? language, object model, RenderedEmail body, string? unsubscribeUrl, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (name.StartsWith('_') || !Exists(name))
        {
            throw new TemplateRenderException($"There is no email template '{name}'.");
        }
        var values = JsonSerializer.SerializeToElement(model, ModelJson);
        if (values.ValueKind != JsonValueKind.Object)
        {
            throw new TemplateRenderException($"The model of email template '{name}' must be an object.");
        }
        using var run = new EmailRender(ct);
        return RenderWrapped(name, language, new TemplateModel(values), body, unsubscribeUrl, run);
    }

    /// <summary>
    /// As <see cref="RenderWrapped(string, string?, object, RenderedEmail, string?, CancellationToken)"/>, with a model
    /// converted once for many emails, as one part of the email run renders.
    /// </summary>
    public RenderedEmail RenderWrapped(string name, string? language, TemplateModel model, RenderedEmail body, string? unsubscribeUrl, EmailRender run)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(run);
        if (name.StartsWith('_') || !Exists(name))
        {
            throw new TemplateRenderException($"There is no email template '{name}'.");
        }
        var lang = string.IsNullOrWhiteSpace(language) ? DefaultLanguage : language.Trim().ToLowerInvariant();
        var subject = body.Subject.ReplaceLineEndings(" ").Trim();
        var textGlobals = Globals(model.Copy(encode: false), lang, unsubscribeUrl, encode: false);
        textGlobals["subject"] = subject;
        textGlobals["body"] = body.Text.Trim();
        textGlobals["content"] = RenderOne(name, lang, "text", textGlobals, run).Trim();
        var text = RenderOne(Layout, lang, "text", textGlobals, run).Trim() + "\n";

        var htmlGlobals = Globals(model.Copy(encode: true), lang, unsubscribeUrl, encode: true);
        htmlGlobals["subject"] = WebUtility.HtmlEncode(subject);
        htmlGlobals["body"] = body.Html;
        htmlGlobals["content"] = RenderOne(name, lang, "html", htmlGlobals, run);
        var html = RenderOne(Layout, lang, "html", htmlGlobals, run);
        return new RenderedEmail(subject, html, text);
    }

    private string RenderOne(string name, string lang, string format, ScriptObject globals, EmailRender run)
    {
        var template = Find(name, lang, format) ?? throw new TemplateRenderException($"There is no email template '{name}.{format}.sbn'.");
        try
        {
            return run.Render(template, globals, encode: false, new PartialLoader(this, lang, format));
        }
        catch (Exception ex) when (run.WasStopped(ex))
        {
            throw run.Stopped(ex, $"Email template {template.SourceFilePath} took longer than {run.Limit.TotalSeconds} seconds to render.");
        }
        catch (ScriptRuntimeException ex)
        {
            throw new TemplateRenderException($"Email template {template.SourceFilePath} failed: {ex.Message}", ex);
        }
    }

    private Template? Find(string name, string lang, string format) =>
        templates.GetValueOrDefault(Key(name, lang, format)) ?? templates.GetValueOrDefault(Key(name, null, format));

    private static ScriptObject Globals(ScriptObject globals, string lang, string? unsubscribeUrl, bool encode)
    {
        globals["language"] = lang;
        globals["unsubscribe_url"] = unsubscribeUrl is null ? null : encode ? WebUtility.HtmlEncode(unsubscribeUrl) : unsubscribeUrl;
        return globals;
    }

    // Plain values only: templates see strings, numbers, booleans, lists and objects of those, never .NET objects.
    internal static object? ToScript(JsonElement value, bool encode) => value.ValueKind switch
    {
        JsonValueKind.Object => Object(value, encode),
        JsonValueKind.Array => new ScriptArray(value.EnumerateArray().Select(item => ToScript(item, encode))),
        JsonValueKind.String => encode ? WebUtility.HtmlEncode(value.GetString()) : value.GetString(),
        JsonValueKind.Number => value.TryGetInt64(out var whole) ? whole : value.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    private static ScriptObject Object(JsonElement value, bool encode)
    {
        var result = new ScriptObject();
        foreach (var property in value.EnumerateObject())
        {
            result[property.Name] = ToScript(property.Value, encode);
        }
        return result;
    }

    private static string Key(string name, string? lang, string format) =>
        lang is null || lang == DefaultLanguage ? $"{name}.{format}" : $"{name}.{lang}.{format}";

    private static ConfigurationException Broken(string file, string problem) =>
        new("Email:TemplatesPath", string.Create(CultureInfo.InvariantCulture, $"has a broken email template: {file} {problem}"));

    [GeneratedRegex(@"^(?<name>[a-z0-9_-]+)(\.(?<lang>[a-z]{2}))?\.(?<format>html|text)\.sbn$")]
    private static partial Regex FileNamePattern();

    /// <summary>{{ include '_name' }} serves only the parsed partials (in the render's language and format), never a file.</summary>
    private sealed class PartialLoader(EmailTemplates owner, string lang, string format) : ITemplateLoader
    {
        public string GetPath(TemplateContext context, SourceSpan callerSpan, string templateName)
        {
            if (!templateName.StartsWith('_') || owner.Find(templateName, lang, format) is not { } partial)
            {
                throw new ScriptRuntimeException(callerSpan, $"There is no partial '{templateName}' (partials are files named _name.{format}.sbn).");
            }
            var path = partial.SourceFilePath ?? templateName;
            context.CachedTemplates[path] = partial;
            return path;
        }

        public string Load(TemplateContext context, SourceSpan callerSpan, string templatePath) =>
            throw new ScriptRuntimeException(callerSpan, $"Partial '{templatePath}' is not loaded from disk.");

        public ValueTask<string?> LoadAsync(TemplateContext context, SourceSpan callerSpan, string templatePath) =>
            ValueTask.FromResult<string?>(Load(context, callerSpan, templatePath));
    }
}

/// <summary>
/// Scriban's function objects (string, date ...), built once: creating them for every render costs more than the
/// render itself. Templates read them; file templates are ours and inline templates may not assign anything.
/// </summary>
internal static class ScribanBuiltins
{
    internal static readonly ScriptObject Shared = TemplateContext.GetDefaultBuiltinObject();
}

/// <summary>
/// The renders of one email (subject, body, file template, layout; text and HTML), on one thread. They share one
/// 5-second budget, and one Scriban context per kind (plain, HTML-encoding) instead of a new one per template:
/// building a context costs more than rendering a short template. After a render that succeeded the context is put
/// back to a new context's state (no globals but the built-in functions, empty output, no cached partials, no
/// array.cycle counters) and every sandbox setting is applied again before the next render; a context whose render
/// threw is dropped. When the email is done its contexts wait, on this thread, for the next email.
/// </summary>
public sealed class EmailRender : IDisposable
{
    private static readonly TimeSpan DefaultLimit = TimeSpan.FromSeconds(5);

    [ThreadStatic]
    private static TemplateContext? sparePlain;

    [ThreadStatic]
    private static TemplateContext? spareEncoding;

    private readonly CancellationTokenSource budget;
    private TemplateContext? plain;
    private TemplateContext? encoding;

    public EmailRender(CancellationToken ct)
        : this(DefaultLimit, ct)
    {
    }

    internal EmailRender(TimeSpan limit, CancellationToken ct)
    {
        Caller = ct;
        Limit = limit;
        budget = CancellationTokenSource.CreateLinkedTokenSource(ct);
        budget.CancelAfter(limit);
        plain = sparePlain;
        sparePlain = null;
        encoding = spareEncoding;
        spareEncoding = null;
    }

    /// <summary>The caller's token: a cancellation from it is not a timeout.</summary>
    internal CancellationToken Caller { get; }

    /// <summary>How long all the renders of the email may take together.</summary>
    internal TimeSpan Limit { get; }

    /// <summary>Cancelled by the caller or when the limit has passed.</summary>
    internal CancellationToken Budget => budget.Token;

    /// <summary>
    /// Whether a render ended because the budget was cancelled (by the caller or the limit). Scriban stops a cancelled
    /// render with its own ScriptAbortException, which is also a script error; the token's own exception may come too.
    /// </summary>
    internal bool WasStopped(Exception ex) => (ex is ScriptAbortException or OperationCanceledException) && Budget.IsCancellationRequested;

    /// <summary>What a render stopped by the budget throws: the caller's cancellation, or a timeout with this message.</summary>
    internal Exception Stopped(Exception stop, string timeoutMessage) =>
        Caller.IsCancellationRequested
            ? new OperationCanceledException(stop.Message, stop, Caller)
            : new TemplateRenderException(timeoutMessage, stop);

    /// <summary>
    /// Renders template with globals in a sandbox: strict variables, loop, recursion and output limits, the shared time
    /// budget, includes only through loader (none without). encode: every value written is HTML-encoded, except an
    /// <see cref="HtmlValue"/>, written as its HTML.
    /// </summary>
    internal string Render(Template template, ScriptObject globals, bool encode, ITemplateLoader? loader)
    {
        var context = encode ? encoding ??= new EncodingContext() : plain ??= new TemplateContext(ScribanBuiltins.Shared);
        // Every setting a template's run could touch, as a new context has it, then the sandbox.
        context.EnableOutput = true;
        context.AutoIndent = true;
        context.IndentOnEmptyLines = true;
        context.CurrentIndent = null;
        context.EnableRelaxedTargetAccess = false;
        context.EnableRelaxedFunctionAccess = false;
        context.EnableRelaxedIndexerAccess = true;
        context.EnableNullIndexer = false;
        context.StrictVariables = true;
        context.EnableRelaxedMemberAccess = false;
        context.LoopLimit = 1000;
        context.RecursiveLimit = 20;
        context.ObjectRecursionLimit = 20;
        context.LimitToString = 100_000;
        context.RegexTimeOut = TimeSpan.FromSeconds(1);
        context.TemplateLoader = loader;
        context.CancellationToken = Budget;
        context.PushGlobal(globals);
        string result;
        try
        {
            result = template.Render(context);
        }
        catch
        {
            // Whatever the failed render left behind (loops, scopes, output) goes with the context.
            if (encode)
            {
                encoding = null;
            }
            else
            {
                plain = null;
            }
            throw;
        }
        context.Reset();
        context.ResetPreviousNewLine();
        context.Tags.Clear();
        context.TemplateLoader = null;
        context.CancellationToken = CancellationToken.None;
        return result;
    }

    public void Dispose()
    {
        budget.Dispose();
        sparePlain ??= plain;
        spareEncoding ??= encoding;
        plain = null;
        encoding = null;
    }

    /// <summary>Writes what a placeholder produces HTML-encoded; the template's own text goes out as it is.</summary>
    private sealed class EncodingContext() : TemplateContext(ScribanBuiltins.Shared)
    {
        public override TemplateContext Write(SourceSpan span, object? textAsObject) =>
            textAsObject is HtmlValue safe
                ? Write(safe.Html)
                : Write(WebUtility.HtmlEncode(ObjectToString(textAsObject) ?? ""));
    }
}

/// <summary>
/// The model of a file template converted once to the plain values templates see (snake_case names; strings
/// HTML-encoded for the HTML version), for a model that is the same in many emails. Each email gets its own copy.
/// </summary>
public sealed class TemplateModel
{
    private readonly ScriptObject text;
    private readonly ScriptObject html;

    internal TemplateModel(JsonElement values)
    {
        text = (ScriptObject)EmailTemplates.ToScript(values, encode: false)!;
        html = (ScriptObject)EmailTemplates.ToScript(values, encode: true)!;
    }

    /// <summary>model: an object of plain values (records, anonymous objects, lists, strings, numbers).</summary>
    public static TemplateModel From(object model)
    {
        var values = JsonSerializer.SerializeToElement(model, EmailTemplates.ModelJson);
        return values.ValueKind == JsonValueKind.Object
            ? new TemplateModel(values)
            : throw new TemplateRenderException("The model of an email template must be an object.");
    }

    /// <summary>A new object with new lists and objects inside: what one email's templates do to it stays in that email.</summary>
    internal ScriptObject Copy(bool encode) => Copy(encode ? html : text);

    private static ScriptObject Copy(ScriptObject source)
    {
        var copy = new ScriptObject(source.Count);
        foreach (var (name, value) in source)
        {
            copy[name] = CopyValue(value);
        }
        return copy;
    }

    private static object? CopyValue(object? value) => value switch
    {
        ScriptObject item => Copy(item),
        ScriptArray list => new ScriptArray(list.Select(CopyValue)),
        _ => value,
    };
}

/// <summary>A problem in a template written by staff, at a line and column of its source (both from 1).</summary>
public sealed record TemplateProblem(int Line, int Column, string Message)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"line {Line}, column {Column}: {Message}");
}

/// <summary>A value that is already safe HTML (e.g. sanitised Markdown), with its plain-text version for the text email.</summary>
public sealed record HtmlValue(string Html, string Text)
{
    public override string ToString() => Text;
}

/// <summary>
/// A template written by staff and stored in the database: Markdown with Scriban placeholders ({{ recipient.name }}),
/// parsed and checked once, then rendered for many recipients in parallel. Only the placeholders the caller allows
/// may be used (an unknown one is a problem at its line and column). Markdown is turned into sanitised HTML once,
/// with the placeholders kept aside, so a value can never become markup or a Markdown link: in the HTML version
/// every value a placeholder writes is HTML-encoded, except an <see cref="HtmlValue"/>, written as its safe HTML.
/// The same sandbox as the file templates: strict variables, no includes, loop and time limits.
/// </summary>
public sealed partial class InlineTemplate
{
    // Scriban's own objects of functions (string.upcase, date.to_string ...) may be used; nothing else that is global.
    private static readonly FrozenSet<string> Builtins = FrozenSet.ToFrozenSet(
        ["string", "array", "math", "date", "html", "object", "regex", "timespan", "empty", "true", "false", "null"], StringComparer.Ordinal);

    private readonly Template text;
    private readonly Template html;

    private InlineTemplate(Template text, Template html)
    {
        this.text = text;
        this.html = html;
    }

    /// <summary>
    /// Parses source; problems (syntax errors, placeholders not in allowed such as "recipient.name") come back with
    /// line and column, and the template is null when there are any.
    /// </summary>
    public static InlineTemplate? Parse(string source, IReadOnlyCollection<string> allowed, bool markdown, out IReadOnlyList<TemplateProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(source);
        var found = new List<TemplateProblem>();
        problems = found;
        var parsed = Template.Parse(source);
        if (parsed.HasErrors)
        {
            found.AddRange(parsed.Messages.Where(m => m.Type == ParserMessageType.Error)
                .Select(m => new TemplateProblem(m.Span.Start.Line + 1, m.Span.Start.Column + 1, m.Message)));
            return null;
        }
        var checker = new PlaceholderCheck(allowed);
        parsed.Page?.Accept(checker);
        found.AddRange(checker.Problems);
        if (found.Count > 0)
        {
            return null;
        }
        if (!markdown)
        {
            return new InlineTemplate(parsed, parsed);
        }

        // Markdown once, with every {{ ... }} replaced by a word Markdown leaves alone, then put back.
        var codes = new List<(string Token, string Code, int Index)>();
        var prefix = "zq" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));
        var masked = CodePattern().Replace(source, match =>
        {
            var token = prefix + "n" + codes.Count.ToString(CultureInfo.InvariantCulture) + "q";
            codes.Add((token, match.Value, match.Index));
            return token;
        });
        // A line break is a line break, as in a letter: every single newline becomes a Markdown hard break.
        masked = SoftBreakPattern().Replace(masked.ReplaceLineEndings("\n"), "  \n");
        var rendered = Markdown.ToHtml(masked).ToString() ?? "";
        foreach (var (token, code, index) in codes)
        {
            if (!rendered.Contains(token, StringComparison.Ordinal))
            {
                var (line, column) = Position(source, index);
                found.Add(new TemplateProblem(line, column, "This placeholder sits where Markdown cannot keep it (e.g. inside a link address with spaces)."));
                continue;
            }
            // A placeholder alone in its paragraph ({{ statement.body }}, {{ if ... }}) is not wrapped in <p>.
            rendered = rendered.Replace("<p>" + token + "</p>", code, StringComparison.Ordinal).Replace(token, code, StringComparison.Ordinal);
        }
        if (found.Count > 0)
        {
            return null;
        }
        var htmlTemplate = Template.Parse(rendered);
        if (htmlTemplate.HasErrors)
        {
            var error = htmlTemplate.Messages.First(m => m.Type == ParserMessageType.Error);
            found.Add(new TemplateProblem(1, 1, "Markdown and placeholders do not combine here: " + error.Message));
            return null;
        }
        return new InlineTemplate(parsed, htmlTemplate);
    }

    /// <summary>The plain-text (for Markdown, the Markdown source) version with raw values.</summary>
    public string RenderText(IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> values, CancellationToken ct)
    {
        using var run = new EmailRender(ct);
        return RenderText(values, run);
    }

    /// <summary>The plain-text version, as one part of the email run renders.</summary>
    public string RenderText(IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> values, EmailRender run) =>
        Run(text, values, asHtml: false, run);

    /// <summary>The HTML version: values encoded, <see cref="HtmlValue"/>s as their HTML.</summary>
    public string RenderHtml(IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> values, CancellationToken ct)
    {
        using var run = new EmailRender(ct);
        return RenderHtml(values, run);
    }

    /// <summary>The HTML version, as one part of the email run renders.</summary>
    public string RenderHtml(IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> values, EmailRender run) =>
        Run(html, values, asHtml: true, run);

    // Every render gets its own globals: whatever one render leaves in them never reaches another.
    private static string Run(Template template, IReadOnlyDictionary<string, IReadOnlyDictionary<string, object?>> values, bool asHtml, EmailRender run)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(run);
        var globals = new ScriptObject(values.Count);
        foreach (var (name, members) in values)
        {
            var item = new ScriptObject(members.Count);
            foreach (var (member, value) in members)
            {
                item[member] = value switch
                {
                    HtmlValue safe => asHtml ? safe : safe.Text,
                    null => "",
                    _ => value,
                };
            }
            globals[name] = item;
        }
        try
        {
            return run.Render(template, globals, encode: asHtml, loader: null);
        }
        catch (Exception ex) when (run.WasStopped(ex))
        {
            throw run.Stopped(ex, $"The template took longer than {run.Limit.TotalSeconds} seconds to render.");
        }
        catch (ScriptRuntimeException ex)
        {
            throw new TemplateRenderException($"line {ex.Span.Start.Line + 1}, column {ex.Span.Start.Column + 1}: {ex.OriginalMessage}", ex);
        }
    }

    private static (int Line, int Column) Position(string source, int index)
    {
        var line = 1;
        var column = 1;
        for (var i = 0; i < index && i < source.Length; i++)
        {
            if (source[i] == '\n')
            {
                line++;
                column = 1;
            }
            else
            {
                column++;
            }
        }
        return (line, column);
    }

    [GeneratedRegex(@"\{\{.*?\}\}", RegexOptions.Singleline)]
    private static partial Regex CodePattern();

    // A newline with text on both sides (not a blank line, not already a hard break).
    [GeneratedRegex(@"(?<=[^\s\\])[ \t]?\n(?=[ \t]*\S)")]
    private static partial Regex SoftBreakPattern();

    /// <summary>Every global a template reads must be an allowed placeholder (object.member) or one of Scriban's function objects.</summary>
    private sealed class PlaceholderCheck(IReadOnlyCollection<string> allowed) : ScriptVisitor
    {
        private readonly HashSet<string> objects = allowed.Select(a => a.Split('.')[0]).ToHashSet(StringComparer.Ordinal);

        public List<TemplateProblem> Problems { get; } = [];

        public override void Visit(ScriptMemberExpression node)
        {
            if (node.Target is ScriptVariableGlobal target && node.Member is ScriptVariable member)
            {
                if (Builtins.Contains(target.Name))
                {
                    return;
                }
                var path = target.Name + "." + member.Name;
                if (!allowed.Contains(path))
                {
                    Problems.Add(Problem(node.Span, objects.Contains(target.Name)
                        ? $"Unknown placeholder '{path}'. {target.Name} has: {string.Join(", ", allowed.Where(a => a.StartsWith(target.Name + ".", StringComparison.Ordinal)))}."
                        : $"Unknown placeholder '{path}'. Use one of: {string.Join(", ", allowed)}."));
                }
                return;
            }
            base.Visit(node);
        }

        // No assignments: a template only writes out placeholders (and cannot touch the shared function objects).
        // Capturing output into a variable, defining a function, importing an object's members and making a name
        // read-only all set values too, without an assignment in the syntax.
        public override void Visit(ScriptAssignExpression node) => Refuse(node);

        public override void Visit(ScriptCaptureStatement node) => Refuse(node);

        public override void Visit(ScriptFunction node) => Refuse(node);

        public override void Visit(ScriptImportStatement node) => Refuse(node);

        public override void Visit(ScriptReadOnlyStatement node) => Refuse(node);

        private void Refuse(ScriptNode node) =>
            Problems.Add(Problem(node.Span, "Templates cannot set values: use the placeholders as they are."));

        public override void Visit(ScriptVariableGlobal node)
        {
            if (Builtins.Contains(node.Name) || allowed.Contains(node.Name))
            {
                return;
            }
            Problems.Add(Problem(node.Span, objects.Contains(node.Name)
                ? $"'{node.Name}' needs a field, e.g. {allowed.First(a => a.StartsWith(node.Name + ".", StringComparison.Ordinal))}."
                : $"Unknown placeholder '{node.Name}'. Use one of: {string.Join(", ", allowed)}."));
        }

        private static TemplateProblem Problem(SourceSpan span, string message) => new(span.Start.Line + 1, span.Start.Column + 1, message);
    }
}
