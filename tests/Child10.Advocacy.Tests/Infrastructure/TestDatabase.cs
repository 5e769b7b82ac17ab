using System.Diagnostics;
using Child10.Advocacy.Web.Infrastructure.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Respawn;

namespace Child10.Advocacy.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL database per test run, built from migrations/ once and reset between tests.
/// The server comes from TEST_POSTGRES (an admin connection string), else the project's private cluster (scripts/pg).
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    private Respawner? respawner;

    public string ConnectionString { get; private set; } = "";

    public string AdminConnectionString { get; private set; } = "";

    public NpgsqlDataSource DataSource { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        AdminConnectionString = Environment.GetEnvironmentVariable("TEST_POSTGRES") is { Length: > 0 } configured
            ? configured
            : await StartPrivateClusterAsync();
        var name = $"child10_test_{Environment.ProcessId}";
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"drop database if exists {name} with (force)", admin);
            await drop.ExecuteNonQueryAsync();
            await using var create = new NpgsqlCommand($"create database {name}", admin);
            await create.ExecuteNonQueryAsync();
        }
        ConnectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
        DataSource = NpgsqlDataSource.Create(ConnectionString);
        DapperConventions.Apply();
        await new Migrations(DataSource, NullLogger<Migrations>.Instance).ApplyAsync(CancellationToken.None);

        await using var db = await DataSource.OpenConnectionAsync();
        respawner = await Respawner.CreateAsync(db, new RespawnerOptions
        {
            DbAdapter = DbAdapter.Postgres,
            SchemasToInclude = ["public"],
            // Reference data loaded by migrations stays; everything a test writes goes.
            TablesToIgnore = ["schemaversions", "country", "region", "theme"],
            WithReseed = true,
        });
    }

    public async Task ResetAsync()
    {
        await using var db = await DataSource.OpenConnectionAsync();
        await respawner!.ResetAsync(db);
    }

    public async Task DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.OpenAsync();
        await using var drop = new NpgsqlCommand($"drop database if exists {new NpgsqlConnectionStringBuilder(ConnectionString).Database} with (force)", admin);
        await drop.ExecuteNonQueryAsync();
    }

    private static async Task<string> StartPrivateClusterAsync()
    {
        var start = new ProcessStartInfo(Path.Combine(Repository.Root, "scripts", "pg"), "start")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not run scripts/pg start");
        var output = await process.StandardOutput.ReadToEndAsync();
        var errors = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return process.ExitCode == 0
            ? output.Trim()
            : throw new InvalidOperationException($"scripts/pg start failed ({process.ExitCode}): {errors}");
    }
}

[CollectionDefinition(Name)]
public sealed class DatabaseGroup : ICollectionFixture<TestDatabase>
{
    public const string Name = "database";
}
