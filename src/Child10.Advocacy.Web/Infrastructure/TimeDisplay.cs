using System.Globalization;
using System.Security.Claims;
using Child10.Advocacy.Web.Infrastructure.Auth;

namespace Child10.Advocacy.Web.Infrastructure;

/// <summary>Instants are stored in UTC and shown in the signed-in person's own time zone.</summary>
public static class TimeDisplay
{
    public static TimeZoneInfo ZoneOf(ClaimsPrincipal user) =>
        user.FindFirst(StaffClaims.TimeZone)?.Value is { } id && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
            ? zone
            : TimeZoneInfo.Utc;

    public static string Format(DateTimeOffset instant, ClaimsPrincipal user) =>
        TimeZoneInfo.ConvertTime(instant, ZoneOf(user)).ToString("d MMM yyyy, HH:mm", CultureInfo.InvariantCulture);

    /// <summary>An instant as read from a timestamptz column: a UTC DateTime, whatever Kind it came with.</summary>
    public static string Format(DateTime utc, ClaimsPrincipal user) =>
        Format(new DateTimeOffset(DateTime.SpecifyKind(utc, DateTimeKind.Utc)), user);
}
