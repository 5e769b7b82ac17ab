using System.Globalization;
using Child10.Advocacy.Web.Features.Interactions;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages;

/// <summary>The home dashboard: what is due, what I owe, what happened lately, and the network at a glance.</summary>
public sealed class IndexModel(NpgsqlDataSource dataSource, NetworkSummary network) : PageModel
{
    private const int DeadlineDays = 30;

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
               (select string_agg(case when p.erased_at is null then p.full_name else 'Erased person' end, ', ' order by p.name_sort_key)
                  from interaction_person ip join person p on p.id = ip.person_id
                 where ip.interaction_id = i.id) as people
        from interaction i
        order by i.occurred_on desc, i.id desc
        limit 6
        """;

    public sealed record Deadline(string Kind, long Id, string Title, string Context, DateTime DueAt, string? TimeZone, string Href);

    public sealed record FollowUpRow(long Id, string Subject, DateOnly FollowUpOn);

    public sealed record InteractionRow(long Id, string Kind, DateOnly OccurredOn, string Subject, string? People);

    public NetworkFigures Network { get; private set; } = new(0, 0, 0, 0, 0, 0);

    public IReadOnlyList<Deadline> Deadlines { get; private set; } = [];

    public IReadOnlyList<FollowUpRow> MyFollowUps { get; private set; } = [];

    public IReadOnlyList<InteractionRow> RecentInteractions { get; private set; } = [];

    public IReadOnlyList<RegionMembers> MembersByRegion { get; private set; } = [];

    public DateOnly Today { get; private set; }

    public static int DeadlineWindowDays => DeadlineDays;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Today = FollowUp.Today(User);
        var staffId = long.Parse(User.FindFirst(StaffClaims.StaffId)!.Value, CultureInfo.InvariantCulture);
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var overview = await network.GetAsync(db, ct);
        Network = overview.Figures;
        MembersByRegion = overview.Regions;
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(
            DeadlinesSql + ";\n" + MyFollowUpsSql + ";\n" + RecentInteractionsSql, new { days = DeadlineDays, today = Today, staffId }, cancellationToken: ct));
        Deadlines = (await reader.ReadAsync<Deadline>()).ToList();
        MyFollowUps = (await reader.ReadAsync<FollowUpRow>()).ToList();
        RecentInteractions = (await reader.ReadAsync<InteractionRow>()).ToList();
    }
}
