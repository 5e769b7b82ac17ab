using System.Text.Json;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Statements;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using Hangfire;
using Npgsql;
using NpgsqlTypes;

namespace Child10.Advocacy.Web.Features.Briefings;

/// <summary>What queueing one run did.</summary>
public sealed record RunReport(long RunId, int Queued, int Suppressed, int AlreadyQueued, int Excluded);

/// <summary>
/// Queues briefing runs. A run is one row per (briefing, due time), created in the same transaction that queues its
/// messages with the key briefing:{run}:{person}, so a scheduler firing twice (or two workers) sends nobody the
/// same run twice. Only a briefing approved in its current version goes out.
/// </summary>
public sealed class BriefingDispatch(NpgsqlDataSource dataSource, Outbox outbox, EmailTemplates templates, StatementDocuments documents)
{
    public const string Purpose = "briefing";

    private const string DueSql = """
        select id from briefing
        where state = 'scheduled' and next_run_at <= now() and approved_version = content_version
        order by next_run_at, id
        limit 50
        """;

    private const string LockSql = """
        select id, campaign_id, subject, body, statement_id, attach_pdf, state, schedule_kind, cron, time_zone, next_run_at,
               content_version, approved_version
        from briefing where id = @id
        for update skip locked
        """;

    private const string RunSql = """
        with created as (
            insert into briefing_run (briefing_id, scheduled_for, content_version, subject)
            values (@id, @scheduledFor, @version, @subject)
            on conflict (briefing_id, scheduled_for) do nothing
            returning id
        )
        select id from created
        union all
        select id from briefing_run where briefing_id = @id and scheduled_for = @scheduledFor
        limit 1
        """;

    private const string LinkSql = """
        insert into briefing_message (run_id, person_id, outbox_message_id)
        select @runId, * from unnest(@personIds, @messageIds)
        on conflict do nothing
        """;

    private const string RunCountsSql = """
        update briefing_run set recipients = (select count(*) from briefing_message where run_id = @runId), excluded = cast(@excluded as jsonb), note = @note
        where id = @runId
        """;

    private const string AdvanceSql = """
        update briefing set next_run_at = @next, state = @state, updated_at = now() where id = @id
        """;

    private sealed record BriefingRow(
        long Id, long CampaignId, string Subject, string Body, long? StatementId, bool AttachPdf, string State, string? ScheduleKind,
        string? Cron, string? TimeZone, DateTime? NextRunAt, int ContentVersion, int? ApprovedVersion);

    /// <summary>The recurring job: queues every due, approved briefing.</summary>
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(60)]
    public async Task<int> RunDueAsync(CancellationToken ct)
    {
        List<long> due;
        await using (var db = await dataSource.OpenConnectionAsync(ct))
        {
            due = (await db.QueryAsync<long>(new CommandDefinition(DueSql, cancellationToken: ct))).ToList();
        }
        var runs = 0;
        foreach (var id in due)
        {
            if (await RunIfDueAsync(id, ct) is not null)
            {
                runs++;
            }
        }
        return runs;
    }

    /// <summary>Queues the briefing's due run if it is still due and approved (re-read under a row lock), and moves its schedule on.</summary>
    public async Task<RunReport?> RunIfDueAsync(long briefingId, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<BriefingRow>(new CommandDefinition(LockSql, new { id = briefingId }, tx, cancellationToken: ct));
        if (row is null || row.State != "scheduled" || row.NextRunAt is not DateTime nextRun || nextRun > DateTime.UtcNow
            || row.ApprovedVersion != row.ContentVersion)
        {
            return null;
        }
        var scheduledFor = new DateTimeOffset(DateTime.SpecifyKind(nextRun, DateTimeKind.Utc));
        var report = await QueueRunAsync(db, tx, row, scheduledFor, ct);

        DateTimeOffset? next = null;
        if (row.ScheduleKind == BriefingSchedule.Cron
            && BriefingSchedule.ParseCron(row.Cron, out _) is { } cron && BriefingSchedule.Zone(row.TimeZone) is { } zone)
        {
            var after = scheduledFor > DateTimeOffset.UtcNow ? scheduledFor : DateTimeOffset.UtcNow;
            next = BriefingSchedule.NextOccurrence(cron, zone, after);
        }
        await db.ExecuteAsync(new CommandDefinition(AdvanceSql, new { id = row.Id, next, state = next is null ? "finished" : "scheduled" }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, Actor.System("briefing-dispatch"), "briefing.run", "briefing", row.Id,
            new { run = report.RunId, scheduled_for = scheduledFor, report.Queued, report.Suppressed, report.Excluded }, ct);
        await tx.CommitAsync(ct);
        return report;
    }

    /// <summary>
    /// Creates (or finds) the run of the briefing due at scheduledFor and queues its messages, in the caller's
    /// transaction. Calling it again for the same run queues nothing new.
    /// </summary>
    public async Task<RunReport> QueueRunAsync(NpgsqlConnection db, NpgsqlTransaction tx, long briefingId, DateTimeOffset scheduledFor, CancellationToken ct)
    {
        const string sql = """
            select id, campaign_id, subject, body, statement_id, attach_pdf, state, schedule_kind, cron, time_zone, next_run_at,
                   content_version, approved_version
            from briefing where id = @id
            """;
        var row = await db.QuerySingleAsync<BriefingRow>(new CommandDefinition(sql, new { id = briefingId }, tx, cancellationToken: ct));
        return await QueueRunAsync(db, tx, row, scheduledFor, ct);
    }

    private async Task<RunReport> QueueRunAsync(NpgsqlConnection db, NpgsqlTransaction tx, BriefingRow row, DateTimeOffset scheduledFor, CancellationToken ct)
    {
        var prepared = await PreparedBriefing.LoadAsync(db, templates, new BriefingDraft(row.Id, row.CampaignId, row.Subject, row.Body, row.StatementId, row.AttachPdf), ct);
        var runId = await db.ExecuteScalarAsync<long>(new CommandDefinition(RunSql,
            new { id = row.Id, scheduledFor, version = row.ContentVersion, subject = row.Subject }, tx, cancellationToken: ct));
        var audience = await BriefingAudience.ResolveAsync(db, row.Id, ct);

        string? note = null;
        var attachments = new Dictionary<long, long>();
        if (row.AttachPdf)
        {
            foreach (var statement in prepared.Statements)
            {
                if (await documents.LoadFinalAsync(db, statement.StatementId, ct) is { } document && documents.RenderPdf(document) is { Length: > 0 } pdf)
                {
                    attachments[statement.StatementId] = await MailAttachments.StoreAsync(db, tx, PreparedBriefing.PdfFileName(document.Title), "application/pdf", pdf, ct);
                }
            }
            if (attachments.Count == 0)
            {
                note = "The linked statement has no final version, so no PDF was attached.";
            }
        }

        var replyTo = prepared.ReplyTo;
        var requests = audience.Recipients.Select(recipient =>
        {
            var statement = prepared.StatementFor(recipient);
            long[] attach = statement is not null && attachments.TryGetValue(statement.StatementId, out var own) ? [own]
                : statement?.CoreId is long coreId && attachments.TryGetValue(coreId, out var coreFile) ? [coreFile]
                : [];
            return new MailRequest($"briefing:{runId}:{recipient.PersonId}", MailCategory.Bulk, Purpose, BriefingPlaceholders.FileTemplate,
                recipient.Language, recipient.Email, recipient.Name, recipient.PersonId, new { })
            {
                ReplyTo = replyTo,
                AttachmentIds = attach,
                Render = (unsubscribeUrl, token) => prepared.Render(recipient, unsubscribeUrl, token),
            };
        }).ToList();

        // Each chunk of messages is linked to the run as soon as it is written, while the next chunk renders.
        var results = await outbox.EnqueueManyAsync(db, tx, requests, async (written, token) =>
        {
            await using var link = new NpgsqlCommand(LinkSql, db, tx);
            link.Parameters.Add(new NpgsqlParameter<long>("runId", runId));
            link.Parameters.Add(new NpgsqlParameter("personIds", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = written.Select(m => m.Request.PersonId!.Value).ToArray() });
            link.Parameters.Add(new NpgsqlParameter("messageIds", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = written.Select(m => m.MessageId).ToArray() });
            await link.ExecuteNonQueryAsync(token);
        }, ct);
        await db.ExecuteAsync(new CommandDefinition(RunCountsSql, new { runId, excluded = JsonSerializer.Serialize(audience.Excluded), note }, tx, cancellationToken: ct));
        return new RunReport(
            runId,
            results.Count(r => r.Outcome == EnqueueOutcome.Queued),
            results.Count(r => r.Outcome == EnqueueOutcome.Suppressed),
            results.Count(r => r.Outcome == EnqueueOutcome.AlreadyQueued),
            audience.ExcludedTotal);
    }
}
