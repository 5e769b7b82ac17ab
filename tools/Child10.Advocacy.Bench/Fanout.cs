using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Briefings;
using Dapper;
using MailKit.Security;
using MimeKit;
using Npgsql;

namespace Child10.Advocacy.Bench;

/// <summary>
/// The briefing fan-out through the real pipeline: personalised messages are queued, the app's worker delivers them
/// (outbox → MailKit pool → SMTP sink) and marks them sent. Timed from the start of queueing to the last one marked sent.
/// </summary>
internal static class Fanout
{
    public const string Template = "test";

    public static async Task RunAsync(Options options, CancellationToken ct)
    {
        var count = options.Int("count", 10_000);
        var tag = options.Optional("tag") ?? DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var timeout = TimeSpan.FromSeconds(options.Int("timeout-seconds", 600));
        // The app's composition as the script configured it (same database, templates, settings), never started.
        Child10.Advocacy.Web.Infrastructure.Database.DapperConventions.Apply();
        await using var app = Child10.Advocacy.Web.Program.Build([]);
        var dispatch = app.Services.GetRequiredService<BriefingDispatch>();
        await using var dataSource = NpgsqlDataSource.Create(options.Required("conn"));
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var warmup = options.Int("warmup", 0);
        if (warmup > 0)
        {
            // In production the dispatch runs in the app's long-lived process. One small run first, in this process,
            // so that the measured run is not queued by code still being compiled; its messages also warm the worker.
            var first = await BenchBriefing.CreateAsync(db, warmup, tag + "-warmup", ct);
            await BenchBriefing.SendNowAsync(db, dispatch, first, warmup, ct);
            await WaitUntilDeliveredAsync(db, Stopwatch.StartNew(), timeout, ct);
        }
        var setup = await BenchBriefing.CreateAsync(db, count, tag, ct);

        var started = await db.ExecuteScalarAsync<DateTime>("select clock_timestamp()");
        var cpuAtStart = ProcessCpu.Now(options);
        var watch = Stopwatch.StartNew();
        var runId = await BenchBriefing.SendNowAsync(db, dispatch, setup, count, ct);
        var queuedSeconds = watch.Elapsed.TotalSeconds;
        var cpuQueued = ProcessCpu.Now(options);

        await WaitUntilDeliveredAsync(db, watch, timeout, ct);
        var cpuAtEnd = ProcessCpu.Now(options);
        var (sent, failed, last) = await db.QuerySingleAsync<(long, long, DateTime?)>("""
            select count(*) filter (where o.status = 'sent'), count(*) filter (where o.status in ('failed', 'suppressed', 'cancelled')), max(o.sent_at)
            from briefing_message m join outbox_message o on o.id = m.outbox_message_id where m.run_id = @runId
            """, new { runId });
        if (sent != count)
        {
            throw new BenchException($"fan-out: {sent} of {count} messages marked sent ({failed} failed or suppressed) after {watch.Elapsed.TotalSeconds:0} s");
        }
        var seconds = (last!.Value - started).TotalSeconds;
        var interactions = await db.ExecuteScalarAsync<long>("select count(interaction_id) from briefing_message where run_id = @runId", new { runId });
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            messages = count,
            warmup_messages = warmup,
            queue_s = Math.Round(queuedSeconds, 3),
            total_s = Math.Round(seconds, 3),
            msgs_per_s = Math.Round(count / seconds, 1),
            interactions,
            briefing_run = runId,
            // CPU seconds each process used from queueing to the last message marked sent; the dispatch (this
            // process) while it queued; and, within that, what the others used while the run was being queued.
            cpu_s = ProcessCpu.Between(cpuAtStart, cpuAtEnd, "dispatch"),
            cpu_while_queueing_s = ProcessCpu.Between(cpuAtStart, cpuQueued, "dispatch"),
        }));
    }

    /// <summary>
    /// Waits until no message is pending or being sent. Cheap for the database being measured: the partial indexes
    /// of pending and sending messages answer, and the first entry found is enough (counting the 10,000 messages
    /// four times a second took the database about half a second of CPU during the fan-out). The figures are read
    /// afterwards from the messages' own sent_at, so how often this looks does not change them.
    /// </summary>
    private static async Task WaitUntilDeliveredAsync(NpgsqlConnection db, Stopwatch watch, TimeSpan timeout, CancellationToken ct)
    {
        while (watch.Elapsed < timeout && await db.ExecuteScalarAsync<bool>(
            "select exists (select from outbox_message where status = 'pending') or exists (select from outbox_message where status = 'sending')"))
        {
            await Task.Delay(250, ct);
        }
    }

    /// <summary>
    /// The chaos load: one personalised Bulk message per person, queued with the app's Outbox.EnqueueManyAsync
    /// (renders the Scriban templates, one transaction, NOTIFY wakes the worker) under a purpose of its own, which
    /// the chaos checks count by. Returns that purpose.
    /// </summary>
    public static async Task<string> QueueTestMessagesAsync(NpgsqlDataSource dataSource, (EmailTemplates Templates, EmailSettings Settings) mail, int count, string tag, CancellationToken ct)
    {
        var purpose = "bench-fanout-" + tag;
        var outbox = new Outbox(mail.Templates, mail.Settings);
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var people = (await db.QueryAsync<(long Id, string Name, string Email, string Language)>(new CommandDefinition("""
            select id, full_name, email, preferred_language from person
            where email is not null and not do_not_contact and erased_at is null
            order by id limit @count
            """, new { count }, cancellationToken: ct))).ToList();
        if (people.Count < count)
        {
            throw new BenchException($"only {people.Count} people with an address; {count} needed");
        }
        var requests = people.Select(p => new MailRequest(
            $"{purpose}:{p.Id}", MailCategory.Bulk, purpose, Template, p.Language, p.Email, p.Name, p.Id,
            new { Name = p.Name, SentBy = "Child10 advocacy team", MailLogUrl = "https://advocacy.child10.example/mail" })).ToList();
        await using var tx = await db.BeginTransactionAsync(ct);
        await outbox.EnqueueManyAsync(db, tx, requests, ct);
        await tx.CommitAsync(ct);
        return purpose;
    }

    public static (EmailTemplates Templates, EmailSettings Settings) Templates(Options options)
    {
        var path = options.Required("templates");
        var settings = new EmailSettings(
            TemplatesPath: path,
            From: new MailboxAddress("Child10 Advocacy", "advocacy@child10.example"),
            PublicBaseUrl: new Uri(options.Optional("public-base-url") ?? "https://advocacy.child10.example"),
            SmtpHost: null, SmtpPort: 25, SmtpSecurity: SecureSocketOptions.None, SmtpUsername: null, SmtpPassword: null,
            PoolSize: 4, MessagesPerSecond: 0, BatchSize: 200, Lease: TimeSpan.FromMinutes(5), RetryBase: TimeSpan.FromSeconds(30), MaxAttempts: 12);
        return (EmailTemplates.Load(path), settings);
    }
}
