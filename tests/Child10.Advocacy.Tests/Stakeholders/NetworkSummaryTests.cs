using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Stakeholders;
using Dapper;

namespace Child10.Advocacy.Tests.Stakeholders;

[Collection(DatabaseGroup.Name)]
public sealed class NetworkSummaryTests(TestDatabase database) : IAsyncLifetime
{
    public Task InitializeAsync() => database.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Figures_AreCountedAgainOnlyAfterACommit_AndNeverStale()
    {
        var summary = new NetworkSummary();
        await using var db = await database.DataSource.OpenConnectionAsync();
        var member = await PeopleTestData.OrganisationAsync(database, "Zori Senine", "member", "MD");
        await PeopleTestData.PersonAsync(database, "Ana Ministry", null, "decision_maker", "MD");

        var first = await summary.GetAsync(db, CancellationToken.None);
        var again = await summary.GetAsync(db, CancellationToken.None);
        Assert.Equal((1L, 1L, 1L), (first.Figures.MemberOrganisations, first.Figures.MemberCountries, first.Figures.DecisionMakers));
        Assert.Same(first, again);
        var region = Assert.Single(first.Regions);
        Assert.Equal(("Europe", 1L, 1L), (region.Region, region.Members, region.Countries));

        // A write still in progress elsewhere is not visible, and the answer stays; once committed it counts.
        await using var writer = await database.DataSource.OpenConnectionAsync();
        await using (var tx = await writer.BeginTransactionAsync())
        {
            await writer.ExecuteAsync("insert into person (full_name, category, country_code) values ('Bea Minister', 'decision_maker', 'SE')", transaction: tx);
            await writer.ExecuteAsync("update organisation set award_year = 2019 where id = @member", new { member }, tx);
            Assert.Equal(1L, (await summary.GetAsync(db, CancellationToken.None)).Figures.DecisionMakers);
            await tx.CommitAsync();
        }
        var after = await summary.GetAsync(db, CancellationToken.None);
        Assert.NotSame(first, after);
        Assert.Equal(2L, after.Figures.DecisionMakers);
        Assert.Equal(2019, Assert.Single(after.Regions).LatestAwardYear);

        // A rolled-back write changes nothing that is counted.
        await using (var tx = await writer.BeginTransactionAsync())
        {
            await writer.ExecuteAsync("delete from person", transaction: tx);
            await tx.RollbackAsync();
        }
        Assert.Equal(2L, (await summary.GetAsync(db, CancellationToken.None)).Figures.DecisionMakers);
    }
}
