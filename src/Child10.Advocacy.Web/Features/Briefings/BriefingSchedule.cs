using System.Globalization;
using Cronos;

namespace Child10.Advocacy.Web.Features.Briefings;

/// <summary>When a briefing goes out: now, once at a local time in a time zone, or on a cron schedule in a time zone.</summary>
public static class BriefingSchedule
{
    public const string Now = "now";
    public const string At = "at";
    public const string Cron = "cron";

    public static readonly IReadOnlyList<string> TimeZones =
    [
        "Europe/Brussels", "Europe/London", "Europe/Chisinau", "Europe/Bucharest", "Europe/Athens", "Europe/Stockholm",
        "Europe/Vienna", "Europe/Warsaw", "Africa/Nairobi", "Africa/Lagos", "Asia/Bangkok", "Asia/Manila", "America/New_York", "UTC",
    ];

    /// <summary>The zone, or null when the id is not a known IANA time zone.</summary>
    public static TimeZoneInfo? Zone(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id.Trim(), out var zone) ? zone : null;

    /// <summary>The first instant a local date-time in the zone stands for (a time skipped by a clock change moves forward).</summary>
    public static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(unspecified))
        {
            unspecified = unspecified.AddMinutes(30);
        }
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(unspecified, zone), TimeSpan.Zero);
    }

    /// <summary>Parses a five-field cron expression; the error says what is wrong, in words.</summary>
    public static CronExpression? ParseCron(string? expression, out string? error)
    {
        error = null;
        if (string.IsNullOrWhiteSpace(expression))
        {
            error = "Enter a cron expression, e.g. \"0 9 1-7 * MON\" for the first Monday of each month at 09:00.";
            return null;
        }
        if (expression.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).Length != 5)
        {
            error = $"'{expression.Trim()}' is not five fields: minute hour day-of-month month day-of-week.";
            return null;
        }
        try
        {
            return CronExpression.Parse(expression.Trim(), CronFormat.Standard);
        }
        catch (CronFormatException ex)
        {
            error = $"'{expression.Trim()}' is not a cron expression: {ex.Message}";
            return null;
        }
    }

    /// <summary>The next run after the instant, or null when the expression never fires again.</summary>
    public static DateTimeOffset? NextOccurrence(CronExpression cron, TimeZoneInfo zone, DateTimeOffset after) =>
        cron.GetNextOccurrence(after.UtcDateTime, zone) is DateTime next ? new DateTimeOffset(next, TimeSpan.Zero) : null;

    /// <summary>"first Monday of the month at 09:00"-style reading is beyond cron; this at least shows the next few runs.</summary>
    public static IReadOnlyList<DateTimeOffset> Upcoming(string cron, string zoneId, DateTimeOffset after, int count)
    {
        if (ParseCron(cron, out _) is not { } expression || Zone(zoneId) is not { } zone)
        {
            return [];
        }
        var list = new List<DateTimeOffset>();
        var from = after;
        while (list.Count < count && NextOccurrence(expression, zone, from) is { } next)
        {
            list.Add(next);
            from = next;
        }
        return list;
    }

    public static string Describe(string? kind, DateTime? sendAt, string? cron, string? zone) => kind switch
    {
        Now => "As soon as it is approved",
        At when sendAt is DateTime at && Zone(zone) is { } tz =>
            TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(at, DateTimeKind.Utc), tz).ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) + " " + zone,
        Cron => $"Recurring: {cron} ({zone})",
        _ => "Not scheduled",
    };
}
