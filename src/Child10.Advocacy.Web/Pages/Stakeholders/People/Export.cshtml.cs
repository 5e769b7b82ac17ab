using System.Globalization;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Csv;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.People;

/// <summary>Every person the list's filter matches, as CSV, streamed row by row.</summary>
public sealed class ExportModel(NpgsqlDataSource dataSource) : PageModel
{
    private static readonly string[] Headers =
    [
        "id", "full_name", "position", "category", "organisation", "organisation_kind", "email", "phone",
        "country_code", "country", "preferred_language", "jurisdiction", "policy_areas", "data_source",
        "lawful_basis", "privacy_notice_sent_on", "do_not_contact", "updated_at",
    ];

    public async Task<IActionResult> OnGetAsync([FromQuery] PeopleFilter filter, CancellationToken ct)
    {
        if (!PeopleQuery.IsKnownSort(filter.Sort))
        {
            return BadRequest(PeopleQuery.UnknownSortMessage(filter.Sort));
        }
        var today = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeDisplay.ZoneOf(User));
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = $"attachment; filename=people-{today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}.csv";
        Response.Headers.CacheControl = "no-store";

        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var writer = new StreamWriter(Response.Body, CsvWriter.Utf8WithBom, bufferSize: 32 * 1024);
        var csv = new CsvWriter(writer);
        await csv.WriteRowAsync(Headers);
        await foreach (var p in PeopleQuery.AllAsync(db, filter, withThemes: true, ct))
        {
            await csv.WriteRowAsync(
            [
                p.Id, p.FullName, p.Position, p.Category, p.OrganisationName, p.OrganisationKind, p.Email, p.Phone,
                p.CountryCode, p.CountryName, p.PreferredLanguage, p.Jurisdiction, p.Themes, p.DataSource,
                p.LawfulBasis, p.PrivacyNoticeSentOn, p.DoNotContact, p.UpdatedAt,
            ]);
        }
        await writer.FlushAsync(ct);
        return new EmptyResult();
    }
}
