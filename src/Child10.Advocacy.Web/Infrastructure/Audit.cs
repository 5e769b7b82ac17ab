using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Infrastructure;

/// <summary>Who did something: a signed-in staff member, or the system itself (a job, a command, a link).</summary>
public sealed record Actor(long? StaffId, string Label)
{
    public static Actor System(string what) => new(null, "system:" + what);

    public static Actor From(ClaimsPrincipal user)
    {
        var id = user.FindFirstValue(StaffClaims.StaffId);
        var name = user.Identity?.Name ?? "unknown";
        return id is not null && long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var staffId)
            ? new Actor(staffId, name)
            : throw new InvalidOperationException("The signed-in user carries no staff id claim.");
    }
}

/// <summary>The one way every write leaves its audit_event row, inside the write's own transaction.</summary>
public static class Audit
{
    private const string InsertSql = """
        insert into audit_event (actor_id, actor_label, action, entity, entity_id, data)
        values (@actorId, @actorLabel, @action, @entity, @entityId, cast(@data as jsonb))
        """;

    public static Task RecordAsync(
        this NpgsqlConnection db,
        NpgsqlTransaction? transaction,
        Actor actor,
        string action,
        string entity,
        object? entityId,
        object? data,
        CancellationToken ct)
    {
        var args = new
        {
            actorId = actor.StaffId,
            actorLabel = actor.Label,
            action,
            entity,
            entityId = entityId is null ? null : Convert.ToString(entityId, CultureInfo.InvariantCulture),
            data = JsonSerializer.Serialize(data ?? new { }),
        };
        return db.ExecuteAsync(new CommandDefinition(InsertSql, args, transaction, cancellationToken: ct));
    }
}
