using Child10.Advocacy.Web.Features.Briefings;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Demo;

// Two briefings on the guardianship campaign: one awaiting a second lead's approval, one approved and recurring.
public static partial class DemoSeed
{
    private const string GuardianshipTitle = "Guardianship for every unaccompanied child";
    private const string BriefingSegment = "Moldova — national decision-makers";
    private const string RecurringCron = "0 9 * * MON#1";
    private const string RecurringZone = "Europe/Brussels";

    private const string InsertBriefingSql = """
        insert into briefing (campaign_id, title, subject, body, author_id, state, schedule_kind, cron, time_zone, next_run_at,
                              approved_by, approved_at, approved_version)
        select @campaignId, @title, @subject, @body, @authorId, @state, @kind, @cron, @timeZone, @next,
               @approvedBy, case when @approvedBy is null then null else now() end, case when @approvedBy is null then null else 1 end
        where not exists (select 1 from briefing where title = @title)
        returning id
        """;

    private const string BriefingSegmentSql = """
        insert into briefing_segment (briefing_id, segment_id) select @briefingId, id from segment where name = @segment
        """;

    private const string AwaitingBody = """
        Dear {{ recipient.name }},

        Ahead of the parliamentary hearing on the draft law on guardianship, the member organisations of Child10 in
        {{ recipient.country }} ask {{ recipient.organisation }} to make sure that **every unaccompanied child is
        assigned a qualified guardian within 24 hours** of being identified.

        Grassroots organisations see children waiting weeks without anyone to speak for them, which leaves them
        exposed to traffickers. We would welcome the chance to share what our members see on the ground.

        With kind regards,

        {{ sender.name }}
        Child10 advocacy programme
        """;

    private const string RecurringBody = """
        Dear {{ recipient.first_name }},

        This is the monthly update of the Child10 network on the campaign “{{ campaign.title }}”.

        - Member organisations in Moldova, Romania and Albania continue to document the time unaccompanied
          children wait before a guardian is appointed.
        - The joint recommendations remain open for discussion with {{ recipient.organisation }}.

        Reply to this email to arrange a meeting with {{ sender.name }}.
        """;

    /// <summary>Seeds a briefing awaiting approval and a recurring one; returns how many rows it inserted (0 when already there).</summary>
    private static async Task<int> SeedBriefingsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Dictionary<string, long> staffIds,
        Dictionary<string, long> organisationIds,
        CancellationToken ct)
    {
        _ = organisationIds;
        var campaignId = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(CampaignIdSql, new { title = GuardianshipTitle }, transaction, cancellationToken: ct));
        if (campaignId is null)
        {
            return 0;
        }
        var next = BriefingSchedule.NextOccurrence(BriefingSchedule.ParseCron(RecurringCron, out _)!, BriefingSchedule.Zone(RecurringZone)!, DateTimeOffset.UtcNow);
        (string Title, string Subject, string Body, string State, string? Kind, string? Cron, string? Zone, DateTimeOffset? Next, long? ApprovedBy)[] briefings =
        [
            ("Guardianship hearing — national decision-makers", "Guardianship for unaccompanied children: our ask before the hearing",
                AwaitingBody, "draft", null, null, null, null, null),
            ("Monthly guardianship update", "{{ campaign.title }}: monthly update from the Child10 network",
                RecurringBody, "scheduled", BriefingSchedule.Cron, RecurringCron, RecurringZone, next, StaffId(staffIds, Lead2)),
        ];
        var inserted = 0;
        foreach (var b in briefings)
        {
            var id = await connection.ExecuteScalarAsync<long?>(new CommandDefinition(InsertBriefingSql, new
            {
                campaignId, title = b.Title, subject = b.Subject, body = b.Body.ReplaceLineEndings("\n"), authorId = StaffId(staffIds, Lead), state = b.State,
                kind = b.Kind, cron = b.Cron, timeZone = b.Zone, next = b.Next, approvedBy = b.ApprovedBy,
            }, transaction, cancellationToken: ct));
            if (id is long briefingId)
            {
                inserted += 1 + await connection.ExecuteAsync(new CommandDefinition(BriefingSegmentSql, new { briefingId, segment = BriefingSegment }, transaction, cancellationToken: ct));
            }
        }
        return inserted;
    }
}
