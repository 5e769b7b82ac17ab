using System.Globalization;
using System.Security.Claims;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Consultations;

/// <summary>The fixed lists of consultations; the database checks hold the same values.</summary>
public static class ConsultationVocabulary
{
    public const string DefaultTimeZone = "Europe/Brussels";

    public static readonly IReadOnlyList<(string Value, string Label)> Statuses =
    [
        ("upcoming", "Upcoming"),
        ("open", "Open"),
        ("in_preparation", "Response in preparation"),
        ("submitted", "Submitted"),
        ("closed", "Closed"),
    ];

    /// <summary>Statuses in which the network still has to act before the deadline.</summary>
    public static readonly IReadOnlyList<string> Active = ["upcoming", "open", "in_preparation"];

    public static readonly IReadOnlyList<(string Value, string Label)> Scopes =
    [
        ("national", "National"),
        ("regional", "Regional"),
        ("international", "International"),
    ];

    public static readonly IReadOnlyList<string> InstitutionKinds = ["government", "parliament", "intergovernmental"];

    /// <summary>The IANA zones an institution can be in: where the network's institutions and members sit.</summary>
    public static readonly IReadOnlyList<string> TimeZones =
    [
        "Europe/Brussels", "Europe/Amsterdam", "Europe/Athens", "Europe/Berlin", "Europe/Bucharest", "Europe/Dublin",
        "Europe/Helsinki", "Europe/Kyiv", "Europe/Lisbon", "Europe/London", "Europe/Madrid", "Europe/Paris",
        "Europe/Prague", "Europe/Rome", "Europe/Sofia", "Europe/Stockholm", "Europe/Vienna", "Europe/Warsaw",
        "Europe/Zurich", "Africa/Johannesburg", "Africa/Lagos", "Africa/Nairobi", "America/Bogota",
        "America/Mexico_City", "America/New_York", "America/Sao_Paulo", "Asia/Bangkok", "Asia/Kathmandu",
        "Asia/Kolkata", "Asia/Manila", "UTC",
    ];

    /// <summary>"Europe/Brussels" → "Brussels": how people name a zone.</summary>
    public static string ZoneName(string zoneId) =>
        zoneId.Contains('/', StringComparison.Ordinal) ? zoneId[(zoneId.LastIndexOf('/') + 1)..].Replace('_', ' ') : zoneId;
}

/// <summary>A deadline shown in the viewer's zone with the institution's zone alongside.</summary>
public static class ConsultationTime
{
    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>"12 Dec 2026, 18:00 (Stockholm)".</summary>
    public static string ForViewer(DateTimeOffset instant, ClaimsPrincipal user) =>
        $"{TimeDisplay.Format(instant, user)} ({ConsultationVocabulary.ZoneName(TimeDisplay.ZoneOf(user).Id)})";

    /// <summary>"18:00 Brussels", with the date when it differs from the viewer's date; null when the viewer is in that zone.</summary>
    public static string? ForInstitution(DateTimeOffset instant, string zoneId, ClaimsPrincipal user)
    {
        if (TimeDisplay.ZoneOf(user).Id == zoneId)
        {
            return null;
        }
        var zone = Zone(zoneId);
        var there = TimeZoneInfo.ConvertTime(instant, zone);
        var here = TimeZoneInfo.ConvertTime(instant, TimeDisplay.ZoneOf(user));
        var format = there.Date == here.Date ? "HH:mm" : "d MMM yyyy, HH:mm";
        return $"{there.ToString(format, Invariant)} {ConsultationVocabulary.ZoneName(zoneId)}";
    }

    /// <summary>A local date-time of the zone as an instant, or null when the clock skips it (a daylight-saving gap).</summary>
    public static DateTimeOffset? ToInstant(DateTime local, string zoneId)
    {
        var zone = Zone(zoneId);
        var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(unspecified))
        {
            return null;
        }
        return new DateTimeOffset(unspecified, zone.GetUtcOffset(unspecified));
    }

    public static DateTime ToLocal(DateTimeOffset instant, string zoneId) =>
        TimeZoneInfo.ConvertTime(instant, Zone(zoneId)).DateTime;

    /// <summary>"closes in 5 days", "closes today", "closed": the mark of the list.</summary>
    public static (string Text, string Flag) Countdown(DateTimeOffset closesAt, DateTimeOffset now)
    {
        var left = closesAt - now;
        if (left <= TimeSpan.Zero)
        {
            return ("deadline passed", "flag--done");
        }
        if (left < TimeSpan.FromDays(1))
        {
            var hours = Math.Max(1, (int)Math.Floor(left.TotalHours));
            return ($"closes in {hours} {(hours == 1 ? "hour" : "hours")}", "flag--danger");
        }
        var days = (int)Math.Floor(left.TotalDays);
        return ($"closes in {days} {(days == 1 ? "day" : "days")}", days <= 2 ? "flag--danger" : days <= 7 ? "flag--warn" : "flag--open");
    }

    private static TimeZoneInfo Zone(string zoneId) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var zone) ? zone : TimeZoneInfo.Utc;
}

/// <summary>What the new and edit forms post.</summary>
public sealed class ConsultationInput
{
    public long? InstitutionId { get; set; }
    public string? Title { get; set; }
    public string? Url { get; set; }
    public string Scope { get; set; } = "national";
    public string TimeZone { get; set; } = ConsultationVocabulary.DefaultTimeZone;
    public DateTime? OpensLocal { get; set; }
    public DateTime? ClosesLocal { get; set; }
    public string Status { get; set; } = "upcoming";
    public long? ResponsibleId { get; set; }
    public long? CampaignId { get; set; }
    public List<long> MemberIds { get; set; } = [];
    public long? SubmittedVersionId { get; set; }
    public DateOnly? SubmittedOn { get; set; }
    public string? SubmissionReference { get; set; }
    public string? OutcomeNotes { get; set; }
}

public sealed record InstitutionOption(long Id, string Name, string Kind);

/// <summary>The select lists of the form: institutions, leads, campaigns, member organisations.</summary>
public sealed record ConsultationChoices(
    IReadOnlyList<InstitutionOption> Institutions,
    IReadOnlyList<NamedOption> Leads,
    IReadOnlyList<NamedOption> Campaigns,
    IReadOnlyList<NamedOption> Members);

/// <summary>Rules and writes the new and edit pages share.</summary>
public static class ConsultationForm
{
    public const int MaxTitleLength = 300;

    private const string ChoicesSql = """
        select id, name, kind from organisation
        where kind in ('government', 'parliament', 'intergovernmental')
        order by name_sort_key, id;
        select id, display_name as name from staff_user
        where (is_active and role in ('lead', 'admin')) or id = @responsibleId
        order by sort_key(display_name), id;
        select id, title as name from campaign
        where status <> 'archived' or id = @campaignId
        order by sort_key(title), id;
        select id, name from organisation where kind = 'member' order by name_sort_key, id;
        """;

    private const string InsertSql = """
        insert into consultation (institution_id, title, url, scope, opens_at, closes_at, institution_time_zone, status,
                                  responsible_id, campaign_id, submitted_version_id, submitted_on, submission_reference, outcome_notes)
        values (@institutionId, @title, @url, @scope, @opensAt, @closesAt, @timeZone, @status,
                @responsibleId, @campaignId, @submittedVersionId, @submittedOn, @submissionReference, @outcomeNotes)
        returning id
        """;

    private const string UpdateSql = """
        update consultation
        set institution_id = @institutionId, title = @title, url = @url, scope = @scope, opens_at = @opensAt,
            closes_at = @closesAt, institution_time_zone = @timeZone, status = @status, responsible_id = @responsibleId,
            campaign_id = @campaignId, submitted_version_id = @submittedVersionId, submitted_on = @submittedOn,
            submission_reference = @submissionReference, outcome_notes = @outcomeNotes, updated_at = now()
        where id = @id
        """;

    private const string MembersSql = """
        delete from consultation_member where consultation_id = @id;
        insert into consultation_member (consultation_id, organisation_id) select @id, unnest(@memberIds);
        """;

    public static async Task<ConsultationChoices> LoadChoicesAsync(NpgsqlConnection db, ConsultationInput input, CancellationToken ct)
    {
        var args = new { responsibleId = input.ResponsibleId, campaignId = input.CampaignId };
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(ChoicesSql, args, cancellationToken: ct));
        return new ConsultationChoices(
            (await reader.ReadAsync<InstitutionOption>()).ToList(),
            (await reader.ReadAsync<NamedOption>()).ToList(),
            (await reader.ReadAsync<NamedOption>()).ToList(),
            (await reader.ReadAsync<NamedOption>()).ToList());
    }

    /// <summary>Checks the input, adds field errors, and gives the two instants when it is valid.</summary>
    public static (DateTimeOffset? OpensAt, DateTimeOffset ClosesAt) Validate(
        ConsultationInput input, ConsultationChoices choices, ModelStateDictionary modelState, bool isNew, DateTimeOffset now)
    {
        input.Title = input.Title?.Trim();
        input.Url = string.IsNullOrWhiteSpace(input.Url) ? null : input.Url.Trim();
        input.SubmissionReference = string.IsNullOrWhiteSpace(input.SubmissionReference) ? null : input.SubmissionReference.Trim();
        input.OutcomeNotes = string.IsNullOrWhiteSpace(input.OutcomeNotes) ? null : input.OutcomeNotes.Trim();
        input.MemberIds = input.MemberIds.Distinct().ToList();

        if (input.InstitutionId is not { } institutionId || choices.Institutions.All(i => i.Id != institutionId))
        {
            modelState.AddModelError("Input.InstitutionId", "Choose the institution that runs the consultation.");
        }
        if (string.IsNullOrEmpty(input.Title))
        {
            modelState.AddModelError("Input.Title", "Enter the title of the consultation.");
        }
        else if (input.Title.Length > MaxTitleLength)
        {
            modelState.AddModelError("Input.Title", $"The title is too long: at most {MaxTitleLength} characters.");
        }
        if (input.Url is not null && !(Uri.TryCreate(input.Url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)))
        {
            modelState.AddModelError("Input.Url", "Enter a web address starting with https:// or http://.");
        }
        if (!Vocabulary.Contains(ConsultationVocabulary.Scopes, input.Scope))
        {
            modelState.AddModelError("Input.Scope", "Choose national, regional or international.");
        }
        if (!Vocabulary.Contains(ConsultationVocabulary.Statuses, input.Status))
        {
            modelState.AddModelError("Input.Status", "Choose a status from the list.");
        }
        if (input.ResponsibleId is { } responsibleId && choices.Leads.All(l => l.Id != responsibleId))
        {
            modelState.AddModelError("Input.ResponsibleId", "Choose a lead from the list.");
        }
        if (input.CampaignId is { } campaignId && choices.Campaigns.All(c => c.Id != campaignId))
        {
            modelState.AddModelError("Input.CampaignId", "Choose a campaign from the list.");
        }
        if (input.MemberIds.Any(id => choices.Members.All(m => m.Id != id)))
        {
            modelState.AddModelError("Input.MemberIds", "Choose member organisations from the list.");
        }
        if (input.SubmittedVersionId is <= 0)
        {
            modelState.AddModelError("Input.SubmittedVersionId", "A statement version number is a positive whole number.");
        }

        DateTimeOffset? opensAt = null;
        DateTimeOffset closesAt = default;
        if (!ConsultationVocabulary.TimeZones.Contains(input.TimeZone))
        {
            modelState.AddModelError("Input.TimeZone", "Choose the institution's time zone from the list.");
            return (null, default);
        }
        var zone = ConsultationVocabulary.ZoneName(input.TimeZone);
        if (input.OpensLocal is { } opensLocal)
        {
            opensAt = ConsultationTime.ToInstant(opensLocal, input.TimeZone);
            if (opensAt is null)
            {
                modelState.AddModelError("Input.OpensLocal", $"That time does not exist in {zone} (the clocks change then); enter another.");
            }
        }
        if (input.ClosesLocal is not { } closesLocal)
        {
            modelState.AddModelError("Input.ClosesLocal", "Enter the closing deadline.");
        }
        else if (ConsultationTime.ToInstant(closesLocal, input.TimeZone) is not { } closes)
        {
            modelState.AddModelError("Input.ClosesLocal", $"That time does not exist in {zone} (the clocks change then); enter another.");
        }
        else
        {
            closesAt = closes;
            if (isNew && closes <= now)
            {
                modelState.AddModelError("Input.ClosesLocal", $"The closing deadline has already passed ({zone} time): enter a deadline in the future.");
            }
            else if (opensAt is { } opens && closes <= opens)
            {
                modelState.AddModelError("Input.ClosesLocal", "The consultation closes before it opens: the closing deadline must be after the opening.");
            }
        }
        return (opensAt, closesAt);
    }

    public static async Task<long> InsertAsync(NpgsqlConnection db, NpgsqlTransaction tx, ConsultationInput input, DateTimeOffset? opensAt, DateTimeOffset closesAt, Actor actor, CancellationToken ct)
    {
        var id = await db.ExecuteScalarAsync<long>(new CommandDefinition(InsertSql, Args(input, opensAt, closesAt, 0), tx, cancellationToken: ct));
        await db.ExecuteAsync(new CommandDefinition(MembersSql, new { id, memberIds = input.MemberIds.ToArray() }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, actor, "consultation.create", "consultation", id, AuditData(input, opensAt, closesAt), ct);
        return id;
    }

    public static async Task UpdateAsync(NpgsqlConnection db, NpgsqlTransaction tx, long id, ConsultationInput input, DateTimeOffset? opensAt, DateTimeOffset closesAt, Actor actor, CancellationToken ct)
    {
        await db.ExecuteAsync(new CommandDefinition(UpdateSql, Args(input, opensAt, closesAt, id), tx, cancellationToken: ct));
        await db.ExecuteAsync(new CommandDefinition(MembersSql, new { id, memberIds = input.MemberIds.ToArray() }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, actor, "consultation.update", "consultation", id, AuditData(input, opensAt, closesAt), ct);
    }

    private static object Args(ConsultationInput input, DateTimeOffset? opensAt, DateTimeOffset closesAt, long id) => new
    {
        id,
        institutionId = input.InstitutionId,
        title = input.Title,
        url = input.Url,
        scope = input.Scope,
        opensAt = opensAt?.UtcDateTime,
        closesAt = closesAt.UtcDateTime,
        timeZone = input.TimeZone,
        status = input.Status,
        responsibleId = input.ResponsibleId,
        campaignId = input.CampaignId,
        submittedVersionId = input.SubmittedVersionId,
        submittedOn = input.SubmittedOn,
        submissionReference = input.SubmissionReference,
        outcomeNotes = input.OutcomeNotes,
    };

    private static object AuditData(ConsultationInput input, DateTimeOffset? opensAt, DateTimeOffset closesAt) => new
    {
        institution_id = input.InstitutionId,
        title = input.Title,
        status = input.Status,
        opens_at = opensAt,
        closes_at = closesAt,
        time_zone = input.TimeZone,
        responsible_id = input.ResponsibleId,
        campaign_id = input.CampaignId,
        member_ids = input.MemberIds,
    };
}

/// <summary>The model of the shared form partial.</summary>
public sealed record ConsultationFormView(ConsultationInput Input, ConsultationChoices Choices);
