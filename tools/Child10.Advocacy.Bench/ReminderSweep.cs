using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Child10.Advocacy.Web.Features.SignOff;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Bench;

/// <summary>
/// Times one run of the sign-off reminder sweep over the open requests made by `signoff-data`, inside the app's own
/// composition (Program.Build with the environment the script exported: same database, templates and settings).
/// </summary>
internal static class ReminderSweep
{
    public static async Task RunAsync(Options options, CancellationToken ct)
    {
        // Composed as the script configured it (role all), never started: only the sweep runs.
        await using var app = Child10.Advocacy.Web.Program.Build([]);
        await using var scope = app.Services.CreateAsyncScope();
        var sweep = ActivatorUtilities.GetServiceOrCreateInstance<ChaseSweep>(scope.ServiceProvider);
        await using var dataSource = NpgsqlDataSource.Create(options.Required("conn"));
        await using var db = await dataSource.OpenConnectionAsync(ct);
        const string DueSql = "select count(*) from signoff_request where next_chase_at <= now()";
        var dueBefore = await db.ExecuteScalarAsync<long>(DueSql);

        // --start-at (Unix milliseconds) lines up sweeps of several processes once each is composed and connected.
        if (options.Optional("start-at") is { } startAt
            && DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(startAt, CultureInfo.InvariantCulture)) - DateTimeOffset.UtcNow is { Ticks: > 0 } wait)
        {
            await Task.Delay(wait, ct);
        }

        var watch = Stopwatch.StartNew();
        var report = await sweep.RunAsync(DateTime.UtcNow, ct, options.Int("batch", ChaseSweep.BatchSize));
        var seconds = watch.Elapsed.TotalSeconds;

        var dueAfter = await db.ExecuteScalarAsync<long>(DueSql);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            available = true, seconds = Math.Round(seconds, 3), due_before = dueBefore, due_after = dueAfter,
            requests = report.Requests, reminders = report.Reminders,
        }));
    }
}
