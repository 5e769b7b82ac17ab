using System.Net;
using System.Text.Json;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Demo;
using Child10.Advocacy.Web.Features.Briefings;
using Child10.Advocacy.Web.Features.Digests;
using Child10.Advocacy.Web.Features.SignOff;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Features.Statements;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Child10.Advocacy.Web.Infrastructure.Database;
using Child10.Advocacy.Web.Infrastructure.Hosting;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Child10.Advocacy.Web;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var command = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : null;
        var rest = command is null ? args : args[1..];
        try
        {
            await using var app = Build(rest);
            switch (command)
            {
                case null:
                    await PrepareAsync(app, CancellationToken.None);
                    await app.RunAsync();
                    return 0;
                case "migrate":
                    var applied = await app.Services.GetRequiredService<Migrations>().ApplyAsync(CancellationToken.None);
                    Console.WriteLine(applied.Count == 0 ? "Database is up to date." : $"Applied {applied.Count} migration(s): {string.Join(", ", applied)}");
                    return 0;
                case "seed-demo":
                    await app.Services.GetRequiredService<Migrations>().ApplyAsync(CancellationToken.None);
                    var seeded = await DemoSeed.RunAsync(app.Services.GetRequiredService<NpgsqlDataSource>(), CancellationToken.None);
                    Console.WriteLine($"Demo data in place: {seeded.StaffUsers} staff users, {seeded.Organisations} organisations, {seeded.People} people.");
                    return 0;
                default:
                    await Console.Error.WriteLineAsync($"Unknown command '{command}'. Commands: migrate, seed-demo (or none to serve).");
                    return 2;
            }
        }
        catch (ConfigurationException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
        catch (MigrationFailedException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 3;
        }
    }

    /// <summary>Composes the app. Tests call this with extra configuration, then <see cref="PrepareAsync"/> and StartAsync.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // The application name decides where Razor Pages are discovered; tests run under another entry assembly.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(Program).Assembly.GetName().Name });
        configure?.Invoke(builder);
        var config = builder.Configuration;

        var role = HostingRoles.Read(config);
        var connectionString = ConfigurationReader.Required(config, "ConnectionStrings:Postgres");
        try
        {
            _ = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ConfigurationException("ConnectionStrings:Postgres", $"is not a valid PostgreSQL connection string ({ex.Message})");
        }
        ConfigurationReader.Flag(config, "Database:MigrateOnStartup", fallback: true);

        DapperConventions.Apply();
        builder.Services.AddNpgsqlDataSource(WithPreparedStatements(connectionString));
        builder.Services.AddSingleton<Migrations>();
        builder.Services.AddSingleton<NetworkSummary>();
        builder.Services.AddSingleton<Places>();
        builder.Services.AddDataProtection().SetApplicationName("child10-advocacy");
        builder.Services.AddOptions<KeyManagementOptions>()
            .Configure<NpgsqlDataSource>((options, dataSource) => options.XmlRepository = new PostgresXmlRepository(dataSource));

        builder.AddStaffAuthentication();
        builder.AddJobs(connectionString, role);
        builder.AddEmail(role);
        builder.AddDigests(role);
        builder.AddStatements();
        builder.AddSignOff(role);
        builder.AddBriefings(role);
        builder.AddPublicRateLimit();
        builder.Services.AddHealthChecks().AddCheck<DatabaseReadyCheck>("database", tags: ["ready"]);
        builder.Services.AddRazorPages(options =>
        {
            options.Conventions.RequireCanEditForWrites();
            options.Conventions.RefuseNulCharacters();
        });
        // Names in every script the network works in are written as they are, not as &#x...; entities.
        builder.Services.Configure<Microsoft.Extensions.WebEncoders.WebEncoderOptions>(options =>
            options.TextEncoderSettings = new System.Text.Encodings.Web.TextEncoderSettings(System.Text.Unicode.UnicodeRanges.All));
        builder.Services.AddAntiforgery(options =>
        {
            options.Cookie.Name = "child10.antiforgery";
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        ConfigureForwardedHeaders(builder);

        var app = builder.Build();
        ConfigurePipeline(app, role);
        return app;
    }

    /// <summary>Start-up work before serving: migrations, unless Database:MigrateOnStartup is false.</summary>
    public static async Task PrepareAsync(WebApplication app, CancellationToken ct)
    {
        if (ConfigurationReader.Flag(app.Configuration, "Database:MigrateOnStartup", fallback: true))
        {
            await app.Services.GetRequiredService<Migrations>().ApplyAsync(ct);
        }
    }

    private static void ConfigurePipeline(WebApplication app, HostingRole role)
    {
        if (ConfigurationReader.Flag(app.Configuration, "ForwardedHeaders:Enabled", fallback: false))
        {
            app.UseForwardedHeaders();
        }
        app.UseExceptionHandler("/error");
        app.UseStatusCodePagesWithReExecute("/error/{0}");
        app.UseMiddleware<SecurityHeaders>();
        app.UseStaticFiles();
        app.UseRouting();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseRateLimiter();

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResponseWriter = WriteHealthAsync,
        }).AllowAnonymous();

        if (role.ServesPages())
        {
            app.MapRazorPages();
            app.MapJobsDashboard();
        }
    }

    private static Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }));
    }

    private static void ConfigureForwardedHeaders(WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        if (!ConfigurationReader.Flag(config, "ForwardedHeaders:Enabled", fallback: false))
        {
            return;
        }
        var proxies = Split(config["ForwardedHeaders:KnownProxies"]);
        var networks = Split(config["ForwardedHeaders:KnownNetworks"]);
        if (proxies.Length == 0 && networks.Length == 0)
        {
            throw new ConfigurationException("ForwardedHeaders:KnownProxies", "must list the proxy addresses (or ForwardedHeaders:KnownNetworks the networks) when ForwardedHeaders:Enabled is true");
        }
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies)
            {
                options.KnownProxies.Add(IPAddress.TryParse(proxy, out var address)
                    ? address
                    : throw new ConfigurationException("ForwardedHeaders:KnownProxies", $"has '{proxy}', which is not an IP address"));
            }
            foreach (var network in networks)
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                    ? parsed
                    : throw new ConfigurationException("ForwardedHeaders:KnownNetworks", $"has '{network}', which is not a CIDR network such as 10.0.0.0/8"));
            }
        });
    }

    /// <summary>
    /// Statements the app runs again and again (every page's queries) are prepared on each pooled connection after
    /// their second use, so PostgreSQL parses and plans them once instead of on every request. A "Max Auto Prepare"
    /// in the connection string wins.
    /// <para>
    /// A connection going back to the pool is not reset (one more round trip and statement per request, for
    /// state the app never leaves: settings are "set local", temporary tables "on commit drop", advisory locks
    /// transaction-scoped or released in a finally, and an open transaction is rolled back by the pool anyway).
    /// A "No Reset On Close" in the connection string wins.
    /// </para>
    /// </summary>
    internal static string WithPreparedStatements(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        if (builder.MaxAutoPrepare == 0)
        {
            builder.MaxAutoPrepare = 100;
            builder.AutoPrepareMinUsages = 2;
        }
        var stated = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!stated.ContainsKey("No Reset On Close") && !stated.ContainsKey("NoResetOnClose"))
        {
            builder.NoResetOnClose = true;
        }
        return builder.ConnectionString;
    }

    private static string[] Split(string? value) =>
        (value ?? "").Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
