using System.Diagnostics;
using Child10.Advocacy.Web.Email;

namespace Child10.Advocacy.Tests.Security;

/// <summary>
/// Email templates are code that staff may edit: they must not loop forever, recurse without end, read files
/// or reach .NET objects. Each hostile template ends quickly with a <see cref="TemplateRenderException"/>.
/// </summary>
public sealed class TemplateSandboxTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("child10-sandbox-").FullName;
    private readonly string secret = Path.Combine(Path.GetTempPath(), $"child10-secret-{Guid.NewGuid():N}.txt");

    public TemplateSandboxTests()
    {
        Write("_layout.html.sbn", "<html><title>{{ subject }}</title><body>{{ content }}</body></html>");
        Write("_layout.text.sbn", "{{ content }}");
        Write("_part.html.sbn", "<p>part</p>");
        Write("_part.text.sbn", "part");
        File.WriteAllText(secret, "SECRET-CONTENT");
    }

    public void Dispose()
    {
        Directory.Delete(folder, recursive: true);
        File.Delete(secret);
    }

    public static TheoryData<string, string> Hostile => new()
    {
        { "while", "{{ while true }}x{{ end }}" },
        { "for", "{{ for i in 1..100000000 }}{{ end }}" },
        { "nested", "{{ for a in 1..999 }}{{ for b in 1..999 }}{{ for c in 1..999 }}{{ end }}{{ end }}{{ end }}" },
        { "recursion", "{{ func f; ret f; end; f }}" },
        { "mutual", "{{ func a; ret b; end; func b; ret a; end; a }}" },
        { "include-absolute", "{{ include '" + "SECRET" + "' }}" },
        { "include-relative", "{{ include '../../../../../../../../etc/passwd' }}" },
        { "include-layout-file", "{{ include '_layout.html.sbn' }}" },
        { "include-any-name", "{{ include 'test' }}" },
        { "gettype", "{{ name.GetType }}" },
        { "gettype-call", "{{ name.GetType() }}" },
        { "date-object", "{{ date.now.GetType }}" },
        { "system", "{{ System.IO.File.ReadAllText '/etc/passwd' }}" },
        { "unknown-function", "{{ file.read '/etc/passwd' }}" },
        { "import", "{{ import System }}{{ Environment }}" },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void HostileTemplate_EndsQuicklyWithARenderError_AndReadsNothing(string name, string source)
    {
        source = source.Replace("SECRET", secret.Replace("\\", "/", StringComparison.Ordinal), StringComparison.Ordinal);
        Write($"{name}.text.sbn", "{{~ subject = \"Hostile\" ~}}\n" + source);
        Write($"{name}.html.sbn", "<p>" + source + "</p>");
        var templates = EmailTemplates.Load(folder);
        var clock = Stopwatch.StartNew();

        var error = Assert.Throws<TemplateRenderException>(() => templates.Render(name, null, new { Name = "Ana" }, null, CancellationToken.None));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"{name} took {clock.Elapsed}");
        Assert.DoesNotContain("SECRET-CONTENT", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("root:", error.ToString(), StringComparison.Ordinal);
        // The error says where: the template file and, for a runtime error, its line and column.
        Assert.Contains(name, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ModelObjects_ArriveAsPlainValues_NotDotNetObjects()
    {
        Write("probe.text.sbn", "{{~ subject = \"Probe\" ~}}\n{{ object.typeof value }}|{{ object.typeof when }}|{{ value }}");
        Write("probe.html.sbn", "<p>{{ value }}</p>");
        var templates = EmailTemplates.Load(folder);

        var email = templates.Render("probe", null, new { Value = new Uri("https://child10.example/x"), When = DateTime.UnixEpoch }, null, CancellationToken.None);

        Assert.StartsWith("string|string|https://child10.example/x", email.Text, StringComparison.Ordinal);
    }

    private void Write(string name, string text) => File.WriteAllText(Path.Combine(folder, name), text);
}
