using Child10.Advocacy.Web.Features.Stakeholders;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Demo;

// Saved segments briefings will use as audiences, built with the same filter the people list saves.
public static partial class DemoSeed
{
    private const string InsertSegmentSql = """
        insert into segment (name, description, filter, created_by)
        values (@name, @description, cast(@filter as jsonb), @createdBy)
        on conflict (name) do nothing
        """;

    private const string RegionIdSql = "select id from region where name = @name";

    private static async Task<int> SeedSegmentsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Dictionary<string, long> staffIds,
        Dictionary<string, long> themeIds,
        CancellationToken ct)
    {
        var europe = await connection.ExecuteScalarAsync<long>(new CommandDefinition(RegionIdSql, new { name = "Europe" }, transaction, cancellationToken: ct));
        (string Name, string Description, PeopleFilter Filter)[] segments =
        [
            ("Moldova — national decision-makers",
                "Ministries and parliament of Moldova, for the coordinated national campaign.",
                new PeopleFilter { Category = "decision_maker", Country = "MD" }),
            ("European institutions — legal reform",
                "Decision-makers in Europe who follow legal reform on child trafficking.",
                new PeopleFilter { Category = "decision_maker", RegionId = europe, ThemeId = ThemeId(themeIds, "Legal reform") }),
            ("International bodies — online sexual exploitation",
                "UN, EU, Council of Europe and OSCE officials following online sexual exploitation of children.",
                new PeopleFilter { Jurisdiction = "international", ThemeId = ThemeId(themeIds, "Online sexual exploitation") }),
            ("Member signatories",
                "The designated signatory of every awarded member organisation.",
                new PeopleFilter { Category = "signatory" }),
        ];

        var inserted = 0;
        foreach (var (name, description, filter) in segments)
        {
            inserted += await connection.ExecuteAsync(new CommandDefinition(
                InsertSegmentSql,
                new { name, description, filter = filter.ToJson(), createdBy = StaffId(staffIds, Lead) },
                transaction,
                cancellationToken: ct));
        }
        return inserted;
    }
}
