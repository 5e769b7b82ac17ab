using Dapper;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages;

public sealed class IndexModel(NpgsqlDataSource dataSource) : PageModel
{
    private const string FiguresSql = """
        select
            (select count(*) from organisation where kind = 'member')                               as member_organisations,
            (select count(distinct country_code) from organisation where kind = 'member')           as member_countries,
            (select count(distinct region_id) from organisation where kind = 'member')              as member_regions,
            (select count(*) from person where category = 'decision_maker' and erased_at is null)   as decision_makers,
            (select count(*) from organisation where kind <> 'member')                              as actor_organisations,
            (select count(*) from person where privacy_notice_sent_on is null and erased_at is null) as privacy_notices_pending
        """;

    private const string MembersSql = """
        select o.id, o.name, c.name as country, r.name as region, o.award_year
        from organisation o
        left join country c on c.code = o.country_code
        left join region r on r.id = o.region_id
        where o.kind = 'member'
        order by r.name nulls last, c.name, o.name
        """;

    private const string ActivitySql = """
        select occurred_at, actor_label, action, entity, entity_id
        from audit_event
        order by id desc
        limit 8
        """;

    public sealed record Figures(long MemberOrganisations, long MemberCountries, long MemberRegions, long DecisionMakers, long ActorOrganisations, long PrivacyNoticesPending);

    public sealed record MemberRow(long Id, string Name, string? Country, string? Region, int? AwardYear);

    public sealed record ActivityRow(DateTime OccurredAt, string ActorLabel, string Action, string Entity, string? EntityId);

    public Figures Network { get; private set; } = new(0, 0, 0, 0, 0, 0);

    public IReadOnlyList<IGrouping<string, MemberRow>> MembersByRegion { get; private set; } = [];

    public IReadOnlyList<ActivityRow> Activity { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Network = await db.QuerySingleAsync<Figures>(new CommandDefinition(FiguresSql, cancellationToken: ct));
        var members = await db.QueryAsync<MemberRow>(new CommandDefinition(MembersSql, cancellationToken: ct));
        MembersByRegion = members.GroupBy(m => m.Region ?? "No region").ToList();
        Activity = (await db.QueryAsync<ActivityRow>(new CommandDefinition(ActivitySql, cancellationToken: ct))).ToList();
    }
}
