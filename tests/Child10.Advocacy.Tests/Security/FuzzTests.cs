using System.Text;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Stakeholders.Import;
using Child10.Advocacy.Web.Infrastructure;
using CsCheck;
using Dapper;

namespace Child10.Advocacy.Tests.Security;

/// <summary>
/// Random input for the parts that take text from people: the CSV importer, the Markdown pipeline and the email
/// templates. No unhandled exception, every error says where, and a refused import writes nothing. The budgets are
/// small so the suite stays fast; a failing case prints its seed for CsCheck to replay.
/// </summary>
[Collection(DatabaseGroup.Name)]
public sealed class FuzzTests(TestDatabase database) : IAsyncLifetime
{
    private static readonly char[] CsvChars = [',', ';', '\t', '"', '"', '\n', '\r', ' ', 'a', 'Z', '1', '-', '@', '.', 'é', 'ß', '\u00A0', '\uFEFF', '\0', '=', '+', '\'', '|', '\\'];

    private static readonly string[] Headers =
    [
        "", "full_name,email,organisation,country\n", "full_name;email;category;themes\n", "name,kind,country\n",
        "\uFEFFname,kind,award_year,website\n", "full_name,full_name,email\n", "\"full_name\",\"email\"\r\n", "x,y,z\n",
    ];

    private static readonly Gen<string> CsvText =
        Gen.Select(
            Gen.OneOf(Headers),
            Gen.Frequency((8, Gen.OneOf(CsvChars).Array[0, 400].Select(a => new string(a))), (1, Gen.Const(() => new string('x', 70_000)))),
            (header, body) => header + body);

    // Files with the right header and plausible rows whose cells carry odd characters, so plans reach Commit.
    private static readonly Gen<string> PlausibleFile =
        Gen.Select(
            Gen.OneOf("full_name,email,category\n", "name,kind,country\n"),
            Gen.Select(Gen.OneOf(CsvChars).Array[0, 6].Select(a => new string(a)), Gen.Int[1, 1_000_000])
                .Select((odd, n) => $"\"Name {n}{odd.Replace("\"", "\"\"", StringComparison.Ordinal)}\",person{n}@example.org,other\n")
                .Array[1, 5],
            (header, rows) => header + string.Concat(header.StartsWith("name", StringComparison.Ordinal)
                ? rows.Select(r => r.Replace("@example.org,other", "-org,ngo", StringComparison.Ordinal).Replace(",person", " Org", StringComparison.Ordinal))
                : rows));

    private static readonly string[] MarkdownParts =
    [
        "# ", "**", "_", "`", "```\n", "> ", "- ", "1. ", "|a|b|\n|-|-|\n", "[x](", ")", "](", "<", ">", "\n", " ", "text",
        "javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:", "&#106;avascript:", "data:text/html,<script>", "vbscript:",
        "<script>", "</script>", "<img src=x onerror=alert(1)>", "<a href=\"", "\" onmouseover=\"alert(1)", "<svg onload=alert(1)>",
        "<iframe src=x>", "<style>", "![i](", "<https://x.example>", "www.x.example", "mailto:a@b.example", "\\", "*", "\0", "<!--",
    ];

    private static readonly string[] TemplateParts =
    [
        "{{", "}}", " ", "\n", "for", " x ", "in", " 1..3 ", "end", "if", "else", "while", "true", "func", "ret", "f", "name", "name.size",
        "'_part'", "include", "'/etc/passwd'", "capture", "|", "string.upcase", "object.typeof", "date.now", "x = 1", "(", ")", "[", "]",
        "\"", "'", "~", "-", "+", "*", "/", "0", "1000000", "..", ".", "GetType", "import", "with", "tablerow", "break", "continue",
    ];

    public async Task InitializeAsync() => await database.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void CsvReader_RandomBytes_DecodesOrSaysWhichLine()
    {
        Gen.Select(Gen.Bool, Gen.Byte.Array[0, 600]).Sample((bom, bytes) =>
        {
            var file = bom ? [0xEF, 0xBB, 0xBF, .. bytes] : bytes;
            try
            {
                CsvReader.Parse(CsvReader.Decode(file));
            }
            catch (CsvFormatException ex)
            {
                Assert.True(ex.Line >= 1, ex.Message);
                Assert.StartsWith($"line {ex.Line}: ", ex.Message, StringComparison.Ordinal);
            }
        }, iter: 3000, threads: 1);
    }

    [Fact]
    public void CsvReader_RandomText_ParsesOrSaysWhichLine()
    {
        CsvText.Sample(text =>
        {
            try
            {
                var table = CsvReader.Parse(text);
                Assert.All(table.Records, r => Assert.True(r.Row >= 1 && r.Line >= 1));
            }
            catch (CsvFormatException ex)
            {
                Assert.True(ex.Line >= 1 && ex.Line <= text.Count(c => c is '\n' or '\r') + 2, ex.Message);
            }
        }, iter: 2000, threads: 1);
    }

    [Fact]
    public async Task ImportPlan_RandomFiles_ReportProblemsWithTheirPlace_AndARefusedImportWritesNothing()
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var before = await DatabaseFingerprint.TakeAsync(database);
        var committed = 0;

        Gen.Select(Gen.Bool, Gen.Frequency((1, CsvText), (2, PlausibleFile))).Sample((organisations, text) =>
        {
            var kind = organisations ? ImportColumns.Organisations : ImportColumns.People;
            var plan = ImportPlan.MakeAsync(db, null, kind, text, CancellationToken.None).GetAwaiter().GetResult();

            // Rows are numbered as a spreadsheet shows them: the header is row 1, and blank lines count, so a problem's
            // row can be past the number of records but never past the file's last line.
            var lines = text.Count(c => c == '\n') + text.Where((c, i) => c == '\r' && (i + 1 == text.Length || text[i + 1] != '\n')).Count() + 1;
            Assert.All(plan.Problems, p => Assert.True(p.Row is null || p.Row >= 2 && p.Row <= lines, $"{p} (file has {plan.FileRows} rows on {lines} lines)"));
            Assert.All(plan.Problems, p => Assert.False(string.IsNullOrWhiteSpace(p.Message)));
            using var tx = db.BeginTransaction();
            // Committing checks the file again inside the transaction: a clean plan is written (then the test rolls
            // it back); a plan with problems is refused the same way and writes nothing.
            var written = ImportPlan.CommitAsync(database.DataSource, db, tx, kind, Encoding.UTF8.GetBytes(text), CancellationToken.None).GetAwaiter().GetResult();
            Assert.Equal(plan.CanCommit, written.CanCommit);
            if (written.CanCommit)
            {
                committed++;
            }
            tx.Rollback();
        }, iter: 150, threads: 1);

        DatabaseFingerprint.AssertUnchanged(before, await DatabaseFingerprint.TakeAsync(database), "Refused and rolled-back imports");
        Assert.Equal(0, await db.ExecuteScalarAsync<long>("select count(*) from person"));
        Assert.True(committed > 0, "No random file made a clean plan: the commit path was not exercised.");
    }

    [Fact]
    public void Markdown_RandomInput_NeverThrows_AndIsInert()
    {
        Gen.OneOf(MarkdownParts).Array[0, 60].Select(parts => string.Concat(parts)).Sample(source =>
        {
            var html = Markdown.ToHtml(source).ToString()!;

            Hostile.AssertInert(html, $"Markdown of {source}");
        }, iter: 3000, threads: 1);
    }

    [Fact]
    public void ProjectTemplates_RandomModelStrings_RenderInertHtml()
    {
        var templates = EmailTemplates.Load(Path.Combine(Repository.Root, "email-templates"));
        Gen.OneOf(MarkdownParts).Array[0, 20].Select(parts => string.Concat(parts)).Array[3].Sample(values =>
        {
            // Links in a template are built by the app; people's text fills the rest.
            var email = templates.Render("test", "en", new { Name = values[0], SentBy = values[1], MailLogUrl = Hostile.Url }, null, CancellationToken.None);

            Hostile.AssertInert(email.Html, "test template");
        }, iter: 500, threads: 1);
    }

    [Fact]
    public void RandomTemplateSources_LoadWithAPlace_RenderOrFailWithARenderError()
    {
        var folder = Directory.CreateTempSubdirectory("child10-fuzz-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "_layout.html.sbn"), "<body>{{ content }}</body>");
            File.WriteAllText(Path.Combine(folder, "_layout.text.sbn"), "{{ content }}");
            File.WriteAllText(Path.Combine(folder, "_part.html.sbn"), "<p>part</p>");
            File.WriteAllText(Path.Combine(folder, "_part.text.sbn"), "part");
            Gen.OneOf(TemplateParts).Array[0, 40].Select(parts => string.Concat(parts)).Sample(source =>
            {
                File.WriteAllText(Path.Combine(folder, "fuzz.text.sbn"), "{{~ subject = \"Fuzz\" ~}}\n" + source);
                File.WriteAllText(Path.Combine(folder, "fuzz.html.sbn"), source);
                EmailTemplates templates;
                try
                {
                    templates = EmailTemplates.Load(folder);
                }
                catch (ConfigurationException ex)
                {
                    Assert.Matches(@"fuzz\.(text|html)\.sbn line \d+, column \d+", ex.Message);
                    return;
                }
                try
                {
                    templates.Render("fuzz", "en", new { Name = Hostile.Script }, null, CancellationToken.None);
                }
                catch (TemplateRenderException ex)
                {
                    Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                }
            }, iter: 400, threads: 1);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
