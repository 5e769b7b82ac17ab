using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Consultations;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Hosting;
using Dapper;
using Hangfire;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Digests;

/// <summary>Composition of the deadline digests: the job, and its daily schedule on instances that run jobs.</summary>
public static class DigestSetup
{
    public const string JobId = "send-deadline-digests";
    public const string CronKey = "Digests:Cron";
    public const string DefaultCron = "0 7 * * *";

    public static void AddDigests(this WebApplicationBuilder builder, HostingRole role)
    {
        var cron = builder.Configuration[CronKey] is { Length: > 0 } configured ? configured.Trim() : DefaultCron;
        if (cron.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length is not (5 or 6))
        {
            throw new ConfigurationException(CronKey, $"is '{cron}', which is not a cron expression such as \"{DefaultCron}\" (minute hour day month weekday, UTC)");
        }
        builder.Services.AddTransient<DeadlineDigestJob>();
        if (role.RunsJobs())
        {
            builder.Services.AddHostedService(services => new DigestSchedule(services.GetRequiredService<IRecurringJobManager>(), cron));
        }
    }

    private sealed class DigestSchedule(IRecurringJobManager recurringJobs, string cron) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            recurringJobs.AddOrUpdate<DeadlineDigestJob>(JobId, job => job.RunAsync(CancellationToken.None), cron, new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

public sealed record DigestReport(int Messages, int Items);

/// <summary>
/// Emails each lead the consultation deadlines and open campaign milestones due within 7 days, and again within
/// 2 days, once per item per step. An item goes to the consultation's responsible lead, else its campaign's lead,
/// else (nobody active in either role) to every lead; a milestone to its campaign's lead, else every lead.
/// Which items a lead was told about is kept in the audit event of each digest ("digest.send", data.items), so a run
/// re-reads it and a second run sends nothing new. Runs are serialised by an advisory lock.
/// </summary>
public sealed class DeadlineDigestJob(NpgsqlDataSource dataSource, Outbox outbox, EmailSettings settings)
{
    public const string Template = "deadline-digest";
    private const long LockKey = 0x6469_6765_7374; // "digest"

    private const string LockSql = "select pg_advisory_xact_lock(@key)";

    private const string DueSql = """
        with leads as (
            select id, email, display_name, time_zone
            from staff_user
            where is_active and role in ('lead', 'admin') and email is not null and position('@' in email) > 1
        ),
        items as (
            select 'consultation' as kind, c.id, c.title, o.name as context, c.closes_at as due_at, null::date as due_on,
                   c.institution_time_zone as item_time_zone,
                   case when c.closes_at <= now() + interval '2 days' then '2d' else '7d' end as step,
                   coalesce(r.id, cl.id) as owner_id, c.id as link_id
            from consultation c
            join organisation o on o.id = c.institution_id
            left join campaign k on k.id = c.campaign_id
            left join leads r on r.id = c.responsible_id
            left join leads cl on cl.id = k.lead_id
            where c.status in ('upcoming', 'open', 'in_preparation')
              and c.closes_at > now() and c.closes_at <= now() + interval '7 days'
            union all
            select 'milestone', m.id, m.title, k.title, null, m.due_on, null,
                   case when m.due_on <= (now() at time zone 'UTC')::date + 2 then '2d' else '7d' end,
                   cl.id, k.id
            from milestone m
            join campaign k on k.id = m.campaign_id
            left join leads cl on cl.id = k.lead_id
            where m.done_at is null and k.status in ('planning', 'active')
              and m.due_on >= (now() at time zone 'UTC')::date and m.due_on <= (now() at time zone 'UTC')::date + 7
        )
        select l.id as staff_id, l.email, l.display_name, l.time_zone, i.kind, i.id as item_id, i.title, i.context,
               i.due_at, i.due_on, i.item_time_zone, i.step, i.link_id
        from items i
        join leads l on l.id = i.owner_id or i.owner_id is null
        order by l.id, i.step, coalesce(i.due_at, i.due_on::timestamp at time zone 'UTC'), i.kind, i.id
        """;

    // Items older than the longest window cannot be due again unless their date moved, which deserves a new notice.
    private const string SentSql = """
        select jsonb_array_elements_text(data -> 'items')
        from audit_event
        where action = 'digest.send' and occurred_at > now() - interval '30 days'
        """;

    private sealed record DueRow(
        long StaffId, string Email, string DisplayName, string TimeZone, string Kind, long ItemId, string Title, string Context,
        DateTime? DueAt, DateOnly? DueOn, string? ItemTimeZone, string Step, long LinkId)
    {
        public string Key => $"digest:{Kind}:{ItemId}:{Step}:staff-{StaffId}";
    }

    public sealed record DigestItem(string Kind, string Title, string Context, string Due, string Url);

    public sealed record DigestModel(string Name, string SubjectLine, bool HasSoon, bool HasWeek, IReadOnlyList<DigestItem> Soon, IReadOnlyList<DigestItem> Week, string ListUrl);

    [AutomaticRetry(Attempts = 3)]
    public async Task<DigestReport> RunAsync(CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        await db.ExecuteAsync(new CommandDefinition(LockSql, new { key = LockKey }, tx, cancellationToken: ct));
        var due = (await db.QueryAsync<DueRow>(new CommandDefinition(DueSql, transaction: tx, cancellationToken: ct))).ToList();
        var sent = (await db.QueryAsync<string>(new CommandDefinition(SentSql, transaction: tx, cancellationToken: ct))).ToHashSet(StringComparer.Ordinal);

        var requests = new List<(MailRequest Request, long StaffId, List<string> Keys)>();
        foreach (var lead in due.Where(row => !sent.Contains(row.Key)).GroupBy(row => row.StaffId))
        {
            var rows = lead.DistinctBy(row => row.Key, StringComparer.Ordinal).ToList();
            var first = rows[0];
            var keys = rows.Select(row => row.Key).Order(StringComparer.Ordinal).ToList();
            var soon = rows.Where(row => row.Step == "2d").Select(row => Item(row)).ToList();
            var week = rows.Where(row => row.Step == "7d").Select(row => Item(row)).ToList();
            var subject = soon.Count > 0
                ? $"Deadlines: {Plural.Of(soon.Count, "item")} due within 2 days" + (week.Count > 0 ? $", {week.Count} within 7 days" : "")
                : $"Deadlines: {Plural.Of(week.Count, "item")} due within 7 days";
            var model = new DigestModel(first.DisplayName, subject, soon.Count > 0, week.Count > 0, soon, week, Link("/consultations"));
            // The key names the set of items, so a run racing this one queues the same message, not a second one.
            var digestKey = $"digest:staff-{first.StaffId}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', keys))))[..24]}";
            requests.Add((new MailRequest(digestKey, MailCategory.Transactional, "deadline-digest", Template, null, first.Email, first.DisplayName, null, model), first.StaffId, keys));
        }

        var messages = 0;
        var items = 0;
        if (requests.Count > 0)
        {
            var results = await outbox.EnqueueManyAsync(db, tx, requests.Select(r => r.Request).ToList(), ct);
            var actor = Actor.System("deadline-digest");
            for (var i = 0; i < requests.Count; i++)
            {
                if (results[i].Outcome == EnqueueOutcome.AlreadyQueued)
                {
                    continue;
                }
                await db.RecordAsync(tx, actor, "digest.send", "staff_user", requests[i].StaffId,
                    new { items = requests[i].Keys, outbox_message_id = results[i].MessageId, outcome = results[i].Outcome.ToString() }, ct);
                messages++;
                items += requests[i].Keys.Count;
            }
        }
        await tx.CommitAsync(ct);
        return new DigestReport(messages, items);
    }

    private DigestItem Item(DueRow row)
    {
        if (row.Kind == "consultation" && row.DueAt is { } dueAt)
        {
            var instant = new DateTimeOffset(DateTime.SpecifyKind(dueAt, DateTimeKind.Utc));
            var here = InZone(instant, row.TimeZone);
            var there = InZone(instant, row.ItemTimeZone ?? ConsultationVocabulary.DefaultTimeZone);
            var due = $"closes {here.ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture)} ({ConsultationVocabulary.ZoneName(row.TimeZone)})"
                + (row.ItemTimeZone is { } zone && zone != row.TimeZone ? $" — {there.ToString("HH:mm", CultureInfo.InvariantCulture)} {ConsultationVocabulary.ZoneName(zone)}" : "");
            return new DigestItem("Consultation", row.Title, row.Context, due, Link($"/consultations/{row.LinkId}"));
        }
        return new DigestItem("Milestone", row.Title, row.Context, "due " + row.DueOn?.ToString("ddd d MMM yyyy", CultureInfo.InvariantCulture), Link($"/campaigns/{row.LinkId}"));
    }

    private static DateTimeOffset InZone(DateTimeOffset instant, string zoneId) =>
        TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone) ? zone : TimeZoneInfo.Utc);

    private string Link(string path) => new Uri(settings.PublicBaseUrl, path).ToString();
}
