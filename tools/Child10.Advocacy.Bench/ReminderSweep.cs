using System.Diagnostics;
using System.Reflection;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Bench;

/// <summary>
/// Times one run of the sign-off reminder sweep over the open requests made by `signoff-data`, inside the app's own
/// composition (Program.Build with the environment the script exported: same database, templates and settings).
/// </summary>
internal static class ReminderSweep
{
    /// <summary>
    /// THE hook for the sweep: the app's sweep class and its method taking only a CancellationToken.
    /// TODO(sign-off merge): check these names against the sign-off feature (or call it directly instead of by
    /// reflection once it exists on this branch). Until then the benchmark reports "sweep not available" (null).
    /// </summary>
    public const string SweepType = "Child10.Advocacy.Web.Features.SignOff.ChaseSweep";
    public const string SweepMethod = "RunAsync";

    public static async Task RunAsync(Options options, CancellationToken ct)
    {
        var type = typeof(Child10.Advocacy.Web.Program).Assembly.GetType(SweepType);
        var method = type?.GetMethod(SweepMethod, BindingFlags.Public | BindingFlags.Instance, [typeof(CancellationToken)]);
        if (type is null || method is null)
        {
            await Console.Error.WriteLineAsync($"bench: sweep not available ({SweepType}.{SweepMethod}(CancellationToken) is not in this build)");
            Console.WriteLine(JsonSerializer.Serialize(new { available = false, seconds = (double?)null }));
            return;
        }

        // Composed as the script configured it (role all), never started: only the sweep runs.
        await using var app = Child10.Advocacy.Web.Program.Build([]);
        await using var scope = app.Services.CreateAsyncScope();
        var sweep = ActivatorUtilities.GetServiceOrCreateInstance(scope.ServiceProvider, type);
        await using var dataSource = NpgsqlDataSource.Create(options.Required("conn"));
        await using var db = await dataSource.OpenConnectionAsync(ct);
        const string DueSql = "select count(*) from signoff_request where next_chase_at <= now()";
        var dueBefore = await db.ExecuteScalarAsync<long>(DueSql);

        var watch = Stopwatch.StartNew();
        await (Task)method.Invoke(sweep, [ct])!;
        var seconds = watch.Elapsed.TotalSeconds;

        var dueAfter = await db.ExecuteScalarAsync<long>(DueSql);
        Console.WriteLine(JsonSerializer.Serialize(new { available = true, seconds = Math.Round(seconds, 3), due_before = dueBefore, due_after = dueAfter }));
    }
}
