using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Briefings;

/// <summary>The outcome of an action on a briefing: done, or refused with a message saying why.</summary>
public sealed record ActionResult(bool Done, string Message);

/// <summary>Approve, schedule, pause, resume and cancel: each re-reads the briefing under a lock, writes and audits in one transaction.</summary>
public static class BriefingActions
{
    private const string LockSql = """
        select id, author_id, state, content_version, approved_version, schedule_kind, cron, time_zone
        from briefing where id = @id for update
        """;

    private sealed record Locked(long Id, long AuthorId, string State, int ContentVersion, int? ApprovedVersion, string? ScheduleKind, string? Cron, string? TimeZone);

    // Messages of the briefing's runs still waiting in the outbox.
    private const string PendingOfBriefing = """
        outbox_message o
        where o.status = 'pending'
          and o.id in (select m.outbox_message_id from briefing_message m join briefing_run r on r.id = m.run_id where r.briefing_id = @id)
        """;

    /// <summary>A second lead approves the version they read; the author cannot approve their own briefing.</summary>
    public static async Task<ActionResult> ApproveAsync(NpgsqlConnection db, long id, int version, Actor actor, CancellationToken ct)
    {
        await using var tx = await db.BeginTransactionAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<Locked>(new CommandDefinition(LockSql, new { id }, tx, cancellationToken: ct));
        if (row is null)
        {
            return new(false, "There is no such briefing.");
        }
        if (row.AuthorId == actor.StaffId)
        {
            return new(false, "You wrote this briefing, so another lead must approve it.");
        }
        if (row.ContentVersion != version)
        {
            return new(false, "The briefing was edited since you opened it: read it again before approving.");
        }
        if (row.ApprovedVersion == row.ContentVersion)
        {
            return new(false, "This version is already approved.");
        }
        await db.ExecuteAsync(new CommandDefinition(
            "update briefing set approved_by = @by, approved_at = now(), approved_version = content_version where id = @id",
            new { id, by = actor.StaffId }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, actor, "briefing.approve", "briefing", id, new { version }, ct);
        await tx.CommitAsync(ct);
        return new(true, row.State == "scheduled" ? "Approved: it goes out as scheduled." : "Approved. Schedule it to send it.");
    }

    /// <summary>Sets when the briefing goes out; errors are per field (key = input name).</summary>
    public static async Task<(ActionResult Result, Dictionary<string, string> Errors)> ScheduleAsync(
        NpgsqlConnection db, long id, string? kind, DateTime? sendAtLocal, string? cron, string? timeZone, Actor actor, DateTimeOffset now, CancellationToken ct)
    {
        var errors = new Dictionary<string, string>(StringComparer.Ordinal);
        DateTimeOffset? next = null;
        DateTimeOffset? sendAt = null;
        var zone = BriefingSchedule.Zone(timeZone);
        switch (kind)
        {
            case BriefingSchedule.Now:
                next = now;
                break;
            case BriefingSchedule.At:
                if (zone is null)
                {
                    errors["Schedule.TimeZone"] = "Choose a time zone.";
                }
                else if (sendAtLocal is not DateTime local)
                {
                    errors["Schedule.SendAt"] = "Enter the date and time to send it.";
                }
                else
                {
                    sendAt = BriefingSchedule.ToUtc(local, zone);
                    if (sendAt <= now)
                    {
                        errors["Schedule.SendAt"] = $"{local:d MMM yyyy, HH:mm} in {timeZone} has already passed: choose a time in the future.";
                    }
                    next = sendAt;
                }
                break;
            case BriefingSchedule.Cron:
                if (zone is null)
                {
                    errors["Schedule.TimeZone"] = "Choose a time zone.";
                }
                var expression = BriefingSchedule.ParseCron(cron, out var cronError);
                if (expression is null)
                {
                    errors["Schedule.Cron"] = cronError!;
                }
                else if (zone is not null)
                {
                    next = BriefingSchedule.NextOccurrence(expression, zone, now);
                    if (next is null)
                    {
                        errors["Schedule.Cron"] = $"'{cron!.Trim()}' never fires (e.g. there is no 30 February): nothing would be sent.";
                    }
                }
                break;
            default:
                errors["Schedule.Kind"] = "Choose when to send: now, at a date and time, or recurring.";
                break;
        }
        if (errors.Count > 0)
        {
            return (new(false, "Nothing was scheduled: " + string.Join(" ", errors.Values)), errors);
        }

        // Only its size matters here: the run resolves the audience again when it goes out, as it is then.
        var audience = await BriefingAudience.ResolveAsync(db, id, ct);
        if (audience.Recipients.Count == 0)
        {
            errors["Schedule.Kind"] = audience.ExcludedTotal > 0
                ? $"The audience is empty: all {audience.ExcludedTotal} people in it are excluded (do not contact, unsubscribed, bounced, erased or without an address)."
                : "The audience is empty: add a segment or people that match someone.";
            return (new(false, "Nothing was scheduled: " + errors["Schedule.Kind"]), errors);
        }

        await using var tx = await db.BeginTransactionAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<Locked>(new CommandDefinition(LockSql, new { id }, tx, cancellationToken: ct));
        if (row is null)
        {
            return (new(false, "There is no such briefing."), errors);
        }
        const string sql = """
            update briefing set state = 'scheduled', schedule_kind = @kind, send_at = @sendAt, cron = @cron, time_zone = @timeZone,
                                next_run_at = @next, updated_at = now()
            where id = @id
            """;
        await db.ExecuteAsync(new CommandDefinition(sql, new
        {
            id, kind, sendAt,
            cron = kind == BriefingSchedule.Cron ? cron!.Trim() : null,
            timeZone = kind == BriefingSchedule.Now ? null : timeZone,
            next,
        }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, actor, "briefing.schedule", "briefing", id, new { kind, next, cron, timeZone }, ct);
        await tx.CommitAsync(ct);
        var approved = row.ApprovedVersion == row.ContentVersion;
        var when = kind == BriefingSchedule.Now ? "now" : "on schedule";
        return (new(true, approved
            ? $"Scheduled: it goes out {when} to {audience.Recipients.Count} people."
            : $"Scheduled for {audience.Recipients.Count} people, but it goes out only once another lead approves it."), errors);
    }

    /// <summary>No new runs; messages of earlier runs still waiting in the outbox are held.</summary>
    public static Task<ActionResult> PauseAsync(NpgsqlConnection db, long id, Actor actor, CancellationToken ct) =>
        ChangeAsync(db, id, actor, "briefing.pause", ["scheduled"], "paused", $"update {PendingOfBriefing.Replace("outbox_message o", "outbox_message o set next_attempt_at = 'infinity'", StringComparison.Ordinal)}",
            "Paused: nothing more goes out until you resume it.", "Only a scheduled briefing can be paused.", ct);

    /// <summary>Held messages are released; a recurring briefing carries on from its next occurrence.</summary>
    public static async Task<ActionResult> ResumeAsync(NpgsqlConnection db, long id, Actor actor, CancellationToken ct)
    {
        var result = await ChangeAsync(db, id, actor, "briefing.resume", ["paused"], "scheduled",
            $"update {PendingOfBriefing.Replace("outbox_message o", "outbox_message o set next_attempt_at = now()", StringComparison.Ordinal)} and o.next_attempt_at = 'infinity'",
            "Resumed.", "Only a paused briefing can be resumed.", ct);
        if (result.Done)
        {
            const string sql = "select cron, time_zone from briefing where id = @id and schedule_kind = 'cron'";
            if (await db.QuerySingleOrDefaultAsync<(string Cron, string TimeZone)?>(new CommandDefinition(sql, new { id }, cancellationToken: ct)) is { } recurring
                && BriefingSchedule.ParseCron(recurring.Cron, out _) is { } cron && BriefingSchedule.Zone(recurring.TimeZone) is { } zone)
            {
                var next = BriefingSchedule.NextOccurrence(cron, zone, DateTimeOffset.UtcNow);
                await db.ExecuteAsync(new CommandDefinition("update briefing set next_run_at = @next where id = @id and next_run_at < now()", new { id, next }, cancellationToken: ct));
            }
        }
        return result;
    }

    /// <summary>No more runs; messages still waiting in the outbox are cancelled.</summary>
    public static Task<ActionResult> CancelAsync(NpgsqlConnection db, long id, Actor actor, CancellationToken ct) =>
        ChangeAsync(db, id, actor, "briefing.cancel", ["draft", "scheduled", "paused"], "cancelled",
            $"update {PendingOfBriefing.Replace("outbox_message o", "outbox_message o set status = 'cancelled', last_error = 'The briefing was cancelled.'", StringComparison.Ordinal)}",
            "Cancelled: nothing more goes out.", "This briefing is already finished or cancelled.", ct);

    private static async Task<ActionResult> ChangeAsync(
        NpgsqlConnection db, long id, Actor actor, string action, string[] from, string to, string outboxSql, string done, string refused, CancellationToken ct)
    {
        await using var tx = await db.BeginTransactionAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<Locked>(new CommandDefinition(LockSql, new { id }, tx, cancellationToken: ct));
        if (row is null)
        {
            return new(false, "There is no such briefing.");
        }
        if (!from.Contains(row.State))
        {
            return new(false, refused);
        }
        await db.ExecuteAsync(new CommandDefinition(
            "update briefing set state = @to, next_run_at = case when @to = 'cancelled' then null else next_run_at end, updated_at = now() where id = @id",
            new { id, to }, tx, cancellationToken: ct));
        var messages = await db.ExecuteAsync(new CommandDefinition(outboxSql, new { id }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, actor, action, "briefing", id, new { messages }, ct);
        if (to == "scheduled")
        {
            await db.ExecuteAsync(new CommandDefinition($"select pg_notify('{Email.Outbox.Channel}', '')", transaction: tx, cancellationToken: ct));
        }
        await tx.CommitAsync(ct);
        return new(true, done);
    }
}
