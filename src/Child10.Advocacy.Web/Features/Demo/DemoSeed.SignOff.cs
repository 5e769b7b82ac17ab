using Child10.Advocacy.Web.Features.SignOff;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Demo;

// An open sign-off round on the demo joint statement: the campaign's member organisations invited, one approval
// and one request for changes already in, the others pending. No mail is queued (the seed has no outbox); a lead
// sends the links from the round's page ("Send link again").
public static partial class DemoSeed
{
    public const string SignOffStatementTitle = "Joint statement: a guardian for every unaccompanied child from day one";

    private const string SignOffStatementSql = """
        select s.id, s.campaign_id, coalesce(s.lead_id, k.lead_id) as lead_id,
               (select v.id from statement_version v where v.statement_id = s.id order by v.number desc limit 1) as version_id,
               exists (select 1 from signoff_round r where r.statement_id = s.id) as has_round
        from statement s join campaign k on k.id = s.campaign_id
        where s.title = @title and s.core_id is null
        order by s.id
        limit 1
        """;

    // Each member organisation with its signatory (else member contact) and, when it has both, the contact as alternate.
    private const string SignOffInviteesSql = """
        select o.id as organisation_id, o.name,
               (select p.id from person p where p.organisation_id = o.id and p.email_normalised is not null and p.category in ('signatory', 'member_contact')
                order by p.category = 'signatory' desc, p.id limit 1) as signatory_id,
               (select p.id from person p where p.organisation_id = o.id and p.email_normalised is not null and p.category = 'member_contact'
                  and exists (select 1 from person s where s.organisation_id = o.id and s.category = 'signatory' and s.email_normalised is not null)
                order by p.id limit 1) as alternate_id
        from campaign_member m join organisation o on o.id = m.organisation_id
        where m.campaign_id = @campaignId and o.kind = 'member'
        order by o.name
        """;

    private sealed record SignOffStatementRow(long Id, long CampaignId, long? LeadId, long? VersionId, bool HasRound);

    private sealed record SignOffInviteeRow(long OrganisationId, string Name, long? SignatoryId, long? AlternateId);

    /// <summary>Seeds an open sign-off round on the demo statement; returns how many rows it inserted (0 when already there).</summary>
    private static async Task<int> SeedSignOffAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Dictionary<string, long> staffIds,
        Dictionary<string, long> organisationIds,
        CancellationToken ct)
    {
        _ = organisationIds;
        var statement = await connection.QuerySingleOrDefaultAsync<SignOffStatementRow>(
            new CommandDefinition(SignOffStatementSql, new { title = SignOffStatementTitle }, transaction, cancellationToken: ct));
        if (statement is null || statement.VersionId is not { } versionId || statement.HasRound)
        {
            return 0;
        }
        var invitees = (await connection.QueryAsync<SignOffInviteeRow>(
            new CommandDefinition(SignOffInviteesSql, new { campaignId = statement.CampaignId }, transaction, cancellationToken: ct)))
            .Where(i => i.SignatoryId is not null).ToList();
        if (invitees.Count == 0)
        {
            return 0;
        }

        var leadId = statement.LeadId ?? staffIds[Lead];
        var policy = ChasePolicy.Default;
        var brussels = TimeZoneInfo.FindSystemTimeZoneById("Europe/Brussels");
        var deadline = TimeZoneInfo.ConvertTimeToUtc(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, brussels).Date.AddDays(10).AddHours(17), brussels);
        var (roundId, opensAt) = await connection.QuerySingleAsync<(long, DateTime)>(new CommandDefinition("""
            insert into signoff_round (statement_id, version_id, rule, deadline, time_zone, first_reminder_days, repeat_every_days,
                                       final_reminder_hours, escalation_hours, message, lead_id, opened_by)
            values (@statementId, @versionId, 'all_must_approve', @deadline, 'Europe/Brussels', @first, @every, @final, @escalation, @message, @leadId, @leadId)
            returning id, opens_at
            """, new
        {
            statementId = statement.Id,
            versionId,
            deadline,
            first = policy.FirstReminderDays,
            every = policy.RepeatEveryDays,
            final = policy.FinalReminderHours,
            escalation = policy.EscalationHours,
            message = "Dear colleagues, this is the text agreed at the coordination call. Please approve it, or tell us what your organisation needs changed, before the deadline.",
            leadId,
        }, transaction, cancellationToken: ct));
        var inserted = 1;

        var nextChaseAt = ChaseSchedule.First(opensAt, deadline, policy);
        var requestIds = new List<long>();
        foreach (var invitee in invitees)
        {
            requestIds.Add(await connection.QuerySingleAsync<long>(new CommandDefinition("""
                insert into signoff_request (round_id, organisation_id, signatory_id, alternate_id, next_chase_at)
                values (@roundId, @OrganisationId, @SignatoryId, @AlternateId, @nextChaseAt)
                returning id
                """, new { roundId, invitee.OrganisationId, invitee.SignatoryId, invitee.AlternateId, nextChaseAt }, transaction, cancellationToken: ct)));
            inserted++;
        }

        // Two answers already in, each through its own link (the token itself is never stored, so nobody can use these).
        (string Decision, string? Comment)[] answers =
        [
            ("approve", null),
            ("request_changes", "Please add that the guardian must be independent of the authority deciding on the child's asylum claim."),
        ];
        for (var i = 0; i < answers.Length && i < invitees.Count; i++)
        {
            var tokenHash = SignOffLinks.Hash(SignOffLinks.NewToken());
            await connection.ExecuteAsync(new CommandDefinition("""
                insert into signoff_token (token_hash, request_id, person_id, version_id, expires_at)
                values (@tokenHash, @requestId, @personId, @versionId, @deadline);
                insert into signoff_answer (request_id, decision, comment, person_id, version_id, content_hash, token_hash, answered_at, ip, user_agent)
                select @requestId, @decision, @comment, @personId, v.id, v.content_hash, @tokenHash, now() - interval '1 day', '192.0.2.10',
                       'Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)'
                from statement_version v where v.id = @versionId;
                update signoff_request set decision = @decision, answered_at = now() - interval '1 day', next_chase_at = null where id = @requestId;
                """, new
            {
                tokenHash,
                requestId = requestIds[i],
                personId = invitees[i].SignatoryId,
                versionId,
                deadline,
                decision = answers[i].Decision,
                comment = answers[i].Comment,
            }, transaction, cancellationToken: ct));
            inserted += 2;
        }
        await connection.ExecuteAsync(new CommandDefinition(
            "update statement set status = 'in_signoff', updated_at = now() where id = @id", new { id = statement.Id }, transaction, cancellationToken: ct));
        return inserted;
    }
}
