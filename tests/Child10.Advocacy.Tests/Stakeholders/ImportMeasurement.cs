using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Child10.Advocacy.Tests.Infrastructure;
using Dapper;
using Xunit.Abstractions;

namespace Child10.Advocacy.Tests.Stakeholders;

/// <summary>
/// A measurement, not a test: run by hand with CHILD10_MEASURE_IMPORT=1 to time a 100,000-row people import over HTTP
/// (upload, dry run, commit). It checks the outcome, never the time; the target lives in the benchmark.
/// </summary>
[Collection(DatabaseGroup.Name)]
public sealed class ImportMeasurement(TestDatabase database, ITestOutputHelper output)
{
    [Fact]
    public async Task Import100000People_UploadPreviewCommit()
    {
        if (Environment.GetEnvironmentVariable("CHILD10_MEASURE_IMPORT") != "1")
        {
            return;
        }
        const int rows = 100_000;
        await database.ResetAsync();
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("insert into organisation (name, kind, country_code) select 'Organisation ' || n, 'government', 'FR' from generate_series(1, 500) n");
            // A tenth of the file updates people already on record.
            await db.ExecuteAsync("insert into person (full_name, email) select 'Existing ' || n, 'person' || n || '@example.org' from generate_series(1, @n) n", new { n = rows / 10 });
        }
        var csv = new StringBuilder("full_name,email,position,organisation,category,country,preferred_language,jurisdiction,policy_areas,data_source,lawful_basis,privacy_notice_sent_on,do_not_contact\n");
        for (var i = 1; i <= rows; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"Person Número {i},person{i}@example.org,\"Adviser, unit {i % 40}\",Organisation {i % 500 + 1},decision_maker,FR,fr,national,Legal reform|Prevention,Conference 2024,legitimate_interest,2024-11-05,{(i % 7 == 0 ? "yes" : "no")}\n");
        }
        var bytes = Encoding.UTF8.GetBytes(csv.ToString());

        // The phases in-process first (then rolled back), to see where the time goes.
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            var phase = Stopwatch.StartNew();
            var text = Child10.Advocacy.Web.Features.Stakeholders.Import.CsvReader.Decode(bytes);
            var table = Child10.Advocacy.Web.Features.Stakeholders.Import.CsvReader.Parse(text);
            var parsed = phase.ElapsedMilliseconds;
            await using var tx = await db.BeginTransactionAsync();
            var plan = await Child10.Advocacy.Web.Features.Stakeholders.Import.ImportPlan.MakeAsync(db, tx, "people", bytes, CancellationToken.None);
            var planned = phase.ElapsedMilliseconds;
            var written = await Child10.Advocacy.Web.Features.Stakeholders.Import.ImportPlan.CommitAsync(database.DataSource, db, tx, "people", bytes, CancellationToken.None);
            Assert.True(written.CanCommit);
            var wrote = phase.ElapsedMilliseconds;
            await tx.RollbackAsync();
            Console.WriteLine($"IMPORT PHASES: {table.Records.Count} records; decode+parse {parsed} ms, dry run (parse+check) {planned - parsed} ms, commit (parse+check+write) {wrote - planned} ms");
        }

        await using var app = await TestApp.StartAsync(database);
        using var admin = await app.SignedInClientAsync(database, "admin");
        var total = Stopwatch.StartNew();

        var upload = Stopwatch.StartNew();
        using var form = new MultipartFormDataContent
        {
            { new StringContent(TestApp.AntiforgeryToken(await admin.GetStringAsync("/stakeholders/import"))), "__RequestVerificationToken" },
            { new StringContent("people"), "Kind" },
        };
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "Upload", "people-100k.csv");
        using var uploaded = await admin.PostAsync("/stakeholders/import", form);
        Assert.Equal(HttpStatusCode.Redirect, uploaded.StatusCode);
        var url = uploaded.Headers.Location!.OriginalString;
        upload.Stop();

        var preview = Stopwatch.StartNew();
        var page = await admin.GetStringAsync(url);
        preview.Stop();
        Assert.Contains("No problems found", page, StringComparison.Ordinal);

        var commit = Stopwatch.StartNew();
        using var commitForm = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page) });
        using var committed = await admin.PostAsync(url, commitForm);
        commit.Stop();
        total.Stop();
        Assert.Equal(HttpStatusCode.Redirect, committed.StatusCode);

        await using var check = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(rows, await check.ExecuteScalarAsync<long>("select count(*) from person"));
        output.WriteLine($"{rows:N0} rows, {bytes.Length / 1024.0 / 1024:0.0} MB: upload {upload.ElapsedMilliseconds} ms, dry run {preview.ElapsedMilliseconds} ms, commit {commit.ElapsedMilliseconds} ms, total {total.ElapsedMilliseconds} ms");
        Console.WriteLine($"IMPORT MEASUREMENT: upload {upload.ElapsedMilliseconds} ms, dry run {preview.ElapsedMilliseconds} ms, commit {commit.ElapsedMilliseconds} ms, total {total.ElapsedMilliseconds} ms");
    }
}
