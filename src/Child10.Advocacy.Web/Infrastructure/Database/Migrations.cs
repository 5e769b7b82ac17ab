using System.Reflection;
using DbUp;
using DbUp.Engine;
using Npgsql;

namespace Child10.Advocacy.Web.Infrastructure.Database;

/// <summary>Applies the numbered scripts in migrations/ (embedded in this assembly) with DbUp.</summary>
public sealed class Migrations(NpgsqlDataSource dataSource, ILogger<Migrations> logger)
{
    // Any instance may start first; the lock makes concurrent start-ups migrate one at a time.
    private const long MigrationLockKey = 0x6368696c643130; // "child10"

    public static IReadOnlyList<SqlScript> EmbeddedScripts()
    {
        var assembly = typeof(Migrations).Assembly;
        return assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith("migrations/", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(name => new SqlScript(name["migrations/".Length..], ReadResource(assembly, name)))
            .ToList();
    }

    /// <summary>Applies every script not yet applied, each in its own transaction; throws on the first failure.</summary>
    public async Task<IReadOnlyList<string>> ApplyAsync(CancellationToken ct, IEnumerable<SqlScript>? scripts = null)
    {
        await using var lockConnection = await dataSource.OpenConnectionAsync(ct);
        await using (var take = new NpgsqlCommand("select pg_advisory_lock(@key)", lockConnection))
        {
            take.Parameters.AddWithValue("key", MigrationLockKey);
            await take.ExecuteNonQueryAsync(ct);
        }
        try
        {
            var result = Engine(scripts ?? EmbeddedScripts(), logger).PerformUpgrade();
            if (!result.Successful)
            {
                throw new MigrationFailedException(result.ErrorScript?.Name ?? "(unknown script)", result.Error);
            }
            return result.Scripts.Select(s => s.Name).ToList();
        }
        finally
        {
            await using var release = new NpgsqlCommand("select pg_advisory_unlock(@key)", lockConnection);
            release.Parameters.AddWithValue("key", MigrationLockKey);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>Names of embedded scripts the database has not applied yet.</summary>
    public IReadOnlyList<string> Pending() =>
        Engine(EmbeddedScripts(), logger: null).GetScriptsToExecute().Select(s => s.Name).ToList();

    private UpgradeEngine Engine(IEnumerable<SqlScript> scripts, ILogger? logger)
    {
        var builder = DeployChanges.To
            .PostgresqlDatabase(dataSource.ConnectionString)
            .WithScripts(scripts)
            .WithTransactionPerScript();
        builder = logger is null ? builder.LogToNowhere() : builder.LogTo(logger);
        return builder.Build();
    }

    private static string ReadResource(Assembly assembly, string name)
    {
        using var stream = assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded migration {name} is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

public sealed class MigrationFailedException(string script, Exception? inner)
    : Exception($"Migration {script} failed and was rolled back: {inner?.Message}", inner)
{
    public string Script { get; } = script;
}
