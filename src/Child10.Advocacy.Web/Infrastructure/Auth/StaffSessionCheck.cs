using System.Collections.Concurrent;
using System.Security.Claims;
using Dapper;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Npgsql;

namespace Child10.Advocacy.Web.Infrastructure.Auth;

/// <summary>
/// Keeps a signed-in session in step with the staff row: a deactivated person is signed out at their next request,
/// and a changed role, name or time zone replaces the session's claims. Each instance reads a person's row at most once
/// every Auth:AccessCheckSeconds (60 by default), so a change made on another instance takes effect within that time;
/// on the instance that made it, <see cref="Forget"/> makes it take effect at once. A row read before the session's
/// cookie was issued is never used for it: the sign-in that issued the cookie may have changed the row.
/// </summary>
public sealed class StaffSessionCheck(NpgsqlDataSource dataSource, IConfiguration config, ILogger<StaffSessionCheck> logger)
{
    private const string AccessSql = """
        select id, issuer, subject, email, display_name, role, time_zone, is_active
        from staff_user
        where id = @id
        """;

    private readonly ConcurrentDictionary<long, (StaffUserRow? Row, DateTimeOffset ReadAt)> read = new();

    private readonly TimeSpan interval = TimeSpan.FromSeconds(ConfigurationReader.Number(config, "Auth:AccessCheckSeconds", 60, 0, 3600));

    /// <summary>Drops what this instance remembers of the person, so that their next request reads their row.</summary>
    public void Forget(long staffId) => read.TryRemove(staffId, out _);

    public async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var principal = context.Principal;
        if (principal?.FindFirstValue(StaffClaims.StaffId) is not { } claim || !long.TryParse(claim, out var staffId))
        {
            return;
        }
        var row = await RowAsync(staffId, context.Properties.IssuedUtc ?? DateTimeOffset.MaxValue.AddSeconds(-1), context.HttpContext.RequestAborted);
        if (row is not { IsActive: true })
        {
            logger.LogWarning("Signed out staff user {StaffId}: deactivated or no longer on record", staffId);
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }
        if (principal.FindFirstValue(ClaimTypes.Role) != row.Role
            || principal.Identity?.Name != row.DisplayName
            || principal.FindFirstValue(ClaimTypes.Email) != row.Email
            || principal.FindFirstValue(StaffClaims.TimeZone) != row.TimeZone)
        {
            context.ReplacePrincipal(StaffSignIn.CreatePrincipal(row, principal.Identity?.AuthenticationType ?? "cookie"));
            context.ShouldRenew = true;
        }
    }

    private async Task<StaffUserRow?> RowAsync(long staffId, DateTimeOffset issued, CancellationToken ct)
    {
        var now = DateTimeOffset.UtcNow;
        // The cookie keeps its issue time in whole seconds: a row read in that second may predate the sign-in.
        if (read.TryGetValue(staffId, out var known) && known.ReadAt >= issued.AddSeconds(1) && now - known.ReadAt < interval)
        {
            return known.Row;
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<StaffUserRow>(new CommandDefinition(AccessSql, new { id = staffId }, cancellationToken: ct));
        read[staffId] = (row, now);
        return row;
    }
}
