using Child10.Advocacy.Web.Infrastructure.Auth;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;

namespace Child10.Advocacy.Web.Infrastructure.Hosting;

/// <summary>Hangfire on PostgreSQL (schema "hangfire"): every instance stores jobs, worker instances run them.</summary>
public static class Jobs
{
    public const string Schema = "hangfire";
    public const string DashboardPath = "/jobs";

    public static void AddJobs(this WebApplicationBuilder builder, string connectionString, HostingRole role)
    {
        var workerCount = ConfigurationReader.Number(builder.Configuration, "Hosting:WorkerCount", Math.Max(2, Environment.ProcessorCount * 2), 1, 100);
        builder.Services.AddHangfire(configuration => configuration
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(
                options => options.UseNpgsqlConnection(connectionString),
                new PostgreSqlStorageOptions { SchemaName = Schema, PrepareSchemaIfNecessary = true }));

        if (role.RunsJobs())
        {
            builder.Services.AddHangfireServer(options =>
            {
                options.ServerName = $"{Environment.MachineName}:{Environment.ProcessId}";
                options.WorkerCount = workerCount;
            });
        }
    }

    public static void MapJobsDashboard(this WebApplication app)
    {
        // Access is decided by the endpoint's authorisation policy, not Hangfire's local-only default.
        app.MapHangfireDashboard(DashboardPath, new DashboardOptions
        {
            Authorization = [],
            AsyncAuthorization = [],
            DashboardTitle = "Child10 Advocacy — jobs",
            AppPath = "/",
        }).RequireAuthorization(Policies.AdminOnly);
    }
}
