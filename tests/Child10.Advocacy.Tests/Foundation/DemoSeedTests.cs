using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Demo;
using Child10.Advocacy.Web.Features.Stakeholders;
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

        // Interactions with follow-ups (some overdue) and segments that each resolve to people.
        Assert.InRange(await db.ExecuteScalarAsync<int>("select count(*) from interaction"), 10, 30);
        Assert.True(await db.ExecuteScalarAsync<int>("select count(*) from interaction where follow_up_on < current_date and follow_up_done_at is null") >= 1);
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from interaction i where not exists (select 1 from interaction_person ip where ip.interaction_id = i.id)"));
        // Two campaigns (coordinated national, joint international) with targets and milestones; three consultations, one closing within a week.
        Assert.Equal(["international", "national"], await db.QueryAsync<string>("select scope from campaign order by scope"));
        Assert.Equal(3, await db.ExecuteScalarAsync<int>("select count(*) from campaign_country cc join campaign c on c.id = cc.campaign_id where c.scope = 'national'"));
        Assert.True(await db.ExecuteScalarAsync<int>("select min(n) from (select count(*) n from campaign_target group by campaign_id) t") >= 3);
        Assert.Equal(await db.ExecuteScalarAsync<int>("select count(*) from campaign_target"), await db.ExecuteScalarAsync<int>("select count(*) from campaign_target_stance"));
        Assert.True(await db.ExecuteScalarAsync<int>("select count(*) from milestone where done_at is null and due_on >= current_date") >= 3);
        Assert.Equal(3, await db.ExecuteScalarAsync<int>("select count(*) from consultation"));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from consultation where closes_at between now() and now() + interval '7 days'"));

        var segments = (await db.QueryAsync<(string Name, string Filter)>("select name, filter::text from segment")).ToList();
        Assert.InRange(segments.Count, 3, 6);
        foreach (var segment in segments)
        {
            Assert.True(await PeopleQuery.CountAsync(db, PeopleFilter.FromJson(segment.Filter), CancellationToken.None) > 0, $"Segment '{segment.Name}' matches nobody.");
        }
    }
}
