using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Child10.Advocacy.Tests.Email;

public sealed class TemplateTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("child10-templates-").FullName;

    public TemplateTests()
    {
        Write("_layout.html.sbn", "<html lang=\"{{ language }}\"><title>{{ subject }}</title><body>{{ content }}{{ include '_footer' }}</body></html>");
        Write("_layout.text.sbn", "{{ content }}\n-- \n{{ include '_footer' }}");
        Write("_footer.html.sbn", "<p>footer-en</p>");
        Write("_footer.text.sbn", "footer-en");
        Write("_footer.fr.html.sbn", "<p>pied-fr</p>");
        Write("_footer.fr.text.sbn", "pied-fr");
        Write("hello.text.sbn", "{{~ subject = \"Hello \" + name ~}}\nHello {{ name }}");
        Write("hello.html.sbn", "<p>Hello {{ name }}</p>");
        Write("hello.fr.text.sbn", "{{~ subject = \"Bonjour \" + name ~}}\nBonjour {{ name }}");
        Write("hello.fr.html.sbn", "<p>Bonjour {{ name }}</p>");
        Write("typo.text.sbn", "{{~ subject = \"Typo\" ~}}\nHello {{ nmae }}");
        Write("typo.html.sbn", "<p>Hello</p>");
        Write("loop.text.sbn", "{{~ subject = \"Loop\" ~}}\n{{ while true }}x{{ end }}");
        Write("loop.html.sbn", "<p>loop</p>");
        Write("state.text.sbn", "{{~ subject = \"State \" + name ~}}\n{{ array.cycle ['a', 'b', 'c'] }}{{ array.cycle ['a', 'b', 'c'] }} {{ for i in 1..3 }}{{ i }}{{ end }} {{ capture said }}{{ name }}{{ end }}{{ said }}");
        Write("state.html.sbn", "<p>{{ array.cycle ['x', 'y', 'z'] }}{{ $local = name }}{{ $local }}</p>{{ include '_footer' }}");
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Render_UnknownVariable_FailsNamingIt()
    {
        var templates = EmailTemplates.Load(folder);

        var error = Assert.Throws<TemplateRenderException>(() => templates.Render("typo", null, new { Name = "Ana" }, null, CancellationToken.None));

        Assert.Contains("nmae", error.Message, StringComparison.Ordinal);
        Assert.Contains("typo.text.sbn", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_UnknownMemberOfTheModel_Fails()
    {
        Write("member.text.sbn", "{{~ subject = \"M\" ~}}\n{{ person.nmae }}");
        Write("member.html.sbn", "<p>m</p>");
        var templates = EmailTemplates.Load(folder);

        Assert.Throws<TemplateRenderException>(() => templates.Render("member", null, new { Person = new { Name = "Ana" } }, null, CancellationToken.None));
    }

    [Theory]
    [InlineData("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;")]
    [InlineData("{{ x }}", "{{ x }}")]
    [InlineData("Tom & \"Jerry\"", "Tom &amp; &quot;Jerry&quot;")]
    public void Render_HtmlVersion_EncodesModelValues_TextKeepsThem(string name, string encoded)
    {
        var templates = EmailTemplates.Load(folder);

        var email = templates.Render("hello", "en", new { Name = name }, null, CancellationToken.None);

        Assert.Contains($"<p>Hello {encoded}</p>", email.Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", email.Html, StringComparison.Ordinal);
        Assert.Contains($"Hello {name}", email.Text, StringComparison.Ordinal);
        Assert.Equal($"Hello {name}", email.Subject);
    }

    [Fact]
    public void Render_InFrench_UsesTheFrenchVariantAndPartials()
    {
        var templates = EmailTemplates.Load(folder);

        var email = templates.Render("hello", "fr", new { Name = "Ana" }, null, CancellationToken.None);

        Assert.Equal("Bonjour Ana", email.Subject);
        Assert.Contains("<p>Bonjour Ana</p>", email.Html, StringComparison.Ordinal);
        Assert.Contains("pied-fr", email.Text, StringComparison.Ordinal);
        Assert.Contains("lang=\"fr\"", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_InALanguageWithoutVariant_FallsBackToEnglish()
    {
        Directory.Delete(folder, recursive: true);
        Directory.CreateDirectory(folder);
        Write("_layout.html.sbn", "{{ content }}");
        Write("_layout.text.sbn", "{{ content }}");
        Write("hello.text.sbn", "{{~ subject = \"Hello \" + name ~}}\nHello {{ name }}");
        Write("hello.html.sbn", "<p>Hello {{ name }}</p>");
        var templates = EmailTemplates.Load(folder);

        var email = templates.Render("hello", "fr", new { Name = "Ana" }, null, CancellationToken.None);

        Assert.Equal("Hello Ana", email.Subject);
        Assert.Contains("<p>Hello Ana</p>", email.Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_EndlessLoop_StopsWithAnError()
    {
        var templates = EmailTemplates.Load(folder);

        Assert.Throws<TemplateRenderException>(() => templates.Render("loop", null, new { }, null, CancellationToken.None));
    }

    [Fact]
    public void EmailRender_OneBudgetForTheWholeEmail_StopsALaterTemplateOnceItIsSpent()
    {
        var templates = EmailTemplates.Load(folder);
        using var run = new EmailRender(TimeSpan.FromMilliseconds(300), CancellationToken.None);

        var first = templates.Render("hello", null, new { Name = "Ana" }, null, run);
        // The budget runs out while nothing renders (as if the subject and body had taken it); a loaded machine may fire the timer late.
        Assert.True(run.Budget.WaitHandle.WaitOne(TimeSpan.FromSeconds(30)));
        var late = Assert.Throws<TemplateRenderException>(() => templates.Render("hello", null, new { Name = "Ben" }, null, run));

        Assert.Equal("Hello Ana", first.Subject);
        Assert.IsType<Scriban.Syntax.ScriptAbortException>(late.InnerException);
        Assert.Contains("took longer than 0.3 seconds to render", late.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmailRender_CallerCancelled_IsACancellationNotATimeout()
    {
        var templates = EmailTemplates.Load(folder);
        using var cancel = new CancellationTokenSource();
        using var run = new EmailRender(cancel.Token);
        cancel.Cancel();

        var stopped = Assert.ThrowsAny<OperationCanceledException>(() => templates.Render("hello", null, new { Name = "Ana" }, null, run));

        Assert.Equal(cancel.Token, stopped.CancellationToken);
    }

    [Fact]
    public void EmailRender_ReusedContexts_RenderWhatNewContextsRender_AlsoAfterARenderThatThrew()
    {
        var templates = EmailTemplates.Load(folder);
        // On a thread of its own, a render starts from new Scriban contexts.
        var fresh = OnNewThread(() => templates.Render("state", "fr", new { Name = "<Ana>" }, "http://localhost/u?a=1&b=2", CancellationToken.None));
        Assert.Contains("ab 123 <Ana>", fresh.Text, StringComparison.Ordinal);
        Assert.Contains("<p>x&lt;Ana&gt;</p><p>pied-fr</p>", fresh.Html, StringComparison.Ordinal);

        var seen = OnNewThread(() =>
        {
            var emails = new List<RenderedEmail>();
            using (var run = new EmailRender(CancellationToken.None))
            {
                emails.Add(templates.Render("state", "fr", new { Name = "<Ana>" }, "http://localhost/u?a=1&b=2", run));
                emails.Add(templates.Render("state", "fr", new { Name = "<Ana>" }, "http://localhost/u?a=1&b=2", run));
                Assert.Throws<TemplateRenderException>(() => templates.Render("loop", null, new { }, null, run));
                emails.Add(templates.Render("state", "fr", new { Name = "<Ana>" }, "http://localhost/u?a=1&b=2", run));
                Assert.Throws<TemplateRenderException>(() => templates.Render("typo", null, new { }, null, run));
                emails.Add(templates.Render("state", "fr", new { Name = "<Ana>" }, "http://localhost/u?a=1&b=2", run));
            }
            // The next email on this thread takes over the contexts of the last one.
            using (var next = new EmailRender(CancellationToken.None))
            {
                emails.Add(templates.Render("state", "fr", new { Name = "<Ana>" }, "http://localhost/u?a=1&b=2", next));
            }
            return emails;
        });

        Assert.Equal(5, seen.Count);
        Assert.All(seen, email => Assert.Equal(fresh, email));
    }

    [Fact]
    public void EmailRender_InlineTemplatesSharingAContext_RenderAsAlone()
    {
        var template = InlineTemplate.Parse("{{ array.cycle ['a', 'b', 'c'] }}{{ array.cycle ['a', 'b', 'c'] }} {{ recipient.name }}", ["recipient.name"], markdown: false, out var problems)!;
        Assert.Empty(problems);
        var values = new Dictionary<string, IReadOnlyDictionary<string, object?>>(StringComparer.Ordinal)
        {
            ["recipient"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = "<Ana>" },
        };

        var parts = OnNewThread(() =>
        {
            using var run = new EmailRender(CancellationToken.None);
            return new[] { template.RenderText(values, run), template.RenderHtml(values, run), template.RenderText(values, run), template.RenderHtml(values, run) };
        });

        Assert.Equal(["ab <Ana>", "ab &lt;Ana&gt;", "ab <Ana>", "ab &lt;Ana&gt;"], parts);
    }

    [Fact]
    public void TemplateModel_EachEmailGetsItsOwnCopy()
    {
        Write("wrap.text.sbn", "{{ body }} {{ list[0].name }}{{ list[0].name = 'changed' }} {{ title }}");
        Write("wrap.html.sbn", "<div>{{ body }} {{ list[0].name }} {{ title }}</div>");
        var templates = EmailTemplates.Load(folder);
        var model = TemplateModel.From(new { Title = "A & B", List = new[] { new { Name = "first" } } });
        var body = new RenderedEmail("Subject", "<p>Hi</p>", "Hi");

        using var run = new EmailRender(CancellationToken.None);
        var one = templates.RenderWrapped("wrap", null, model, body, null, run);
        var two = templates.RenderWrapped("wrap", null, model, body, null, run);
        var viaObject = templates.RenderWrapped("wrap", null, new { Title = "A & B", List = new[] { new { Name = "first" } } }, body, null, CancellationToken.None);

        Assert.Equal(one, two);
        Assert.Equal(viaObject, one);
        Assert.Contains("<div><p>Hi</p> first A &amp; B</div>", one.Html, StringComparison.Ordinal);
        Assert.StartsWith("Hi first A & B", two.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BrokenTemplate_NamesFileLineAndColumn()
    {
        Write("broken.text.sbn", "{{~ subject = \"B\" ~}}\nline two\nHello {{ if }}");
        Write("broken.html.sbn", "<p>ok</p>");

        var error = Assert.Throws<ConfigurationException>(() => EmailTemplates.Load(folder));

        Assert.Equal("Email:TemplatesPath", error.Key);
        Assert.Matches(@"broken\.text\.sbn line 3, column \d+", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Build_WithABrokenTemplate_StopsStartUpNamingTheFile()
    {
        Write("broken.text.sbn", "{{ if }}");
        Write("broken.html.sbn", "<p>ok</p>");
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = "Host=127.0.0.1;Port=1;Username=postgres;Database=none",
            ["Email:TemplatesPath"] = folder,
        };

        var error = Assert.Throws<ConfigurationException>(() => Program.Build(
            ["--environment", "Development", "--contentRoot", Repository.WebProject, "--hostBuilder:reloadConfigOnChange", "false"],
            builder => builder.Configuration.AddInMemoryCollection(settings)));

        Assert.Contains("broken.text.sbn line 1, column", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_TheProjectTemplates_ParseAndRender()
    {
        var templates = EmailTemplates.Load(Path.Combine(Repository.Root, "email-templates"));

        var email = templates.Render("test", "en", new { Name = "Ana", SentBy = "Ben", MailLogUrl = "http://localhost/mail" }, "http://localhost/unsubscribe/x", CancellationToken.None);

        Assert.Contains("Test email", email.Subject, StringComparison.Ordinal);
        Assert.Contains("http://localhost/unsubscribe/x", email.Html, StringComparison.Ordinal);
        Assert.Contains("http://localhost/unsubscribe/x", email.Text, StringComparison.Ordinal);
    }

    private static T OnNewThread<T>(Func<T> work)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception ex)
            {
                failure = ex;
            }
        });
        thread.Start();
        thread.Join();
        return failure is null ? result : throw new InvalidOperationException("The render thread failed.", failure);
    }

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(folder, name), text);
}
