using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Bench;

/// <summary>
/// Fault injection against the real app processes (started here from the published app with the environment the
/// script exported), the script's private PostgreSQL, and a capturing SMTP server: worker kills, an SMTP outage,
/// a PostgreSQL restart, and two workers at once. Writes chaos.json and prints one summary line.
/// </summary>
internal static class Chaos
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static async Task<int> RunAsync(Options options, CancellationToken ct)
    {
        await using var run = new ChaosRun(options);
        await using var smtp = new CaptureSmtp(options.Int("smtp-port", 2626));
        smtp.Start();
        var lease = options.Int("lease", 15);
        var outcome = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["date"] = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["scale"] = options.Double("scale", 1),
            ["cores"] = Environment.ProcessorCount,
        };

        var kills = await run.KillsAsync(smtp, ct);
        outcome["lost"] = kills.Lost;
        outcome["duplicates"] = kills.Duplicates;
        outcome["inflight_bound"] = kills.InflightBound;
        outcome["max_recovery_s"] = kills.MaxRecovery;
        outcome["kills"] = kills.Kills;
        outcome["messages"] = kills.Messages;

        var outage = await run.SmtpOutageAsync(smtp, ct);
        outcome["outage_lost"] = outage.Lost;
        outcome["outage_duplicates"] = outage.Duplicates;
        outcome["outage_s"] = options.Int("outage-seconds", 60);

        var restart = await run.DatabaseRestartAsync(smtp, ct);
        outcome["db_restart_lost"] = restart.Lost;
        outcome["db_restart_duplicates"] = restart.Duplicates;
        outcome["db_restart_page_errors"] = restart.PageErrors;
        outcome["db_restart_pages_recovered_s"] = restart.PagesRecovered;

        var two = await run.TwoWorkersAsync(smtp, ct);
        outcome["two_workers_lost"] = two.Lost;
        outcome["two_workers_duplicates"] = two.Duplicates;
        var reminders = await run.TwoWorkersRemindersAsync(ct);
        outcome["two_workers_reminder_duplicates"] = reminders.Duplicates;
        outcome["two_workers_reminders_missed"] = reminders.Missed;
        outcome["two_workers_reminders_due"] = reminders.Due;

        var passed = kills.Lost == 0 && kills.Duplicates <= kills.InflightBound && kills.MaxRecovery <= lease + 60
            && outage.Lost == 0 && outage.Duplicates == 0
            && restart.Lost == 0 && restart.PagesRecovered is not null
            && two.Lost == 0 && two.Duplicates == 0
            && reminders.Duplicates == 0 && reminders.Missed == 0;
        outcome["passed"] = passed;
        await File.WriteAllTextAsync(options.Required("out"), JsonSerializer.Serialize(outcome, Indented) + "\n", ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"chaos: {(passed ? "PASSED" : "FAILED")} — {kills.Kills} worker kills over {kills.Messages} messages: lost {kills.Lost}, duplicates {kills.Duplicates} (in flight at kills {kills.InflightBound}), max lease recovery {kills.MaxRecovery:0.0} s; " +
            $"SMTP down {outcome["outage_s"]} s: lost {outage.Lost}, duplicates {outage.Duplicates}; PostgreSQL restart: lost {restart.Lost}, pages back after {restart.PagesRecovered?.ToString("0.0", CultureInfo.InvariantCulture) ?? "never"} s; " +
            $"two workers: lost {two.Lost}, duplicates {two.Duplicates}; two sweeps over {reminders.Due} due sign-off requests: reminders sent twice {reminders.Duplicates}, missed {reminders.Missed}"));
        return passed ? 0 : 1;
    }
}

internal sealed record KillResult(int Messages, int Kills, long Lost, long Duplicates, long InflightBound, double MaxRecovery);

internal sealed record CountResult(long Lost, long Duplicates);

internal sealed record ReminderResult(long Due, long Duplicates, long Missed);

internal sealed record RestartResult(long Lost, long Duplicates, int PageErrors, double? PagesRecovered);

internal sealed class ChaosRun(Options options) : IAsyncDisposable
{
    private readonly List<Process> started = [];
    private readonly string conn = options.Required("conn");
    private readonly string appDll = options.Required("app-dll");
    private readonly string logDir = options.Required("log-dir");
    private readonly int count = options.Int("count", 10_000);
    private readonly int kills = options.Int("kills", 10);
    private readonly int lease = options.Int("lease", 15);
    private readonly int outageSeconds = options.Int("outage-seconds", 60);
    private readonly int rate = options.Int("rate", 0);
    private readonly Random random = new();
    private int workers;

    // Slow enough that the kills land during the send: the worker restarts in a few seconds, each run lasts a few more.
    private int Rate => rate > 0 ? rate : Math.Max(20, count / (kills * 6));

    public async Task<KillResult> KillsAsync(CaptureSmtp smtp, CancellationToken ct)
    {
        await using var dataSource = NpgsqlDataSource.Create(conn);
        var purpose = await Fanout.QueueTestMessagesAsync(dataSource, Fanout.Templates(options), count, "chaos-kill", ct);
        Log($"kills: {count} messages queued; worker sends {Rate}/s, lease {lease} s");
        long inflight = 0;
        var counted = new HashSet<(long, DateTime)>();
        var recoveries = new List<Task<double>>();
        var done = 0;
        for (var k = 0; k < kills; k++)
        {
            var worker = await StartWorkerAsync(ct);
            await Task.Delay(TimeSpan.FromSeconds(1 + (random.NextDouble() * 4)), ct);
            if (await OpenAsync(dataSource, purpose, ct) == 0)
            {
                Log("kills: everything was sent before the planned kills were done");
                await StopAsync(worker);
                break;
            }
            worker.Kill();
            var killedAt = Stopwatch.StartNew();
            await worker.WaitForExitAsync(ct);
            // In flight at this kill: what the killed worker had claimed. A message still leased by an earlier dead
            // worker (same lease) was counted at that kill already.
            var stuck = (await QueryAsync<(long Id, DateTime Lease)>(dataSource,
                "select id, lease_until from outbox_message where purpose = @purpose and status = 'sending'", new { purpose }, ct))
                .Where(counted.Add).ToArray();
            inflight += stuck.Length;
            done++;
            Log($"kills: kill -9 #{done}, {stuck.Length} message(s) in flight");
            recoveries.Add(RecoveryAsync(dataSource, stuck, killedAt, ct));
        }
        var last = await StartWorkerAsync(ct);
        await SettleAsync(dataSource, purpose, TimeSpan.FromSeconds(lease + 180), ct);
        await Task.WhenAll(recoveries);
        await StopAsync(last);
        var (lost, duplicates) = await CountAsync(dataSource, smtp, purpose, ct);
        var maxRecovery = recoveries.Count == 0 ? 0 : recoveries.Max(r => r.Result);
        return new KillResult(count, done, lost, duplicates, inflight, Math.Round(maxRecovery, 1));
    }

    public async Task<CountResult> SmtpOutageAsync(CaptureSmtp smtp, CancellationToken ct)
    {
        await using var dataSource = NpgsqlDataSource.Create(conn);
        var worker = await StartWorkerAsync(ct);
        var purpose = await Fanout.QueueTestMessagesAsync(dataSource, Fanout.Templates(options), count, "chaos-outage", ct);
        await WaitSentAsync(dataSource, purpose, count / 5, ct);
        await smtp.StopAsync();
        Log($"outage: SMTP server down for {outageSeconds} s");
        await Task.Delay(TimeSpan.FromSeconds(outageSeconds), ct);
        smtp.Start();
        Log("outage: SMTP server back");
        await SettleAsync(dataSource, purpose, TimeSpan.FromSeconds(300), ct);
        await StopAsync(worker);
        var (lost, duplicates) = await CountAsync(dataSource, smtp, purpose, ct);
        return new CountResult(lost, duplicates);
    }

    public async Task<RestartResult> DatabaseRestartAsync(CaptureSmtp smtp, CancellationToken ct)
    {
        var web = new Uri($"http://127.0.0.1:{options.Required("web-port")}");
        await using var dataSource = NpgsqlDataSource.Create(conn);
        var worker = await StartWorkerAsync(ct);
        var webApp = await StartAppAsync("web", int.Parse(options.Required("web-port"), CultureInfo.InvariantCulture), ct);
        var cookie = await SignIn.CookieHeaderAsync(web, ct);
        using var client = SignIn.Client(web, cookie, new CookieContainer());
        client.Timeout = TimeSpan.FromSeconds(10);

        var purpose = await Fanout.QueueTestMessagesAsync(dataSource, Fanout.Templates(options), count, "chaos-db", ct);
        await WaitSentAsync(dataSource, purpose, count / 5, ct);

        using var loading = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var errors = 0;
        DateTime? lastError = null;
        var pages = Task.Run(async () =>
        {
            while (!loading.IsCancellationRequested)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri("/stakeholders/people?country=FR", UriKind.Relative), loading.Token);
                    if (response.StatusCode != HttpStatusCode.OK)
                    {
                        errors++;
                        lastError = DateTime.UtcNow;
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    if (!loading.IsCancellationRequested)
                    {
                        errors++;
                        lastError = DateTime.UtcNow;
                    }
                }
                await Task.Delay(100, CancellationToken.None);
            }
        }, CancellationToken.None);

        Log("db restart: restarting PostgreSQL while mail is sent and pages are served");
        var restartedAt = DateTime.UtcNow;
        using (var restart = Process.Start(new ProcessStartInfo("bash", ["-c", options.Required("pg-restart")]) { RedirectStandardError = false })!)
        {
            await restart.WaitForExitAsync(ct);
            if (restart.ExitCode != 0)
            {
                throw new BenchException("the PostgreSQL restart command failed");
            }
        }
        var upAt = DateTime.UtcNow;
        // Pages count as recovered once they have answered 200 for 5 s in a row; given up after 60 s.
        double? recovered = null;
        while (DateTime.UtcNow - upAt < TimeSpan.FromSeconds(65))
        {
            await Task.Delay(500, ct);
            var since = lastError ?? restartedAt;
            if (DateTime.UtcNow - since > TimeSpan.FromSeconds(5))
            {
                recovered = Math.Round(((since < upAt ? upAt : since) - upAt).TotalSeconds, 1);
                break;
            }
        }
        await loading.CancelAsync();
        await pages;

        await SettleAsync(dataSource, purpose, TimeSpan.FromSeconds(lease + 180), ct);
        await StopAsync(worker);
        await StopAsync(webApp);
        var (lost, duplicates) = await CountAsync(dataSource, smtp, purpose, ct);
        return new RestartResult(lost, duplicates, errors, recovered);
    }

    public async Task<CountResult> TwoWorkersAsync(CaptureSmtp smtp, CancellationToken ct)
    {
        await using var dataSource = NpgsqlDataSource.Create(conn);
        var first = await StartWorkerAsync(ct, throttled: false);
        var second = await StartWorkerAsync(ct, throttled: false);
        var purpose = await Fanout.QueueTestMessagesAsync(dataSource, Fanout.Templates(options), count, "chaos-two", ct);
        Log("two workers: both deliver the same queue");
        await SettleAsync(dataSource, purpose, TimeSpan.FromSeconds(300), ct);
        await StopAsync(first);
        await StopAsync(second);
        var (lost, duplicates) = await CountAsync(dataSource, smtp, purpose, ct);
        return new CountResult(lost, duplicates);
    }

    /// <summary>
    /// Every open sign-off request due for its first reminder, then the real chase sweep run by two processes at the
    /// same moment (small batches, so their claims interleave). A reminder step sent twice shows as more than one outbox
    /// message for the same (request, step); a due request without one was missed.
    /// </summary>
    public async Task<ReminderResult> TwoWorkersRemindersAsync(CancellationToken ct)
    {
        var requests = Math.Max(100, count);
        await DataGenerator.SignOffRequestsAsync(Options.Parse(["--conn", conn, "--requests", requests.ToString(CultureInfo.InvariantCulture), "--due-fraction", "1"]), ct);
        await using var dataSource = NpgsqlDataSource.Create(conn);
        var due = (await QueryAsync<long>(dataSource, "select count(*) from signoff_request where next_chase_at <= now()", new { }, ct)).Single();
        Log($"reminders: {due} sign-off requests due; two processes sweep at once");
        var tool = typeof(Chaos).Assembly.Location;
        var startAt = DateTimeOffset.UtcNow.AddSeconds(20).ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var sweeps = new List<Process>();
        for (var i = 1; i <= 2; i++)
        {
            var log = Path.Combine(logDir, $"sweep-{i}.log");
            var start = new ProcessStartInfo("bash", ["-c", "exec dotnet \"$0\" sweep --conn \"$1\" --batch 25 --start-at \"$2\" >>\"$3\" 2>&1", tool, conn, startAt, log])
            {
                UseShellExecute = false,
            };
            var process = Process.Start(start)!;
            started.Add(process);
            sweeps.Add(process);
        }
        foreach (var process in sweeps)
        {
            await process.WaitForExitAsync(ct);
            if (process.ExitCode != 0)
            {
                throw new BenchException($"a reminder sweep failed (exit {process.ExitCode}); see {logDir}/sweep-*.log");
            }
        }
        // Keys are signoff:{round}:{request}:person-{person}:{step}; the bench requests have a signatory and no alternate.
        var (duplicates, missed) = (await QueryAsync<(long, long)>(dataSource, """
            with bench as (
                select r.id from signoff_request r join signoff_round o on o.id = r.round_id where o.message = 'bench'
            ), sent as (
                select split_part(idempotency_key, ':', 3)::bigint as request_id, split_part(idempotency_key, ':', 5) as step, count(*) as n
                from outbox_message where purpose = 'signoff-reminder' and idempotency_key like 'signoff:%'
                group by 1, 2
            )
            select coalesce((select sum(n - 1) from sent where n > 1 and request_id in (select id from bench)), 0)::bigint,
                   (select count(*) from bench where not exists (select 1 from signoff_chase c where c.request_id = bench.id))
            """, new { }, ct)).Single();
        return new ReminderResult(due, duplicates, missed);
    }

    private Task<Process> StartWorkerAsync(CancellationToken ct, bool throttled = true) => StartAppAsync("worker", FreePort(), ct, throttled);

    /// <summary>Starts the Release app with the script's environment, in the given role, and waits until it answers /health/live.</summary>
    private async Task<Process> StartAppAsync(string role, int port, CancellationToken ct, bool throttled = true)
    {
        var n = Interlocked.Increment(ref workers);
        var log = Path.Combine(logDir, $"{role}-{n}.log");
        var start = new ProcessStartInfo("bash", ["-c", "exec dotnet \"$0\" >>\"$1\" 2>&1", appDll, log]) { UseShellExecute = false };
        start.Environment["Hosting__Role"] = role;
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        start.Environment["Database__MigrateOnStartup"] = "false";
        start.Environment["Email__Delivery__LeaseSeconds"] = lease.ToString(CultureInfo.InvariantCulture);
        start.Environment["Email__Delivery__RetryBaseSeconds"] = "1";
        start.Environment["Email__Smtp__MessagesPerSecond"] = throttled ? Rate.ToString(CultureInfo.InvariantCulture) : "0";
        var process = Process.Start(start)!;
        started.Add(process);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var watch = Stopwatch.StartNew();
        while (watch.Elapsed < TimeSpan.FromSeconds(120))
        {
            if (process.HasExited)
            {
                throw new BenchException($"the {role} process exited at start-up; see {log}");
            }
            try
            {
                using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/live"), ct);
                if (response.IsSuccessStatusCode)
                {
                    return process;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            await Task.Delay(200, ct);
        }
        process.Kill();
        throw new BenchException($"the {role} process did not answer within 120 s; see {log}");
    }

    /// <summary>No app process outlives the run, whatever failed.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var process in started)
        {
            await StopAsync(process);
            process.Dispose();
        }
    }

    private static async Task StopAsync(Process process)
    {
        if (process.HasExited)
        {
            return;
        }
        using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill();
        }
    }

    /// <summary>Seconds from the kill until none of the messages it left in 'sending' still holds the dead worker's lease.</summary>
    private static async Task<double> RecoveryAsync(NpgsqlDataSource dataSource, (long Id, DateTime Lease)[] stuck, Stopwatch since, CancellationToken ct)
    {
        var args = new { ids = stuck.Select(s => s.Id).ToArray(), leases = stuck.Select(s => s.Lease).ToArray() };
        while (stuck.Length > 0
            && (await QueryAsync<long>(dataSource, """
                select count(*) from outbox_message m join unnest(@ids, @leases) as u(id, lease) on m.id = u.id
                where m.status = 'sending' and m.lease_until = u.lease
                """, args, ct)).Single() > 0)
        {
            await Task.Delay(250, ct);
        }
        return since.Elapsed.TotalSeconds;
    }

    private static async Task<long> OpenAsync(NpgsqlDataSource dataSource, string purpose, CancellationToken ct) =>
        (await QueryAsync<long>(dataSource, "select count(*) from outbox_message where purpose = @purpose and status in ('pending', 'sending')", new { purpose }, ct)).Single();

    private static async Task WaitSentAsync(NpgsqlDataSource dataSource, string purpose, int atLeast, CancellationToken ct)
    {
        while ((await QueryAsync<long>(dataSource, "select count(*) from outbox_message where purpose = @purpose and status = 'sent'", new { purpose }, ct)).Single() < atLeast)
        {
            await Task.Delay(100, ct);
        }
    }

    private static async Task SettleAsync(NpgsqlDataSource dataSource, string purpose, TimeSpan timeout, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        while (await OpenAsync(dataSource, purpose, ct) > 0)
        {
            if (watch.Elapsed > timeout)
            {
                Log($"{purpose}: messages still open after {timeout.TotalSeconds:0} s; counting them as lost");
                return;
            }
            await Task.Delay(500, ct);
        }
        // The last replies reach the capture server a moment before the outcome is marked; let them land.
        await Task.Delay(1000, ct);
    }

    /// <summary>Lost: queued messages never captured. Duplicates: captures beyond the first of each message.</summary>
    private static async Task<(long Lost, long Duplicates)> CountAsync(NpgsqlDataSource dataSource, CaptureSmtp smtp, string purpose, CancellationToken ct)
    {
        var messages = await QueryAsync<(string MessageId, long Id, string Status, int Attempts, string? Error, string? Reply)>(dataSource,
            "select message_id, id, status, attempts, last_error, smtp_reply from outbox_message where purpose = @purpose", new { purpose }, ct);
        long lost = 0, duplicates = 0;
        foreach (var message in messages)
        {
            var captured = smtp.Captured.GetValueOrDefault(message.MessageId.Trim('<', '>'));
            if (captured == 0)
            {
                lost++;
                // What the outbox says about a message the server never received: the first place to look.
                Log($"{purpose}: message {message.Id} never received; outbox status {message.Status}, {message.Attempts} attempt(s), " +
                    $"last error: {message.Error ?? "none"}, last reply: {message.Reply ?? "none"}");
            }
            else
            {
                duplicates += captured - 1;
            }
        }
        return (lost, duplicates);
    }

    private static async Task<IEnumerable<T>> QueryAsync<T>(NpgsqlDataSource dataSource, string sql, object args, CancellationToken ct)
    {
        // A connection per query: PostgreSQL may be restarting underneath, so retry for up to a minute.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await using var db = await dataSource.OpenConnectionAsync(ct);
                return (await db.QueryAsync<T>(new CommandDefinition(sql, args, cancellationToken: ct))).ToList();
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException && attempt < 120)
            {
                await Task.Delay(500, ct);
            }
        }
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private static void Log(string message) => Console.Error.WriteLine($"chaos: {message}");
}
