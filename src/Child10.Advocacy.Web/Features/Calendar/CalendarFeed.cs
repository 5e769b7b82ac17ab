using System.Security.Cryptography;
using Child10.Advocacy.Web.Features.Consultations;
using Dapper;
using Ical.Net;
using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;
using Ical.Net.Serialization;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Calendar;

/// <summary>
/// The team calendar behind each personal feed URL: every deadline of a consultation still to act on and every open
/// milestone of a planned or active campaign, for everyone (a feed differs only in its secret, not in its content).
/// Open sign-off rounds' deadlines are in it too; scheduled briefings join when that feature lands.
/// </summary>
public static class CalendarFeed
{
    private const string EventsSql = """
        select c.id, c.title, c.closes_at, c.institution_time_zone, o.name as institution, c.status
        from consultation c join organisation o on o.id = c.institution_id
        where c.status in ('upcoming', 'open', 'in_preparation') and c.closes_at > now() - interval '90 days'
        order by c.closes_at;

        select m.id, m.title, m.due_on, k.id as campaign_id, k.title as campaign
        from milestone m join campaign k on k.id = m.campaign_id
        where m.done_at is null and k.status in ('planning', 'active') and m.due_on > current_date - 90
        order by m.due_on;

        select r.id, s.title, r.deadline, r.time_zone, v.number as version_number
        from signoff_round r
        join statement s on s.id = r.statement_id
        join statement_version v on v.id = r.version_id
        where r.status = 'open'
        order by r.deadline;
        """;

    private sealed record ConsultationEvent(long Id, string Title, DateTime ClosesAt, string InstitutionTimeZone, string Institution, string Status);

    private sealed record MilestoneEvent(long Id, string Title, DateOnly DueOn, long CampaignId, string Campaign);

    private sealed record SignOffEvent(long Id, string Title, DateTime Deadline, string TimeZone, int VersionNumber);

    /// <summary>256 random bits, base64url: the whole credential of a feed.</summary>
    public static string NewToken() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    public static string Url(Uri publicBaseUrl, string token) => new Uri(publicBaseUrl, $"/calendar/feed/{token}.ics").ToString();

    public static async Task<string> BuildAsync(NpgsqlConnection db, Uri publicBaseUrl, CancellationToken ct)
    {
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(EventsSql, cancellationToken: ct));
        var consultations = await reader.ReadAsync<ConsultationEvent>();
        var milestones = await reader.ReadAsync<MilestoneEvent>();
        var signOffs = await reader.ReadAsync<SignOffEvent>();

        var calendar = new Ical.Net.Calendar { ProductId = "-//Child10//Advocacy deadlines//EN" };
        calendar.AddProperty("X-WR-CALNAME", "Child10 Advocacy deadlines");
        var stamp = new CalDateTime(DateTime.UtcNow);
        foreach (var c in consultations)
        {
            var closes = new DateTimeOffset(DateTime.SpecifyKind(c.ClosesAt, DateTimeKind.Utc));
            var local = TimeZoneInfo.ConvertTime(closes, TimeZoneInfo.FindSystemTimeZoneById(c.InstitutionTimeZone));
            // A deadline is a moment: DTSTART without DTEND (RFC 5545 3.6.1).
            calendar.Events.Add(new CalendarEvent
            {
                Uid = $"consultation-{c.Id}@child10-advocacy",
                DtStamp = stamp,
                Start = new CalDateTime(DateTime.SpecifyKind(c.ClosesAt, DateTimeKind.Utc)),
                Summary = $"Consultation closes: {c.Title}",
                Description = $"{c.Institution}. Closes {local:d MMM yyyy, HH:mm} {ConsultationVocabulary.ZoneName(c.InstitutionTimeZone)} time.",
                Url = new Uri(publicBaseUrl, $"/consultations/{c.Id}"),
            });
        }
        foreach (var m in milestones)
        {
            calendar.Events.Add(new CalendarEvent
            {
                Uid = $"milestone-{m.Id}@child10-advocacy",
                DtStamp = stamp,
                Start = new CalDateTime(m.DueOn),
                End = new CalDateTime(m.DueOn.AddDays(1)),
                Summary = $"Milestone: {m.Title}",
                Description = $"Campaign: {m.Campaign}",
                Url = new Uri(publicBaseUrl, $"/campaigns/{m.CampaignId}"),
            });
        }
        foreach (var r in signOffs)
        {
            calendar.Events.Add(new CalendarEvent
            {
                Uid = $"signoff-round-{r.Id}@child10-advocacy",
                DtStamp = stamp,
                Start = new CalDateTime(DateTime.SpecifyKind(r.Deadline, DateTimeKind.Utc)),
                Summary = $"Sign-off deadline: {r.Title}",
                Description = $"Version {r.VersionNumber}. Answers close {SignOff.SignOffVocabulary.Deadline(r.Deadline, r.TimeZone)}.",
                Url = new Uri(publicBaseUrl, $"/signoff/rounds/{r.Id}"),
            });
        }
        return new CalendarSerializer().SerializeToString(calendar) ?? "";
    }
}
