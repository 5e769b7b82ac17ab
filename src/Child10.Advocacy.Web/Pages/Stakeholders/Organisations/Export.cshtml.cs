using System.Globalization;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure.Csv;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.Net.Http.Headers;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.Organisations;

/// <summary>The organisation list as CSV, with the same filter and order as the page, streamed row by row.</summary>
public sealed class ExportModel(NpgsqlDataSource dataSource) : PageModel
{
    private static readonly string[] Header =
        ["id", "name", "kind", "award_year", "country_code", "country", "region", "themes", "people", "website", "notes"];

    public async Task<IActionResult> OnGetAsync([FromQuery] OrganisationFilter filter, CancellationToken ct)
    {
        if (!OrganisationQuery.IsKnownSort(filter.Sort))
        {
            return BadRequest(OrganisationQuery.UnknownSortMessage(filter.Sort));
        }
        var fileName = $"organisations-{DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.csv";
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers[HeaderNames.ContentDisposition] = new ContentDispositionHeaderValue("attachment") { FileName = fileName }.ToString();
        Response.Headers[HeaderNames.CacheControl] = "no-store";

        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var text = new StreamWriter(Response.Body, CsvWriter.Utf8WithBom, bufferSize: 16 * 1024);
        var csv = new CsvWriter(text);
        await csv.WriteRowAsync(Header);
        await foreach (var row in OrganisationQuery.StreamAsync(db, filter with { Page = null }, ct))
        {
            await csv.WriteRowAsync(
            [
                row.Id, row.Name, row.Kind, row.AwardYear, row.CountryCode, row.CountryName, row.RegionName,
                string.Join("; ", row.Themes), row.People, row.Website, row.Notes,
            ]);
        }
        await text.FlushAsync(ct);
        return new EmptyResult();
    }
}
