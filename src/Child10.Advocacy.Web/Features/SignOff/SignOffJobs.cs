using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using Hangfire;
using Npgsql;

namespace Child10.Advocacy.Web.Features.SignOff;

public sealed record ChaseReport(int Requests, int Reminders, int Escalations);

/// <summary>
/// The chase sweep: claims silent requests whose next_chase_at has come (skip locked, in batches, so two workers
/// share the work and its cost follows the due requests, not all open ones), sends each due step once (the
/// signoff_chase row is the claim, the outbox key the second guard) and moves next_chase_at to the next step.
/// </summary>
public sealed class ChaseSweep(NpgsqlDataSource dataSource, SignOffRounds rounds, Outbox outbox, EmailSettings settings)
{
    public const int BatchSize = 200;

    private const string ClaimSql = """
        select q.id as request_id, q.round_id, r.opens_at, r.deadline, r.time_zone, r.first_reminder_days, r.repeat_every_days,
               r.final_reminder_hours, r.escalation_hours, q.decision, r.status as round_status
        from signoff_request q
        join signoff_round r on r.id = q.round_id
        where q.next_chase_at <= @now
        order by q.next_chase_at
        limit @batch
        for update of q skip locked
        """;

    private const string ClaimStepsSql = """
        insert into signoff_chase (request_id, step)
        select * from unnest(@requestIds, @steps)
        on conflict (request_id, step) do nothing
        returning request_id, step
        """;

    private const string NextSql = """
        update signoff_request q set next_chase_at = u.next_at
        from unnest(@requestIds, @nextAts) as u(id, next_at)
        where q.id = u.id
        """;

    private const string EscalationSql = """
        select q.id as request_id, q.round_id, o.name as organisation, p.full_name as signatory, p.email as signatory_email,
               s.title as statement_title, r.deadline, r.time_zone, l.display_name as lead_name, l.email as lead_email
        from signoff_request q
        join signoff_round r on r.id = q.round_id
        join statement s on s.id = r.statement_id
        join organisation o on o.id = q.organisation_id
        join person p on p.id = q.signatory_id
        join staff_user l on l.id = r.lead_id
        where q.id = any(@requestIds)
        """;

    private sealed record Claimed(
        long RequestId, long RoundId, DateTime OpensAt, DateTime Deadline, string TimeZone, int? FirstReminderDays, int? RepeatEveryDays,
        int? FinalReminderHours, int? EscalationHours, string? Decision, string RoundStatus);

    private sealed record EscalationRow(
        long RequestId, long RoundId, string Organisation, string Signatory, string? SignatoryEmail, string StatementTitle, DateTime Deadline,
        string TimeZone, string LeadName, string? LeadEmail);

    public sealed record EscalationModel(string Name, string Organisation, string Signatory, string SignatoryEmail, string StatementTitle, string Deadline, string Url);

    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public Task<ChaseReport> RunJobAsync(CancellationToken ct) => RunAsync(DateTime.UtcNow, ct);

    /// <summary>Sweeps until no due request is left; <paramref name="now"/> decides which steps are due.</summary>
    public async Task<ChaseReport> RunAsync(DateTime now, CancellationToken ct, int batchSize = BatchSize)
    {
        var total = new ChaseReport(0, 0, 0);
        while (true)
        {
            var (batch, report) = await RunBatchAsync(now, batchSize, ct);
            total = new ChaseReport(total.Requests + report.Requests, total.Reminders + report.Reminders, total.Escalations + report.Escalations);
            if (batch < batchSize)
            {
                return total;
            }
        }
    }

    private async Task<(int Claimed, ChaseReport Report)> RunBatchAsync(DateTime now, int batchSize, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var claimed = (await db.QueryAsync<Claimed>(new CommandDefinition(ClaimSql, new { batch = batchSize, now }, tx, cancellationToken: ct))).ToList();
        if (claimed.Count == 0)
        {
            return (0, new ChaseReport(0, 0, 0));
        }

        var due = new List<(long RequestId, long RoundId, string Step)>();
        var next = new List<(long RequestId, DateTime? At)>();
        foreach (var c in claimed)
        {
            if (c.Decision is not null || c.RoundStatus != "open" || c.Deadline <= now)
            {
                next.Add((c.RequestId, null));
                continue;
            }
            var steps = ChaseSchedule.Steps(c.OpensAt, c.Deadline, new ChasePolicy(c.FirstReminderDays, c.RepeatEveryDays, c.FinalReminderHours, c.EscalationHours));
            var (dueSteps, nextAt) = ChaseSchedule.Due(steps, now);
            due.AddRange(dueSteps.Select(s => (c.RequestId, c.RoundId, s.Step)));
            next.Add((c.RequestId, nextAt));
        }

        var inserted = due.Count == 0 ? [] : (await db.QueryAsync<(long RequestId, string Step)>(new CommandDefinition(ClaimStepsSql,
            new { requestIds = due.Select(d => d.RequestId).ToArray(), steps = due.Select(d => d.Step).ToArray() }, tx, cancellationToken: ct))).ToList();
        var reminders = 0;
        var escalations = new List<long>();
        foreach (var group in inserted.GroupBy(i => i.Step))
        {
            if (group.Key == ChaseSchedule.Escalation)
            {
                escalations.AddRange(group.Select(g => g.RequestId));
                continue;
            }
            foreach (var round in group.GroupBy(g => due.First(d => d.RequestId == g.RequestId).RoundId))
            {
                var sent = await rounds.SendLinksAsync(db, tx, round.Key, round.Select(r => r.RequestId).ToArray(), [], group.Key, null, ct);
                await SignOffRounds.RecordChaseAsync(db, tx, sent, group.Key, ct);
                reminders += sent.Select(s => s.RequestId).Distinct().Count();
            }
        }
        if (escalations.Count > 0)
        {
            await EscalateAsync(db, tx, escalations, ct);
        }
        await db.ExecuteAsync(new CommandDefinition(NextSql, new
        {
            requestIds = next.Select(n => n.RequestId).ToArray(),
            nextAts = next.Select(n => n.At).ToArray(),
        }, tx, cancellationToken: ct));
        if (inserted.Count > 0)
        {
            await db.RecordAsync(tx, Actor.System("signoff-chase"), "signoff.chase", "signoff_request", null,
                new { steps = inserted.Select(i => $"{i.RequestId}:{i.Step}").ToArray() }, ct);
        }
        await tx.CommitAsync(ct);
        return (claimed.Count, new ChaseReport(claimed.Count, reminders, escalations.Count));
    }

    private async Task EscalateAsync(NpgsqlConnection db, NpgsqlTransaction tx, List<long> requestIds, CancellationToken ct)
    {
        var rows = (await db.QueryAsync<EscalationRow>(new CommandDefinition(EscalationSql, new { requestIds = requestIds.ToArray() }, tx, cancellationToken: ct))).ToList();
        var mails = rows.Where(r => r.LeadEmail is { Length: > 0 } e && e.Contains('@', StringComparison.Ordinal)).Select(r => new MailRequest(
            $"signoff:{r.RoundId}:{r.RequestId}:escalation", MailCategory.Transactional, "signoff-escalation", SignOffRounds.EscalationTemplate, null,
            r.LeadEmail!, r.LeadName, null,
            new EscalationModel(r.LeadName, r.Organisation, r.Signatory, r.SignatoryEmail ?? "", r.StatementTitle, SignOffVocabulary.Deadline(r.Deadline, r.TimeZone),
                new Uri(settings.PublicBaseUrl, $"/signoff/rounds/{r.RoundId}").ToString()))).ToList();
        if (mails.Count == 0)
        {
            return;
        }
        var results = await outbox.EnqueueManyAsync(db, tx, mails, ct);
        await db.ExecuteAsync(new CommandDefinition("""
            update signoff_chase c set outbox_message_id = u.message_id
            from unnest(@requestIds, @messageIds) as u(request_id, message_id)
            where c.request_id = u.request_id and c.step = 'escalation'
            """, new { requestIds = rows.Where(r => r.LeadEmail is { Length: > 0 } e && e.Contains('@', StringComparison.Ordinal)).Select(r => r.RequestId).ToArray(), messageIds = results.Select(r => r.MessageId).ToArray() }, tx, cancellationToken: ct));
    }
}

/// <summary>Closes every open round whose deadline has passed, each exactly once (see SignOffRounds.CloseAsync).</summary>
public sealed class CloseSweep(NpgsqlDataSource dataSource, SignOffRounds rounds)
{
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    public async Task<int> RunAsync(CancellationToken ct)
    {
        var closed = 0;
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var ids = (await db.QueryAsync<long>(new CommandDefinition(
            "select id from signoff_round where status = 'open' and deadline <= now() order by deadline", cancellationToken: ct))).ToList();
        foreach (var id in ids)
        {
            await using var tx = await db.BeginTransactionAsync(ct);
            if (await rounds.CloseAsync(db, tx, id, force: false, Actor.System("signoff-close"), ct))
            {
                closed++;
            }
            await tx.CommitAsync(ct);
        }
        return closed;
    }
}
