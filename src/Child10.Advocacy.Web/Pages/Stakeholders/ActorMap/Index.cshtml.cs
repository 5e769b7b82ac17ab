using Child10.Advocacy.Web.Features.Stakeholders;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.ActorMap;

/// <summary>
/// The coordination programme's map of actors: per country and theme, how many awarded members and other
/// organisations work there. No member is a gap (a child-protection need nobody in the network covers);
/// two or more members an overlap (possible duplication of effort).
/// </summary>
public sealed class IndexModel(NpgsqlDataSource dataSource, Places places) : PageModel
{
    // Members always count (gaps and overlaps are about the network); the kind filter chooses which
    // other organisations are counted. Organisations without a country (international bodies) have no row.
    private const string MatrixSql = """
        with actor as (
            select o.id, o.kind = 'member' as is_member, o.country_code
            from organisation o
            join country c on c.code = o.country_code
            where (o.kind = 'member' or @kind is null or o.kind = @kind)
              and (@regionId is null or c.region_id = @regionId)
        ),
        cell as (
            select a.country_code, ot.theme_id,
                   count(*) filter (where a.is_member) as members,
                   count(*) filter (where not a.is_member) as others
            from actor a
            join organisation_theme ot on ot.organisation_id = a.id
            group by a.country_code, ot.theme_id
        )
        select c.code as country_code, c.name as country_name, t.id as theme_id,
               coalesce(cell.members, 0) as members, coalesce(cell.others, 0) as others
        from country c
        cross join theme t
        left join cell on cell.country_code = c.code and cell.theme_id = t.id
        where c.code in (select country_code from actor)
        order by c.name_sort_key, c.code
        """;

    public sealed record CellRow(string CountryCode, string CountryName, long ThemeId, long Members, long Others);

    public sealed record Cell(long ThemeId, long Members, long Others)
    {
        public bool IsGap => Members == 0;

        public bool IsOverlap => Members >= 2;
    }

    public sealed record CountryRow(string Code, string Name, IReadOnlyDictionary<long, Cell> Cells);

    [FromQuery(Name = "Kind")]
    public string? Kind { get; set; }

    [FromQuery(Name = "RegionId")]
    public long? RegionId { get; set; }

    public IReadOnlyList<NamedOption> Themes { get; private set; } = [];

    public IReadOnlyList<CountryRow> Countries { get; private set; } = [];

    public Lookups Lookups { get; private set; } = null!;

    public int Gaps { get; private set; }

    public int Overlaps { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        var kind = Vocabulary.Contains(Vocabulary.OrganisationKinds, Kind) ? Kind : null;
        Kind = kind;
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Lookups = await Lookups.LoadPlacesAndThemesAsync(db, places, ct);
        Themes = Lookups.Themes;
        var cells = await db.QueryAsync<CellRow>(new CommandDefinition(MatrixSql, new { kind, regionId = RegionId }, cancellationToken: ct));
        Countries = cells
            .GroupBy(c => (c.CountryCode, c.CountryName))
            .Select(g => new CountryRow(g.Key.CountryCode, g.Key.CountryName, g.ToDictionary(c => c.ThemeId, c => new Cell(c.ThemeId, c.Members, c.Others))))
            .ToList();
        Gaps = Countries.Sum(c => c.Cells.Values.Count(cell => cell.IsGap));
        Overlaps = Countries.Sum(c => c.Cells.Values.Count(cell => cell.IsOverlap));
    }

    public string CellLink(string country, long themeId) =>
        $"/stakeholders/organisations?Country={country}&ThemeId={themeId}" + (Kind is null ? "" : "&Kind=" + Uri.EscapeDataString(Kind));
}
