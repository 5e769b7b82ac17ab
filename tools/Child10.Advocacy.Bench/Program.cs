using System.Globalization;
using System.Runtime.InteropServices;

namespace Child10.Advocacy.Bench;

/// <summary>
/// Steps of scripts/bench and scripts/chaos that need .NET: an OpenID Connect provider, the sign-in flow, data
/// generation, the fan-out and its bare MailKit baseline, the CSV import over HTTP, the fault-injection run and the report.
/// </summary>
internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            await Console.Error.WriteLineAsync("usage: bench <idp|sign-in|seed|signoff-data|fanout|bare-mailkit|sweep|import|chaos|report> [--option value ...]");
            return 2;
        }
        var options = Options.Parse(args[1..]);
        using var stop = new CancellationTokenSource();
        // TERM and INT end the current step cleanly (the scripts stop the provider and the capture server this way).
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }
        var ct = stop.Token;
        try
        {
            switch (args[0])
            {
                case "idp":
                    await IdentityProviderHost.RunAsync(options, ct);
                    return 0;
                case "sign-in":
                    Console.WriteLine(await SignIn.CookieHeaderAsync(new Uri(options.Required("app")), ct));
                    return 0;
                case "seed":
                    await DataGenerator.SeedAsync(options, ct);
                    return 0;
                case "signoff-data":
                    await DataGenerator.SignOffRequestsAsync(options, ct);
                    return 0;
                case "fanout":
                    await Fanout.RunAsync(options, ct);
                    return 0;
                case "bare-mailkit":
                    await BareMailKit.RunAsync(options, ct);
                    return 0;
                case "sweep":
                    await ReminderSweep.RunAsync(options, ct);
                    return 0;
                case "import":
                    await ImportRun.RunAsync(options, ct);
                    return 0;
                case "chaos":
                    return await Chaos.RunAsync(options, ct);
                case "report":
                    await Report.WriteAsync(options, ct);
                    return 0;
                default:
                    await Console.Error.WriteLineAsync($"unknown command '{args[0]}'");
                    return 2;
            }
        }
        catch (BenchException ex)
        {
            await Console.Error.WriteLineAsync($"bench: error: {ex.Message}");
            return 1;
        }
    }
}

/// <summary>A failed check or a missing option: one line for the caller, no stack trace.</summary>
internal sealed class BenchException(string message) : Exception(message);

/// <summary>--name value pairs.</summary>
internal sealed class Options
{
    private readonly Dictionary<string, string> values = new(StringComparer.Ordinal);

    public static Options Parse(string[] args)
    {
        var options = new Options();
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new BenchException($"expected --name value, got '{args[i]}'");
            }
            options.values[args[i][2..]] = args[++i];
        }
        return options;
    }

    public string Required(string name) =>
        values.TryGetValue(name, out var value) ? value : throw new BenchException($"--{name} is required");

    public string? Optional(string name) => values.GetValueOrDefault(name);

    public int Int(string name, int fallback) =>
        values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public double Double(string name, double fallback) =>
        values.TryGetValue(name, out var value) ? double.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
