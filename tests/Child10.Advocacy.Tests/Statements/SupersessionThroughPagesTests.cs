using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Demo;
using Dapper;
using static Child10.Advocacy.Tests.Statements.StatementTestData;

namespace Child10.Advocacy.Tests.Statements;

/// <summary>The statements page and the sign-off rounds meet here: a new version written through the page supersedes the open round.</summary>
[Collection(DatabaseGroup.Name)]
public sealed class SupersessionThroughPagesTests(TestDatabase database) : IAsyncLifetime
{
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        await DemoSeed.RunAsync(database.DataSource, CancellationToken.None);
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task NewVersionOnTheStatementPage_SupersedesTheOpenRound_WithNoAnswerCarriedOver_AndNewLinksQueued()
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var statement = await db.QuerySingleAsync<(long Id, string Title)>(
            "select id, title from statement where title = @title and core_id is null", new { title = DemoSeed.GuardianshipStatementTitle });
        var old = await db.QuerySingleAsync<(long Id, int Requests, int Answered)>("""
            select r.id, count(q.id)::int as requests, count(q.decision)::int as answered
            from signoff_round r join signoff_request q on q.round_id = r.id
            where r.statement_id = @id and r.status = 'open' group by r.id
            """, new { id = statement.Id });
        Assert.True(old.Answered > 0, "the demo round has answers in");
        var latest = await db.ExecuteScalarAsync<string>(
            "select body from statement_version where statement_id = @id order by number desc limit 1", new { id = statement.Id });

        using var lead = await app.SignedInClientAsync(database, "lead");
        using var response = await NewVersionAsync(lead, statement.Id, statement.Title, latest + "\n\nWe ask for yearly public data on guardianship.", "Adds a data ask");
        Assert.Equal(System.Net.HttpStatusCode.Redirect, response.StatusCode);

        var rounds = (await db.QueryAsync<(long Id, string Status, long? SupersededBy, int Number)>("""
            select r.id, r.status, r.superseded_by, v.number from signoff_round r join statement_version v on v.id = r.version_id
            where r.statement_id = @id order by r.id
            """, new { id = statement.Id })).ToList();
        Assert.Equal(2, rounds.Count);
        Assert.Equal(("superseded", rounds[1].Id), (rounds[0].Status, rounds[0].SupersededBy));
        Assert.Equal("open", rounds[1].Status);
        Assert.Equal(rounds[0].Number + 1, rounds[1].Number);

        var fresh = await db.QuerySingleAsync<(int Requests, int Answered)>(
            "select count(*)::int as requests, count(decision)::int as answered from signoff_request where round_id = @id", new { id = rounds[1].Id });
        Assert.Equal((old.Requests, 0), fresh);
        var queued = await db.ExecuteScalarAsync<int>(
            "select count(*)::int from outbox_message where idempotency_key like @prefix", new { prefix = $"signoff:{rounds[1].Id}:%" });
        Assert.True(queued >= old.Requests, $"expected a new link for each of the {old.Requests} organisations, found {queued} messages");
    }
}
