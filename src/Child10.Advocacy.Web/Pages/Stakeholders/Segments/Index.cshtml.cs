using System.Text.Json;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.Segments;

public sealed class IndexModel(NpgsqlDataSource dataSource, Places places, IAuthorizationService authorization) : PageModel
{
    private const string SegmentsSql = """
        select s.id, s.name, s.description, s.filter::text as filter, s.created_at, u.display_name as created_by
        from segment s
        left join staff_user u on u.id = s.created_by
        order by sort_key(s.name), s.id
        """;

    private const string OrganisationNamesSql = "select id, name from organisation where id = any(@ids)";

    private const string DeleteSql = "delete from segment where id = @id returning name";

    public sealed record SegmentRow(long Id, string Name, string? Description, string Filter, DateTime CreatedAt, string? CreatedBy);

    public sealed record SegmentView(SegmentRow Segment, PeopleFilter Filter, string Summary, long? Matching);

    public IReadOnlyList<SegmentView> Segments { get; private set; } = [];

    public bool CanEdit { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        CanEdit = (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var rows = (await db.QueryAsync<SegmentRow>(new CommandDefinition(SegmentsSql, cancellationToken: ct))).ToList();
        var lookups = await Lookups.LoadPlacesAndThemesAsync(db, places, ct);
        var filters = rows.Select(r => Parse(r.Filter)).ToList();
        var organisationIds = filters.Where(f => f is not null).Select(f => f!.OrganisationId).OfType<long>().Distinct().ToArray();
        var organisations = (await db.QueryAsync<NamedOption>(new CommandDefinition(OrganisationNamesSql, new { ids = organisationIds }, cancellationToken: ct)))
            .ToDictionary(o => o.Id, o => o.Name);

        var views = new List<SegmentView>();
        for (var i = 0; i < rows.Count; i++)
        {
            // Few segments exist, so one count each is fine.
            var filter = filters[i];
            views.Add(filter is null
                ? new SegmentView(rows[i], new PeopleFilter(), "The stored filter could not be read.", null)
                : new SegmentView(rows[i], filter, Describe(filter, lookups, organisations), await PeopleQuery.CountAsync(db, filter, ct)));
        }
        Segments = views;
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var name = await db.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(DeleteSql, new { id }, tx, cancellationToken: ct));
        if (name is null)
        {
            return NotFound();
        }
        await db.RecordAsync(tx, Actor.From(User), "segment.delete", "segment", id, new { name }, ct);
        await tx.CommitAsync(ct);
        Flash = $"Segment '{name}' deleted.";
        return LocalRedirect("/stakeholders/segments");
    }

    /// <summary>"Country: Moldova · Policy area: Legal reform", or "Everyone" for an empty filter.</summary>
    public static string Describe(PeopleFilter filter, Lookups lookups, IReadOnlyDictionary<long, string> organisations)
    {
        ArgumentNullException.ThrowIfNull(filter);
        ArgumentNullException.ThrowIfNull(lookups);
        ArgumentNullException.ThrowIfNull(organisations);
        var parts = new List<string>();
        if (filter.Q is not null) parts.Add($"Search: “{filter.Q}”");
        if (filter.Category is not null) parts.Add("Category: " + Vocabulary.Label(Vocabulary.PersonCategories, filter.Category));
        if (filter.OrganisationKind is not null) parts.Add("Organisation kind: " + Vocabulary.Label(Vocabulary.OrganisationKinds, filter.OrganisationKind));
        if (filter.OrganisationId is long orgId) parts.Add("Organisation: " + (organisations.TryGetValue(orgId, out var org) ? org : $"#{orgId} (deleted)"));
        if (filter.Country is not null) parts.Add("Country: " + lookups.CountryName(filter.Country));
        if (filter.RegionId is long regionId) parts.Add("Region: " + (lookups.Regions.FirstOrDefault(r => r.Id == regionId)?.Name ?? $"#{regionId}"));
        if (filter.ThemeId is long themeId) parts.Add("Policy area: " + (lookups.Themes.FirstOrDefault(t => t.Id == themeId)?.Name ?? $"#{themeId}"));
        if (filter.Jurisdiction is not null) parts.Add("Jurisdiction: " + Vocabulary.Label(Vocabulary.Jurisdictions, filter.Jurisdiction));
        if (filter.Language is not null) parts.Add("Language: " + Vocabulary.Label(Vocabulary.Languages, filter.Language));
        if (filter.DoNotContact is bool dnc) parts.Add(dnc ? "Do not contact only" : "May be contacted");
        return parts.Count == 0 ? "Everyone" : string.Join(" · ", parts);
    }

    private static PeopleFilter? Parse(string json)
    {
        try
        {
            return PeopleFilter.FromJson(json);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
