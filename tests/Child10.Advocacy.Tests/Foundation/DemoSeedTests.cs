using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Demo;
using Dapper;

namespace Child10.Advocacy.Tests.Foundation;

[Collection(DatabaseGroup.Name)]
public sealed class DemoSeedTests(TestDatabase database) : IAsyncLifetime
{
    public Task InitializeAsync() => database.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task SeedDemo_LoadsARealisticNetwork_AndIsIdempotent()
    {
        var first = await DemoSeed.RunAsync(database.DataSource, CancellationToken.None);
        var second = await DemoSeed.RunAsync(database.DataSource, CancellationToken.None);

        Assert.Equal(first, second);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var network = await db.QuerySingleAsync<(long Members, long Countries, long Regions, long DecisionMakers)>("""
            select (select count(*) from organisation where kind = 'member'),
                   (select count(distinct country_code) from organisation where kind = 'member'),
                   (select count(distinct region_id) from organisation where kind = 'member'),
                   (select count(*) from person where category = 'decision_maker')
            """);
        Assert.InRange(network.Members, 10, 15);
        Assert.InRange(network.Countries, 6, 10);
        Assert.Equal(3, network.Regions);
        Assert.InRange(network.DecisionMakers, 50, 70);
        Assert.Equal(["admin", "lead", "viewer"], await db.QueryAsync<string>("select distinct role from staff_user where issuer = 'local-dev' order by role"));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from (select email_normalised from person where email_normalised is not null group by 1 having count(*) > 1) d"));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'demo.seed'"));
    }
}
