using System.Text.Json;

namespace Child10.Advocacy.Bench;

/// <summary>
/// Times one run of the sign-off reminder sweep over the open requests made by `signoff-data`.
/// </summary>
internal static class ReminderSweep
{
    public static async Task RunAsync(Options options, CancellationToken ct)
    {
        _ = options;
        // TODO(sign-off merge): THE hook for the sweep. Run the app's sweep here once, timed, e.g. resolve
        // Child10.Advocacy.Web.Features.SignOff.ChaseSweep from Program.Build(...) services (configured with --conn)
        // and await its RunAsync(ct) inside a Stopwatch; print {"available": true, "seconds": s, "sent": n}.
        // Until then the sweep does not exist on this branch and the benchmark reports null.
        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(new { available = false, seconds = (double?)null }));
        ct.ThrowIfCancellationRequested();
    }
}
