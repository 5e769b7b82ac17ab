using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Child10.Advocacy.Bench;

/// <summary>The CSV import of people over HTTP as a signed-in admin: upload, dry run page, commit. Timed end to end.</summary>
internal static partial class ImportRun
{
    public static async Task RunAsync(Options options, CancellationToken ct)
    {
        var rows = options.Int("rows", 100_000);
        var app = new Uri(options.Required("app"));
        var (csv, withPolicyAreas) = DataGenerator.PeopleCsv(rows);
        var cookies = new CookieContainer();
        using var client = SignIn.Client(app, options.Required("cookie"), cookies);

        var watch = Stopwatch.StartNew();
        var form = await client.GetStringAsync(new Uri("/stakeholders/import", UriKind.Relative), ct);
        using var upload = new MultipartFormDataContent
        {
            { new StringContent(Token(form)), "__RequestVerificationToken" },
            { new StringContent("people"), "Kind" },
        };
        var file = new ByteArrayContent(csv);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        upload.Add(file, "Upload", $"people-{rows}.csv");
        using var uploaded = await client.PostAsync(new Uri("/stakeholders/import", UriKind.Relative), upload, ct);
        if (uploaded.StatusCode != HttpStatusCode.Redirect)
        {
            throw new BenchException($"import upload answered {(int)uploaded.StatusCode}");
        }
        var url = uploaded.Headers.Location!.OriginalString;
        var uploadSeconds = watch.Elapsed.TotalSeconds;

        var preview = await client.GetStringAsync(new Uri(url, UriKind.Relative), ct);
        if (!preview.Contains("No problems found", StringComparison.Ordinal))
        {
            throw new BenchException($"the import preview at {url} reports problems");
        }
        var previewSeconds = watch.Elapsed.TotalSeconds - uploadSeconds;

        using var commit = new FormUrlEncodedContent([new("__RequestVerificationToken", Token(preview))]);
        using var committed = await client.PostAsync(new Uri(url, UriKind.Relative), commit, ct);
        if (committed.StatusCode != HttpStatusCode.Redirect)
        {
            throw new BenchException($"import commit answered {(int)committed.StatusCode}");
        }
        var total = watch.Elapsed.TotalSeconds;
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            rows,
            rows_with_policy_areas = withPolicyAreas,
            bytes = csv.Length,
            upload_s = Math.Round(uploadSeconds, 3),
            preview_s = Math.Round(previewSeconds, 3),
            commit_s = Math.Round(total - uploadSeconds - previewSeconds, 3),
            total_s = Math.Round(total, 3),
        }));
    }

    private static string Token(string html) =>
        AntiforgeryInput().Match(html) is { Success: true } match
            ? WebUtility.HtmlDecode(match.Groups[1].Value)
            : throw new BenchException("no antiforgery token on the page");

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryInput();
}
