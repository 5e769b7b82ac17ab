using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Child10.Advocacy.Web.Infrastructure.Database;

/// <summary>Ready means the database answers and every migration has been applied.</summary>
public sealed class DatabaseReadyCheck(NpgsqlDataSource dataSource, Migrations migrations) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = dataSource.CreateCommand("select 1");
            await command.ExecuteScalarAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException)
        {
            return HealthCheckResult.Unhealthy("database unreachable");
        }

        var pending = migrations.Pending();
        return pending.Count == 0
            ? HealthCheckResult.Healthy("database reachable, migrations applied")
            : HealthCheckResult.Unhealthy($"{pending.Count} migration(s) not applied: {string.Join(", ", pending)}");
    }
}
