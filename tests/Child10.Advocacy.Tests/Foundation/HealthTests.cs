using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Npgsql;

namespace Child10.Advocacy.Tests.Foundation;

[Collection(DatabaseGroup.Name)]
public sealed class HealthTests(TestDatabase database)
{
    [Fact]
    public async Task Live_And_Ready_AnswerAnonymously_WhenDatabaseIsMigrated()
    {
        await using var app = await TestApp.StartAsync(database);
        using var client = app.CreateClient();

        using var live = await client.GetAsync("/health/live");
        using var ready = await client.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("migrations applied", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_WhenDatabaseUnreachable_Answers503_AndPagesShowAFriendlyError()
    {
        var unreachable = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Port = FreePort(), Timeout = 3 }.ConnectionString;
        await using var app = await StartWithoutMigratingAsync(unreachable);
        using var client = app.CreateClient();

        using var live = await client.GetAsync("/health/live");
        using var ready = await client.GetAsync("/health/ready");
        using var page = await client.GetAsync("/account/sign-in");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("database unreachable", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, page.StatusCode);
        Assert.Contains("The database is not reachable right now", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", html.Replace(" at the ", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_WhenMigrationsAreNotApplied_Answers503NamingThem()
    {
        var name = $"child10_unmigrated_{Environment.ProcessId}";
        await using (var admin = new NpgsqlConnection(database.AdminConnectionString))
        {
            await admin.OpenAsync();
            await new NpgsqlCommand($"drop database if exists {name} with (force); ", admin).ExecuteNonQueryAsync();
            await new NpgsqlCommand($"create database {name}", admin).ExecuteNonQueryAsync();
        }
        try
        {
            var empty = new NpgsqlConnectionStringBuilder(database.ConnectionString) { Database = name }.ConnectionString;
            await using var app = await StartWithoutMigratingAsync(empty);
            using var client = app.CreateClient();

            using var ready = await client.GetAsync("/health/ready");

            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            Assert.Contains("0001_foundation.sql", await ready.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(database.AdminConnectionString);
            await admin.OpenAsync();
            await new NpgsqlCommand($"drop database if exists {name} with (force)", admin).ExecuteNonQueryAsync();
        }
    }

    private static Task<TestApp> StartWithoutMigratingAsync(string connectionString) =>
        TestApp.StartAsync(connectionString, new Dictionary<string, string?> { ["Database:MigrateOnStartup"] = "false" });

    private static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
