using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Infrastructure.Auth;

public sealed record StaffUserRow(long Id, string Issuer, string Subject, string? Email, string DisplayName, string Role, string TimeZone, bool IsActive);

/// <summary>Turns a verified identity (OpenID Connect, or a demo user in Development) into the app's staff principal.</summary>
public sealed class StaffSignIn(NpgsqlDataSource dataSource, IConfiguration config, ILogger<StaffSignIn> logger)
{
    public const string DemoIssuer = "local-dev";

    private const string UpsertSql = """
        insert into staff_user (issuer, subject, email, display_name, role, provider_role, last_sign_in_at)
        values (@issuer, @subject, @email, @displayName, coalesce(@role, 'viewer'), @role, now())
        on conflict (issuer, subject) do update set
            email           = coalesce(excluded.email, staff_user.email),
            display_name    = excluded.display_name,
            role            = coalesce(@role, staff_user.role),
            provider_role   = @role,
            last_sign_in_at = now()
        returning id, issuer, subject, email, display_name, role, time_zone, is_active
        """;

    private const string TouchDemoSql = """
        update staff_user set last_sign_in_at = now()
        where id = @id and issuer = 'local-dev'
        returning id, issuer, subject, email, display_name, role, time_zone, is_active
        """;

    private const string DemoUsersSql = """
        select id, issuer, subject, email, display_name, role, time_zone, is_active
        from staff_user
        where issuer = 'local-dev' and is_active
        order by case role when 'admin' then 1 when 'lead' then 2 else 3 end, sort_key(display_name), id
        """;

    public async Task<IReadOnlyList<StaffUserRow>> DemoUsersAsync(CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        return (await db.QueryAsync<StaffUserRow>(new CommandDefinition(DemoUsersSql, cancellationToken: ct))).ToList();
    }

    /// <summary>Signs in a seeded demo user (Development without an OpenID Connect authority only).</summary>
    public async Task<ClaimsPrincipal?> SignInDemoAsync(long staffId, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var row = await db.QuerySingleOrDefaultAsync<StaffUserRow>(new CommandDefinition(TouchDemoSql, new { id = staffId }, tx, cancellationToken: ct));
        if (row is null || !row.IsActive)
        {
            return null;
        }
        await db.RecordAsync(tx, new Actor(row.Id, row.DisplayName), "staff.sign_in", "staff_user", row.Id, new { method = "demo" }, ct);
        await tx.CommitAsync(ct);
        return CreatePrincipal(row, "demo");
    }

    /// <summary>Upserts the staff row for a validated OpenID Connect identity; null when the user may not sign in.</summary>
    public async Task<ClaimsPrincipal?> SignInFromOidcAsync(ClaimsPrincipal external, CancellationToken ct)
    {
        var sub = external.FindFirst("sub") ?? external.FindFirst(ClaimTypes.NameIdentifier);
        if (sub is null)
        {
            logger.LogWarning("OpenID Connect sign-in refused: the identity has no subject claim");
            return null;
        }
        var email = external.FindFirstValue("email") ?? external.FindFirstValue(ClaimTypes.Email);
        var name = external.FindFirstValue("name") ?? external.FindFirstValue("preferred_username") ?? email ?? sub.Value;
        var role = RoleFromClaims(external);

        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var row = await db.QuerySingleAsync<StaffUserRow>(new CommandDefinition(
            UpsertSql,
            new { issuer = sub.Issuer, subject = sub.Value, email, displayName = name, role },
            tx,
            cancellationToken: ct));
        if (!row.IsActive)
        {
            await tx.RollbackAsync(ct);
            logger.LogWarning("OpenID Connect sign-in refused: staff user {StaffId} is deactivated", row.Id);
            return null;
        }
        await db.RecordAsync(tx, new Actor(row.Id, row.DisplayName), "staff.sign_in", "staff_user", row.Id, new { method = "oidc", role }, ct);
        await tx.CommitAsync(ct);
        return CreatePrincipal(row, "oidc");
    }

    /// <summary>The highest app role named by the configured claim, mapped through Oidc:RoleMap when one is set.</summary>
    public string? RoleFromClaims(ClaimsPrincipal external)
    {
        var claimType = config["Oidc:RoleClaim"] is { Length: > 0 } configured ? configured : "roles";
        var map = config.GetSection("Oidc:RoleMap").GetChildren().ToDictionary(c => c.Key, c => c.Value ?? "", StringComparer.OrdinalIgnoreCase);
        var values = external.FindAll(claimType).SelectMany(c => SplitClaimValue(c.Value));
        return values
            .Select(v => map.Count > 0 ? map.GetValueOrDefault(v) : v.ToLowerInvariant())
            .Where(r => r is not null && Roles.All.Contains(r))
            .OrderByDescending(r => Roles.Rank(r!))
            .FirstOrDefault();
    }

    private static string[] SplitClaimValue(string value)
    {
        // Some providers send a JSON array in one claim rather than one claim per role.
        if (value.StartsWith('['))
        {
            try
            {
                return JsonSerializer.Deserialize<string[]>(value) ?? [];
            }
            catch (JsonException)
            {
                return [value];
            }
        }
        return [value];
    }

    public static ClaimsPrincipal CreatePrincipal(StaffUserRow row, string authenticationType)
    {
        var claims = new List<Claim>
        {
            new(StaffClaims.StaffId, row.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, row.DisplayName),
            new(ClaimTypes.Role, row.Role),
            new(StaffClaims.TimeZone, row.TimeZone),
        };
        if (row.Email is not null)
        {
            claims.Add(new Claim(ClaimTypes.Email, row.Email));
        }
        return new ClaimsPrincipal(new ClaimsIdentity(claims, authenticationType, ClaimTypes.Name, ClaimTypes.Role));
    }
}
