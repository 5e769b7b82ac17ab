using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Demo;
using Child10.Advocacy.Web.Features.Statements;
using Dapper;

namespace Child10.Advocacy.Tests.Statements;

[Collection(DatabaseGroup.Name)]
public sealed class StatementSeedTests(TestDatabase database) : IAsyncLifetime
{
    public Task InitializeAsync() => database.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task SeedDemo_AddsTheGuardianshipStatementWithThreeVariants_Once()
    {
        await DemoSeed.RunAsync(database.DataSource, CancellationToken.None);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var before = await db.ExecuteScalarAsync<long>("select (select count(*) from statement) * 1000 + (select count(*) from statement_version)");
        await DemoSeed.RunAsync(database.DataSource, CancellationToken.None);
        var after = await db.ExecuteScalarAsync<long>("select (select count(*) from statement) * 1000 + (select count(*) from statement_version)");

        Assert.Equal(before, after);
        var core = await db.QuerySingleAsync<(long Id, string Language, string Campaign)>(
            "select s.id, s.language, c.title as campaign from statement s join campaign c on c.id = s.campaign_id where s.title = @title and s.core_id is null",
            new { title = DemoSeed.GuardianshipStatementTitle });
        Assert.Equal(("en", "Guardianship for every unaccompanied child"), (core.Language, core.Campaign));
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("select count(*) from statement_version where statement_id = @id and change_note is not null", new { id = core.Id }));
        Assert.Equal(["AL sq", "MD ro", "RO ro"], await db.QueryAsync<string>("select country_code || ' ' || language from statement where core_id = @id order by 1", new { id = core.Id }));
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("select count(distinct planned_release_on) from statement where id = @id or core_id = @id", new { id = core.Id }));
        var versions = await db.QueryAsync<(string Title, string Body, byte[] Hash, long? CoreVersionId, long? CoreId)>(
            "select v.title, v.body, v.content_hash as hash, v.core_version_id, s.core_id from statement_version v join statement s on s.id = v.statement_id");
        Assert.All(versions, v => Assert.Equal(StatementText.ContentHash(v.Title, v.Body), v.Hash));
        Assert.All(versions.Where(v => v.CoreId is not null), v => Assert.NotNull(v.CoreVersionId));
    }
}
