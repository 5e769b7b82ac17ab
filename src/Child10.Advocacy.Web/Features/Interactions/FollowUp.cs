using System.Security.Claims;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Interactions;

/// <summary>Closing and reopening a follow-up; the interaction page and "My follow-ups" both do it.</summary>
public static class FollowUp
{
    private const string DoneSql = """
        update interaction
        set follow_up_done_at = now(), updated_at = now()
        where id = @id and follow_up_on is not null and follow_up_done_at is null
        """;

    private const string ReopenSql = """
        update interaction
        set follow_up_done_at = null, updated_at = now()
        where id = @id and follow_up_on is not null and follow_up_done_at is not null
        """;

    /// <summary>Today's date where the signed-in staff member is: what "overdue" is measured against.</summary>
    public static DateOnly Today(ClaimsPrincipal user) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeDisplay.ZoneOf(user)).DateTime);

    /// <summary>Marks the follow-up done; false when there was no open follow-up to close.</summary>
    public static Task<bool> MarkDoneAsync(NpgsqlDataSource dataSource, long id, Actor actor, CancellationToken ct) =>
        ChangeAsync(dataSource, DoneSql, "interaction.follow_up_done", id, actor, ct);

    /// <summary>Reopens a follow-up marked done by mistake; false when there was none to reopen.</summary>
    public static Task<bool> ReopenAsync(NpgsqlDataSource dataSource, long id, Actor actor, CancellationToken ct) =>
        ChangeAsync(dataSource, ReopenSql, "interaction.follow_up_reopen", id, actor, ct);

    private static async Task<bool> ChangeAsync(NpgsqlDataSource dataSource, string sql, string action, long id, Actor actor, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var changed = await db.ExecuteAsync(new CommandDefinition(sql, new { id }, tx, cancellationToken: ct));
        if (changed == 0)
        {
            return false;
        }
        await db.RecordAsync(tx, actor, action, "interaction", id, null, ct);
        await tx.CommitAsync(ct);
        return true;
    }
}
