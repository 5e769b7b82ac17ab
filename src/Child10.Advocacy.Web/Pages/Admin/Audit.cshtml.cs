using System.Globalization;
using Child10.Advocacy.Web.Features.Admin;
using Child10.Advocacy.Web.Features.Briefings;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Admin;

/// <summary>The audit log: every write in the app, newest first, filtered by who, record type, action and the viewer's days. Reading it writes nothing.</summary>
[Authorize(Policy = Policies.AdminOnly)]
public sealed class AuditModel(NpgsqlDataSource dataSource) : PageModel
{
    /// <summary>The "who" value of events no staff member caused (jobs, email links, signatories).</summary>
    public const string WithoutStaff = "system";

    /// <summary>The filters as the form sent them (trimmed; blank is null), so links and fields give them back.</summary>
    public sealed record Query(string? Who, string? Entity, string? Action, string? From, string? To, string? Record = null)
    {
        public string Link(long? before = null, long? after = null)
        {
            var query = new List<string>();
            void Add(string key, object? value)
            {
                if (value is not null)
                {
                    query.Add(key + "=" + Uri.EscapeDataString(Convert.ToString(value, CultureInfo.InvariantCulture)!));
                }
            }
            Add("who", Who);
            Add("entity", Entity);
            Add("record", Record);
            Add("action", Action);
            Add("from", From);
            Add("to", To);
            Add("before", before);
            Add("after", after);
            return "/admin/audit" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
        }

        public bool HasConditions => Who is not null || Entity is not null || Action is not null || From is not null || To is not null;

        /// <summary>The same filters over every record of the type, not only the one whose history is shown.</summary>
        public Query AllRecords => this with { Record = null };
    }

    public Query Current { get; private set; } = new(null, null, null, null, null);

    public AuditPage Results { get; private set; } = new([], false, false);

    public AuditChoices Choices { get; private set; } = new([], [], []);

    public TimeZoneInfo Zone { get; private set; } = TimeZoneInfo.Utc;

    public async Task OnGetAsync(string? who, string? entity, string? record, string? action, string? from, string? to, long? before, long? after, CancellationToken ct)
    {
        // A record's history needs its type: a record id alone says nothing.
        Current = new Query(Clean(who), Clean(entity), Clean(action), Clean(from), Clean(to), Clean(entity) is null ? null : Clean(record));
        Zone = TimeDisplay.ZoneOf(User);
        var fromDate = ParseDate(Current.From, "from", "from date");
        var toDate = ParseDate(Current.To, "to", "to date");
        if (fromDate is DateOnly first && toDate is DateOnly last && last < first)
        {
            ModelState.AddModelError("to", $"The to date ({Day(last)}) is before the from date ({Day(first)}); the dates are not applied.");
            fromDate = toDate = null;
        }

        await using var db = await dataSource.OpenConnectionAsync(ct);
        Choices = await AuditLog.ChoicesAsync(db, ct);
        var filter = new AuditFilter
        {
            ActorId = long.TryParse(Current.Who, NumberStyles.None, CultureInfo.InvariantCulture, out var actorId) ? actorId : null,
            WithoutStaff = Current.Who == WithoutStaff,
            Entity = Current.Entity,
            EntityId = Current.Record,
            Action = Current.Action is { } exact && !IsGroup(exact) ? exact : null,
            Actions = Current.Action is { } prefix && IsGroup(prefix) ? Choices.Actions.Where(a => a.StartsWith(prefix, StringComparison.Ordinal)).ToList() : null,
            // From the first instant of the first day to the first instant after the last one, in the viewer's zone.
            From = fromDate is DateOnly f ? BriefingSchedule.ToUtc(f.ToDateTime(TimeOnly.MinValue), Zone) : null,
            Until = toDate is DateOnly t ? BriefingSchedule.ToUtc(t.AddDays(1).ToDateTime(TimeOnly.MinValue), Zone) : null,
        };
        Results = await AuditLog.ReadAsync(db, filter, before, after, ct);
    }

    /// <summary>An action value ending in "." stands for every action of that group, as "briefing." for briefing.approve, briefing.run ...</summary>
    public static bool IsGroup(string action) => action.EndsWith('.');

    public string? Error(string field) =>
        ModelState.TryGetValue(field, out var entry) && entry.Errors.Count > 0 ? entry.Errors[0].ErrorMessage : null;

    public string When(DateTime occurredAt) =>
        TimeDisplay.Format(occurredAt, User);

    private DateOnly? ParseDate(string? value, string field, string name)
    {
        if (value is null)
        {
            return null;
        }
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return date;
        }
        ModelState.AddModelError(field, $"The {name} is not a date: enter it as year-month-day, like {Day(DateOnly.FromDateTime(TimeZoneInfo.ConvertTimeFromUtc(DateTime.UtcNow, Zone)))}.");
        return null;
    }

    private static string Day(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
