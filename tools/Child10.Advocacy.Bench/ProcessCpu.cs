using System.Diagnostics;
using System.Globalization;

namespace Child10.Advocacy.Bench;

/// <summary>
/// CPU seconds (user and system) that the processes of one measured part used, read from /proc at its start and end,
/// so a report can say where each message's CPU went: this process, the app, PostgreSQL, the SMTP sink.
/// </summary>
internal sealed record ProcessCpu(double Self, double? App, double? Postgres, double? Sink)
{
    private const double TicksPerSecond = 100; // USER_HZ, 100 on every Linux this runs on

    /// <summary>Reads the processes named by --app-pid, --postgres-pid (the postmaster) and --sink-pid; absent ones are null.</summary>
    public static ProcessCpu Now(Options options) => new(
        Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds,
        Pid(options, "app-pid") is { } app ? Seconds(app, withReapedChildren: false) : null,
        Pid(options, "postgres-pid") is { } postmaster ? PostgresSeconds(postmaster) : null,
        Pid(options, "sink-pid") is { } sink ? Seconds(sink, withReapedChildren: true) : null);

    /// <summary>What was used between two readings, in seconds, rounded to hundredths.</summary>
    public static Dictionary<string, double?> Between(ProcessCpu start, ProcessCpu end, string self) => new(StringComparer.Ordinal)
    {
        [self] = Math.Round(end.Self - start.Self, 2),
        ["app"] = Delta(start.App, end.App),
        ["postgres"] = Delta(start.Postgres, end.Postgres),
        ["sink"] = Delta(start.Sink, end.Sink),
    };

    private static double? Delta(double? start, double? end) => start is { } a && end is { } b ? Math.Round(b - a, 2) : null;

    private static int? Pid(Options options, string name) => options.Optional(name) is { Length: > 0 } value ? int.Parse(value, CultureInfo.InvariantCulture) : null;

    // The postmaster and its live children (backends, checkpointer, WAL writer); a backend that has exited was reaped
    // by the postmaster, which counts its CPU as its children's.
    private static double? PostgresSeconds(int postmaster)
    {
        var total = Seconds(postmaster, withReapedChildren: true);
        if (total is null)
        {
            return null;
        }
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && Stat(pid) is { } stat && stat.ParentPid == postmaster)
            {
                total += stat.Ticks / TicksPerSecond;
            }
        }
        return total;
    }

    private static double? Seconds(int pid, bool withReapedChildren) =>
        Stat(pid) is { } stat ? (stat.Ticks + (withReapedChildren ? stat.ChildTicks : 0)) / TicksPerSecond : null;

    private sealed record StatLine(int ParentPid, long Ticks, long ChildTicks);

    // /proc/PID/stat: "pid (comm) state ppid ... utime stime cutime cstime ..."; comm may hold spaces, so fields
    // are counted after its closing parenthesis (state is field 3, utime 14, stime 15, cutime 16, cstime 17).
    private static StatLine? Stat(int pid)
    {
        string text;
        try
        {
            text = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        long Field(int number) => long.Parse(fields[number - 3], CultureInfo.InvariantCulture);
        return new StatLine((int)Field(4), Field(14) + Field(15), Field(16) + Field(17));
    }
}
