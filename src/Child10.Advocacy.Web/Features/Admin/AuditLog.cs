using System.Globalization;
using System.Text;
using System.Text.Json;
using Child10.Advocacy.Web.Features.Stakeholders;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Admin;

/// <summary>Which audit events to show; every part is optional. Dates are already instants (the page converts the viewer's days).</summary>
public sealed record AuditFilter
{
    public long? ActorId { get; init; }

    /// <summary>Only events no staff member caused: jobs, email links, signatories.</summary>
    public bool WithoutStaff { get; init; }

    public string? Entity { get; init; }

    /// <summary>One record's history: the id of a record of <see cref="Entity"/> (ignored without it).</summary>
    public string? EntityId { get; init; }

    public string? Action { get; init; }

    /// <summary>When set, any of these actions (a prefix such as "briefing." resolved against the actions in the log).</summary>
    public IReadOnlyList<string>? Actions { get; init; }

    /// <summary>Inclusive.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Exclusive.</summary>
    public DateTimeOffset? Until { get; init; }
}

public sealed record AuditEvent(
    long Id, DateTime OccurredAt, long? ActorId, string ActorLabel, string Action, string Entity, string? EntityId, string Data, long? RoundId);

/// <summary>One page of events, newest first, and whether there are events on either side of it.</summary>
public sealed record AuditPage(IReadOnlyList<AuditEvent> Events, bool HasOlder, bool HasNewer);

/// <summary>The values the audit log's selects offer: only those present in the log.</summary>
public sealed record AuditChoices(IReadOnlyList<NamedOption> Staff, IReadOnlyList<string> Entities, IReadOnlyList<string> Actions);

/// <summary>
/// Reads the append-only audit trail for the admins' audit log, 50 events at a time by keyset on id (never OFFSET:
/// the table only grows). Unfiltered, or filtered by who, record type or one action, a page reads 51 entries of the
/// primary key or of an index of migration 0029, in id order.
/// </summary>
public static class AuditLog
{
    public const int PageSize = 50;

    private const string Columns = """
        select a.id, a.occurred_at, a.actor_id, a.actor_label, a.action, a.entity, a.entity_id, a.data::text as data,
               case when a.entity = 'signoff_request' and a.entity_id ~ '^[0-9]{1,18}$'
                    then (select r.round_id from signoff_request r where r.id = a.entity_id::bigint) end as round_id
        from audit_event a
        """;

    // Distinct actions and record types by skipping through their indexes, one probe per value, not the whole table.
    private static string PresentValues(string column) => $"""
        with recursive present as (
            (select {column} from audit_event order by {column} limit 1)
            union all
            select (select a.{column} from audit_event a where a.{column} > present.{column} order by a.{column} limit 1)
            from present where present.{column} is not null
        )
        select {column} from present where {column} is not null;
        """;

    private static readonly string ChoicesSql = $"""
        select s.id, s.display_name as name
        from staff_user s
        where exists (select 1 from audit_event a where a.actor_id = s.id)
        order by sort_key(s.display_name), s.id;

        {PresentValues("entity")}

        {PresentValues("action")}
        """;

    public static async Task<AuditChoices> ChoicesAsync(NpgsqlConnection db, CancellationToken ct)
    {
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(ChoicesSql, cancellationToken: ct));
        var staff = (await reader.ReadAsync<NamedOption>()).ToList();
        var entities = (await reader.ReadAsync<string>()).ToList();
        var actions = (await reader.ReadAsync<string>()).ToList();
        return new AuditChoices(staff, entities, actions);
    }

    /// <summary>
    /// The newest page, or the page of older events before <paramref name="before"/>, or of newer events after
    /// <paramref name="after"/> (ids of the last and first event shown).
    /// </summary>
    public static async Task<AuditPage> ReadAsync(NpgsqlConnection db, AuditFilter filter, long? before, long? after, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var args = Arguments(filter);
        if (after is long newerThan)
        {
            args.Add("after", newerThan);
            var newer = await QueryAsync(db, PageSql(filter, "a.id > @after", newestFirst: false), args, ct);
            // Fewer than a page left above: that is the newest page, shown whole.
            if (newer.Count > PageSize)
            {
                var shown = newer.Take(PageSize).Reverse().ToList();
                return new AuditPage(shown, await ExistsAsync(db, filter, "a.id < @pivot", shown[^1].Id, ct), HasNewer: true);
            }
            before = null;
        }
        if (before is long olderThan)
        {
            args.Add("before", olderThan);
        }
        var rows = await QueryAsync(db, PageSql(filter, before is null ? null : "a.id < @before", newestFirst: true), args, ct);
        var page = rows.Take(PageSize).ToList();
        var hasNewer = before is long pivot && await ExistsAsync(db, filter, "a.id > @pivot", page.Count > 0 ? page[0].Id : pivot - 1, ct);
        return new AuditPage(page, rows.Count > PageSize, hasNewer);
    }

    /// <summary>The statement of one page (51 rows: the 51st says whether an older page exists); tests read its plan.</summary>
    internal static string PageSql(AuditFilter filter, string? keyset, bool newestFirst)
    {
        var sql = new StringBuilder(Columns);
        AppendWhere(sql, filter, keyset);
        sql.Append(newestFirst ? "\norder by a.id desc" : "\norder by a.id");
        sql.Append(CultureInfo.InvariantCulture, $"\nlimit {PageSize + 1}");
        return sql.ToString();
    }

    private static async Task<List<AuditEvent>> QueryAsync(NpgsqlConnection db, string sql, DynamicParameters args, CancellationToken ct) =>
        (await db.QueryAsync<AuditEvent>(new CommandDefinition(sql, args, cancellationToken: ct))).ToList();

    private static async Task<bool> ExistsAsync(NpgsqlConnection db, AuditFilter filter, string keyset, long pivot, CancellationToken ct)
    {
        var sql = new StringBuilder("select exists (select 1 from audit_event a");
        AppendWhere(sql, filter, keyset);
        sql.Append(')');
        var args = Arguments(filter);
        args.Add("pivot", pivot);
        return await db.ExecuteScalarAsync<bool>(new CommandDefinition(sql.ToString(), args, cancellationToken: ct));
    }

    // Only the conditions a filter sets are written, so each combination is its own statement with its own plan:
    // "(@x is null or a.x = @x)" would give a generic plan that cannot use the indexes.
    private static void AppendWhere(StringBuilder sql, AuditFilter filter, string? keyset)
    {
        var conditions = new List<string>();
        if (filter.ActorId is not null)
        {
            conditions.Add("a.actor_id = @actorId");
        }
        else if (filter.WithoutStaff)
        {
            conditions.Add("a.actor_id is null");
        }
        if (filter.Entity is not null)
        {
            conditions.Add("a.entity = @entity");
            if (filter.EntityId is not null)
            {
                // audit_event_entity_idx (0001) finds one record's events; they are few, so sorting them by id is cheap.
                conditions.Add("a.entity_id = @entityId");
            }
        }
        if (filter.Actions is not null)
        {
            conditions.Add("a.action = any(@actions)");
        }
        else if (filter.Action is not null)
        {
            conditions.Add("a.action = @action");
        }
        // Dates go by occurred_at while pages go by id. At 1,000,000 events a day's page reads that day from
        // audit_event_occurred_at_idx (under 2 ms), but a page well in the past with a to date can walk back through
        // every newer event first (100 to 250 ms). Ids bounded from the dates would be faster, and would hide an event
        // whose time does not follow its id (one written with an explicit time); a trail must not do that.
        if (filter.From is not null)
        {
            conditions.Add("a.occurred_at >= @from");
        }
        if (filter.Until is not null)
        {
            conditions.Add("a.occurred_at < @until");
        }
        if (keyset is not null)
        {
            conditions.Add(keyset);
        }
        if (conditions.Count > 0)
        {
            sql.Append("\nwhere ").AppendJoin("\n  and ", conditions);
        }
    }

    private static DynamicParameters Arguments(AuditFilter filter)
    {
        var args = new DynamicParameters();
        void Add(string name, object? value)
        {
            if (value is not null)
            {
                args.Add(name, value);
            }
        }
        Add("actorId", filter.ActorId);
        Add("entity", filter.Entity);
        Add("entityId", filter.Entity is null ? null : filter.EntityId);
        Add("action", filter.Action);
        Add("actions", filter.Actions?.ToArray());
        Add("from", filter.From);
        Add("until", filter.Until);
        return args;
    }

    // ----- How an event reads -----

    private static readonly Dictionary<string, string> ActionLabels = new(StringComparer.Ordinal)
    {
        ["briefing.approve"] = "Approved briefing",
        ["briefing.cancel"] = "Cancelled briefing",
        ["briefing.create"] = "Created briefing",
        ["briefing.pause"] = "Paused briefing",
        ["briefing.resume"] = "Resumed briefing",
        ["briefing.run"] = "Sent briefing run",
        ["briefing.schedule"] = "Scheduled briefing",
        ["briefing.test"] = "Sent test briefing",
        ["briefing.update"] = "Updated briefing",
        ["calendar_feed.create"] = "Created calendar feed",
        ["calendar_feed.renew"] = "Renewed calendar feed",
        ["calendar_feed.revoke"] = "Revoked calendar feed",
        ["campaign.create"] = "Created campaign",
        ["campaign.update"] = "Updated campaign",
        ["campaign_target.create"] = "Added campaign target",
        ["campaign_target.delete"] = "Removed campaign target",
        ["campaign_target.progress"] = "Moved target's progress",
        ["campaign_target.update"] = "Updated campaign target",
        ["consultation.create"] = "Created consultation",
        ["consultation.update"] = "Updated consultation",
        ["demo.seed"] = "Loaded demo data",
        ["digest.send"] = "Sent deadline digest",
        ["import.commit"] = "Imported file",
        ["import.upload"] = "Uploaded import file",
        ["interaction.create"] = "Logged interaction",
        ["interaction.follow_up_done"] = "Completed follow-up",
        ["interaction.follow_up_reopen"] = "Reopened follow-up",
        ["interaction.update"] = "Updated interaction",
        ["mail.cancel"] = "Cancelled email",
        ["mail.retry"] = "Retried email",
        ["mail.test"] = "Sent test email",
        ["milestone.create"] = "Added milestone",
        ["milestone.delete"] = "Deleted milestone",
        ["milestone.done"] = "Completed milestone",
        ["milestone.reopen"] = "Reopened milestone",
        ["organisation.create"] = "Created organisation",
        ["organisation.update"] = "Updated organisation",
        ["person.create"] = "Created person",
        ["person.erase"] = "Erased person",
        ["person.export"] = "Exported person's data",
        ["person.privacy_notice_sent"] = "Marked privacy notices sent",
        ["person.update"] = "Updated person",
        ["segment.create"] = "Saved segment",
        ["segment.delete"] = "Deleted segment",
        ["signoff.answer"] = "Answered sign-off",
        ["signoff.cancel"] = "Cancelled sign-off round",
        ["signoff.chase"] = "Sent sign-off reminders",
        ["signoff.close"] = "Closed sign-off round",
        ["signoff.open"] = "Opened sign-off round",
        ["signoff.resend"] = "Resent sign-off request",
        ["signoff.supersede"] = "Superseded sign-off round",
        ["staff.deactivate"] = "Deactivated staff member",
        ["staff.hand_over"] = "Handed over a staff member's work",
        ["staff.reactivate"] = "Reactivated staff member",
        ["staff.role_change"] = "Changed staff role",
        ["staff.sign_in"] = "Signed in",
        ["statement.create"] = "Created statement",
        ["statement.create_variant"] = "Created statement variant",
        ["statement.publish"] = "Published statement",
        ["statement.set_release_date"] = "Set release date",
        ["statement.withdraw"] = "Withdrew statement",
        ["statement_version.create"] = "Added statement version",
        ["suppression.hard_bounce"] = "Suppressed after hard bounce",
        ["suppression.unsubscribe"] = "Unsubscribed",
        ["theme.create"] = "Created policy area",
        ["theme.delete"] = "Deleted policy area",
        ["theme.update"] = "Updated policy area",
    };

    // Record types, and the first part of action codes that is not a record type.
    private static readonly Dictionary<string, string> KindLabels = new(StringComparer.Ordinal)
    {
        ["briefing"] = "Briefing",
        ["calendar_feed"] = "Calendar feed",
        ["calendar_feed_token"] = "Calendar feed",
        ["campaign"] = "Campaign",
        ["campaign_target"] = "Campaign target",
        ["consultation"] = "Consultation",
        ["database"] = "Database",
        ["demo"] = "Demo data",
        ["digest"] = "Deadline digest",
        ["import"] = "Import",
        ["import_batch"] = "Import",
        ["interaction"] = "Interaction",
        ["mail"] = "Email",
        ["milestone"] = "Milestone",
        ["organisation"] = "Organisation",
        ["outbox_message"] = "Email",
        ["person"] = "Person",
        ["segment"] = "Segment",
        ["signoff"] = "Sign-off",
        ["signoff_request"] = "Sign-off request",
        ["signoff_round"] = "Sign-off round",
        ["staff"] = "Staff",
        ["staff_user"] = "Staff member",
        ["statement"] = "Statement",
        ["statement_version"] = "Statement version",
        ["suppression"] = "Suppression",
        ["theme"] = "Policy area",
    };

    /// <summary>"Updated person" for person.update; an action the app does not know yet reads as its code.</summary>
    public static string ActionLabel(string action) => ActionLabels.GetValueOrDefault(action, action);

    /// <summary>A record type or action group in words: "Sign-off round" for signoff_round, else the code itself.</summary>
    public static string KindLabel(string kind) => KindLabels.GetValueOrDefault(kind, kind);

    /// <summary>"briefing" for briefing.approve: the group an action belongs to in the action select.</summary>
    public static string ActionGroup(string action) => action.Split('.', 2)[0];

    /// <summary>The page of the record an event is about, where the app has one; null for records without a page.</summary>
    public static string? RecordHref(AuditEvent e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (!long.TryParse(e.EntityId, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
        {
            return null;
        }
        var campaignId = DataId(e.Data, "campaign_id");
        return e.Entity switch
        {
            "person" => $"/stakeholders/people/{id}",
            "organisation" => $"/stakeholders/organisations/{id}",
            "campaign" => $"/campaigns/{id}",
            "campaign_target" when campaignId is long c => e.Action == "campaign_target.delete" ? $"/campaigns/{c}" : $"/campaigns/{c}/targets/{id}",
            "milestone" when campaignId is long c => $"/campaigns/{c}",
            "statement" => $"/statements/{id}",
            "statement_version" when DataId(e.Data, "statement_id") is long s => $"/statements/{s}",
            "signoff_round" => $"/signoff/rounds/{id}",
            "signoff_request" when (e.RoundId ?? DataId(e.Data, "round_id")) is long r => $"/signoff/rounds/{r}",
            "consultation" => $"/consultations/{id}",
            "interaction" => $"/interactions/{id}",
            "briefing" => $"/briefings/{id}",
            "outbox_message" => $"/mail/{id}",
            "import_batch" => $"/stakeholders/import/{id}",
            "staff_user" => $"/admin/staff/{id}",
            _ => null,
        };
    }

    /// <summary>The event's data as "key: value" pairs, in stored order; lists join with commas, nested objects stay JSON.</summary>
    public static IReadOnlyList<(string Key, string Value)> DataPairs(string data)
    {
        using var json = JsonDocument.Parse(data);
        var root = json.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return root.ValueKind == JsonValueKind.Null ? [] : [("value", Text(root))];
        }
        return root.EnumerateObject().Select(p => (p.Name, Text(p.Value))).ToList();
    }

    /// <summary>A value cut to what fits a table cell, with an ellipsis; the page shows the whole of it on request.</summary>
    public static string Shorten(string value, int length = 80)
    {
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length <= length)
        {
            return value;
        }
        var cut = char.IsHighSurrogate(value[length - 1]) ? length - 1 : length;
        return value[..cut].TrimEnd() + "…";
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Null => "none",
        JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array)) =>
            value.GetArrayLength() == 0 ? "none" : string.Join(", ", value.EnumerateArray().Select(Text)),
        _ => value.GetRawText(),
    };

    private static long? DataId(string data, string key)
    {
        using var json = JsonDocument.Parse(data);
        return json.RootElement.ValueKind == JsonValueKind.Object
            && json.RootElement.TryGetProperty(key, out var value)
            && value.ValueKind == JsonValueKind.Number
            && value.TryGetInt64(out var id)
                ? id
                : null;
    }
}
