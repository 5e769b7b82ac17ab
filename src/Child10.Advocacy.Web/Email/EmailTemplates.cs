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
    private static readonly TimeSpan RenderTimeout = TimeSpan.FromSeconds(5);
    private static readonly JsonSerializerOptions ModelJson = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

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

        var textGlobals = Globals(values, encode: false, lang, unsubscribeUrl);
        textGlobals["subject"] = null;
        var textBody = RenderOne(name, lang, "text", textGlobals, ct);
        var subject = (textGlobals["subject"] as string ?? "").ReplaceLineEndings(" ").Trim();
        if (subject.Length == 0)
        {
            throw new TemplateRenderException($"Email template '{name}' sets no subject: its text version must start with {{{{ subject = \"...\" }}}}.");
        }
        textGlobals["content"] = textBody.Trim();
        var text = RenderOne(Layout, lang, "text", textGlobals, ct).Trim() + "\n";

        var htmlGlobals = Globals(values, encode: true, lang, unsubscribeUrl);
        htmlGlobals["subject"] = WebUtility.HtmlEncode(subject);
        htmlGlobals["content"] = RenderOne(name, lang, "html", htmlGlobals, ct);
        var html = RenderOne(Layout, lang, "html", htmlGlobals, ct);
        return new RenderedEmail(subject, html, text);
    }

    private string RenderOne(string name, string lang, string format, ScriptObject globals, CancellationToken ct)
    {
        var template = Find(name, lang, format) ?? throw new TemplateRenderException($"There is no email template '{name}.{format}.sbn'.");
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(RenderTimeout);
        var context = new TemplateContext
        {
            StrictVariables = true,
            EnableRelaxedMemberAccess = false,
            LoopLimit = 1000,
            RecursiveLimit = 20,
            ObjectRecursionLimit = 20,
            LimitToString = 100_000,
            RegexTimeOut = TimeSpan.FromSeconds(1),
            TemplateLoader = new PartialLoader(this, lang, format),
            CancellationToken = timeout.Token,
        };
        context.PushGlobal(globals);
        try
        {
            return template.Render(context);
        }
        catch (ScriptRuntimeException ex)
        {
            throw new TemplateRenderException($"Email template {template.SourceFilePath} failed: {ex.Message}", ex);
        }
        catch (OperationCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new TemplateRenderException($"Email template {template.SourceFilePath} took longer than {RenderTimeout.TotalSeconds} seconds to render.", ex);
        }
    }

    private Template? Find(string name, string lang, string format) =>
        templates.GetValueOrDefault(Key(name, lang, format)) ?? templates.GetValueOrDefault(Key(name, null, format));

    private static ScriptObject Globals(JsonElement values, bool encode, string lang, string? unsubscribeUrl)
    {
        var globals = (ScriptObject)ToScript(values, encode)!;
        globals["language"] = lang;
        globals["unsubscribe_url"] = unsubscribeUrl is null ? null : encode ? WebUtility.HtmlEncode(unsubscribeUrl) : unsubscribeUrl;
        return globals;
    }

    // Plain values only: templates see strings, numbers, booleans, lists and objects of those, never .NET objects.
    private static object? ToScript(JsonElement value, bool encode) => value.ValueKind switch
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
