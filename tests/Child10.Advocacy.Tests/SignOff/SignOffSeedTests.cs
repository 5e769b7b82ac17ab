using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Demo;
using Dapper;

namespace Child10.Advocacy.Tests.SignOff;

[Collection(DatabaseGroup.Name)]
public sealed class SignOffSeedTests(TestDatabase database) : IAsyncLifetime
{
    public Task InitializeAsync() => database.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Seed_OpensARoundOnTheDemoStatement_WithTwoAnswersIn_Once()
    {
        await DemoSeed.RunAsync(database.DataSource, CancellationToken.None);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var existing = await db.ExecuteScalarAsync<long?>("select id from statement where title = @title", new { title = DemoSeed.SignOffStatementTitle });
        if (existing is null)
        {
            // Without the demo statement the sign-off seed does nothing; with it (as the statements seed writes it), it opens a round.
            Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from signoff_round"));
            var statementId = await db.ExecuteScalarAsync<long>("""
                insert into statement (campaign_id, kind, scope, title)
                select id, 'joint_statement', 'international', @title from campaign where title = 'Guardianship for every unaccompanied child'
                returning id
                """, new { title = DemoSeed.SignOffStatementTitle });
            await SignOffScene.VersionAsync(database, statementId, 1, DemoSeed.SignOffStatementTitle, "Every unaccompanied child gets a guardian from day one.");
            await DemoSeed.RunAsync(database.DataSource, CancellationToken.None);
        }

        var round = await db.QuerySingleAsync<(long Id, string Status, DateTime Deadline)>("select id, status, deadline from signoff_round");
        Assert.Equal("open", round.Status);
        Assert.InRange(round.Deadline, DateTime.UtcNow.AddDays(9), DateTime.UtcNow.AddDays(11));
        var decisions = (await db.QueryAsync<string?>("select decision from signoff_request where round_id = @Id order by id", new { round.Id })).ToList();
        Assert.True(decisions.Count >= 3);
        Assert.Equal(1, decisions.Count(d => d == "approve"));
        Assert.Equal(1, decisions.Count(d => d == "request_changes"));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from signoff_answer where decision = 'request_changes' and length(comment) > 0"));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from outbox_message where purpose like 'signoff%'"));
        Assert.Equal("in_signoff", await db.ExecuteScalarAsync<string>("select status from statement where title = @title", new { title = DemoSeed.SignOffStatementTitle }));

        var before = await db.ExecuteScalarAsync<long>("select (select count(*) from signoff_round) * 1000000 + (select count(*) from signoff_request) * 1000 + (select count(*) from signoff_answer)");
        await DemoSeed.RunAsync(database.DataSource, CancellationToken.None);
        Assert.Equal(before, await db.ExecuteScalarAsync<long>("select (select count(*) from signoff_round) * 1000000 + (select count(*) from signoff_request) * 1000 + (select count(*) from signoff_answer)"));
    }
}
