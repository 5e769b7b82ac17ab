using System.Globalization;
using Child10.Advocacy.Web.Features.Interactions;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages;

/// <summary>The home dashboard: what is due, what I owe, what happened lately, and the network at a glance.</summary>
public sealed class IndexModel(NpgsqlDataSource dataSource) : PageModel
{
    private const int DeadlineDays = 30;

    private const string FiguresSql = """
        select
            (select count(*) from organisation where kind = 'member')                               as member_organisations,
            (select count(distinct country_code) from organisation where kind = 'member')           as member_countries,
            (select count(distinct region_id) from organisation where kind = 'member')              as member_regions,
            (select count(*) from person where category = 'decision_maker' and erased_at is null)   as decision_makers,
            (select count(*) from campaign where status = 'active')                                 as active_campaigns,
            (select count(*) from person where privacy_notice_sent_on is null and erased_at is null) as privacy_notices_pending
        """;

    // Consultation deadlines and open milestones due in the window, soonest first.
    private const string DeadlinesSql = """
        select 'consultation' as kind, c.id, c.title, o.name as context, c.closes_at as due_at, c.institution_time_zone as time_zone,
               '/consultations/' || c.id as href
        from consultation c
        join organisation o on o.id = c.institution_id
        where c.status not in ('submitted', 'closed') and c.closes_at >= now() and c.closes_at < now() + make_interval(days => @days)
        union all
        select 'milestone', m.id, m.title, cp.title, (m.due_on::timestamp at time zone 'UTC'), null, '/campaigns/' || cp.id
        from milestone m
        join campaign cp on cp.id = m.campaign_id
        where m.done_at is null and cp.status in ('planning', 'active') and m.due_on >= @today and m.due_on < @today + @days
        union all
        select 'signoff', r.id, s.title,
               (select count(q.decision) || ' of ' || count(*) || ' answered' from signoff_request q where q.round_id = r.id),
               r.deadline, r.time_zone, '/signoff/rounds/' || r.id
        from signoff_round r
        join statement s on s.id = r.statement_id
        where r.status = 'open' and r.deadline >= now() and r.deadline < now() + make_interval(days => @days)
        order by due_at, id
        limit 12
        """;

    private const string MyFollowUpsSql = """
        select i.id, i.subject, i.follow_up_on
        from interaction i
        where i.follow_up_owner_id = @staffId and i.follow_up_on is not null and i.follow_up_done_at is null
          and i.follow_up_on <= @today + 7
        order by i.follow_up_on, i.id
        limit 6
        """;

    private const string RecentInteractionsSql = """
        select i.id, i.kind, i.occurred_on, i.subject,
               (select string_agg(case when p.erased_at is null then p.full_name else 'Erased person' end, ', ' order by p.full_name)
                  from interaction_person ip join person p on p.id = ip.person_id
                 where ip.interaction_id = i.id) as people
        from interaction i
        order by i.occurred_on desc, i.id desc
        limit 6
        """;

    private const string MembersSql = """
        select o.id, o.name, c.name as country, r.name as region, o.award_year
        from organisation o
        left join country c on c.code = o.country_code
        left join region r on r.id = o.region_id
        where o.kind = 'member'
        order by r.name nulls last, c.name, o.name
        """;

    public sealed record Figures(long MemberOrganisations, long MemberCountries, long MemberRegions, long DecisionMakers, long ActiveCampaigns, long PrivacyNoticesPending);

    public sealed record Deadline(string Kind, long Id, string Title, string Context, DateTime DueAt, string? TimeZone, string Href);

    public sealed record FollowUpRow(long Id, string Subject, DateOnly FollowUpOn);

    public sealed record InteractionRow(long Id, string Kind, DateOnly OccurredOn, string Subject, string? People);

    public sealed record MemberRow(long Id, string Name, string? Country, string? Region, int? AwardYear);

    public Figures Network { get; private set; } = new(0, 0, 0, 0, 0, 0);

    public IReadOnlyList<Deadline> Deadlines { get; private set; } = [];

    public IReadOnlyList<FollowUpRow> MyFollowUps { get; private set; } = [];

    public IReadOnlyList<InteractionRow> RecentInteractions { get; private set; } = [];

    public IReadOnlyList<IGrouping<string, MemberRow>> MembersByRegion { get; private set; } = [];

    public DateOnly Today { get; private set; }

    public static int DeadlineWindowDays => DeadlineDays;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Today = FollowUp.Today(User);
        var staffId = long.Parse(User.FindFirst(StaffClaims.StaffId)!.Value, CultureInfo.InvariantCulture);
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Network = await db.QuerySingleAsync<Figures>(new CommandDefinition(FiguresSql, cancellationToken: ct));
        Deadlines = (await db.QueryAsync<Deadline>(new CommandDefinition(DeadlinesSql, new { days = DeadlineDays, today = Today }, cancellationToken: ct))).ToList();
        MyFollowUps = (await db.QueryAsync<FollowUpRow>(new CommandDefinition(MyFollowUpsSql, new { staffId, today = Today }, cancellationToken: ct))).ToList();
        RecentInteractions = (await db.QueryAsync<InteractionRow>(new CommandDefinition(RecentInteractionsSql, cancellationToken: ct))).ToList();
        MembersByRegion = (await db.QueryAsync<MemberRow>(new CommandDefinition(MembersSql, cancellationToken: ct)))
            .GroupBy(m => m.Region ?? "No region")
            .ToList();
    }
}
