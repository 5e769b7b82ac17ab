using Child10.Advocacy.Web.Features.Interactions;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.Organisations;

public sealed class DetailsModel(NpgsqlDataSource dataSource, IAuthorizationService authorization) : PageModel
{
    public const int PeopleShown = 100;

    private const string OrganisationSql = """
        select o.id, o.name, o.kind, o.award_year, o.country_code, c.name as country_name, r.name as region_name,
               o.website, o.notes,
               coalesce((select array_agg(t.name order by sort_key(t.name))
                           from organisation_theme ot join theme t on t.id = ot.theme_id
                          where ot.organisation_id = o.id), '{}') as themes,
               (select count(*) from person p where p.organisation_id = o.id and p.erased_at is null) as people
        from organisation o
        left join country c on c.code = o.country_code
        left join region r on r.id = o.region_id
        where o.id = @id;

        select p.id, p.full_name, p.position, p.category, p.do_not_contact
        from person p
        where p.organisation_id = @id and p.erased_at is null
        order by p.name_sort_key, p.id
        limit @limit;
        """;

    public sealed record PersonRow(long Id, string FullName, string? Position, string Category, bool DoNotContact);

    public OrganisationRow Organisation { get; private set; } = null!;

    public IReadOnlyList<PersonRow> People { get; private set; } = [];

    public IReadOnlyList<TimelineItem> Timeline { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public bool IsAdmin { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    /// <summary>The website as a link target: absolute http(s) as stored, or a bare host name (older records, imports) with https.</summary>
    public static Uri? WebsiteLink(string? website)
    {
        if (string.IsNullOrWhiteSpace(website))
        {
            return null;
        }
        var text = website.Trim();
        if (!text.Contains("://", StringComparison.Ordinal))
        {
            text = "https://" + text;
        }
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps) ? uri : null;
    }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using (var reader = await db.QueryMultipleAsync(new CommandDefinition(OrganisationSql, new { id, limit = PeopleShown }, cancellationToken: ct)))
        {
            var organisation = await reader.ReadSingleOrDefaultAsync<OrganisationRow>();
            if (organisation is null)
            {
                return NotFound();
            }
            Organisation = organisation;
            People = (await reader.ReadAsync<PersonRow>()).ToList();
        }
        Timeline = await Features.Interactions.Timeline.ForOrganisationAsync(db, id, 50, ct);
        CanEdit = (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        IsAdmin = (await authorization.AuthorizeAsync(User, Policies.AdminOnly)).Succeeded;
        return Page();
    }
}
