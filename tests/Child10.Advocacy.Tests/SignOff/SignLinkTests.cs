using System.Net;
using System.Security.Cryptography;
using System.Text;
using Child10.Advocacy.Tests.Email;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.SignOff;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Child10.Advocacy.Tests.SignOff;

[Collection(DatabaseGroup.Name)]
public sealed class SignLinkTests(TestDatabase database) : MailAppTest(database)
{
    private const string WriteCountsSql = """
        select (select count(*) from signoff_answer) || '/' || (select count(*) from audit_event) || '/' || (select count(*) from outbox_message)
               || '/' || (select count(*) from signoff_token) || '/' || coalesce((select string_agg(coalesce(decision, '-'), ',' order by id) from signoff_request), '')
        """;

    [Fact]
    public async Task Token_Is128RandomBitsStoredOnlyAsItsSha256()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 1);
        await scene.OpenRoundAsync(App, Database);
        var path = await SignOffScene.LinkPathAsync(Database, scene.Members[0].Email);
        var token = Uri.UnescapeDataString(path["/sign/".Length..]);

        Assert.Equal(22, token.Length); // 16 bytes, base64url without padding
        await using var db = await Database.DataSource.OpenConnectionAsync();
        var stored = (await db.QueryAsync<byte[]>("select token_hash from signoff_token")).ToList();
        Assert.Contains(stored, h => h.SequenceEqual(SHA256.HashData(Encoding.UTF8.GetBytes(token))));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from signoff_token where position(convert_to(@token, 'UTF8') in token_hash) > 0", new { token }));
        var expires = await db.ExecuteScalarAsync<bool>("select bool_and(t.expires_at = r.deadline) from signoff_token t join signoff_request q on q.id = t.request_id join signoff_round r on r.id = q.round_id");
        Assert.True(expires);
        Assert.NotEqual(SignOffLinks.NewToken(), SignOffLinks.NewToken());
    }

    [Fact]
    public async Task GetAndHead_ShowTheTextAndChoices_AndWriteNothing()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 1);
        await scene.OpenRoundAsync(App, Database);
        var path = await SignOffScene.LinkPathAsync(Database, scene.Members[0].Email);
        var before = await CountsAsync();
        using var client = App.CreateClient();

        using var get = await client.GetAsync(path);
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
        using var again = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        var html = await get.Content.ReadAsStringAsync();
        Assert.Contains("A guardian for every child", html, StringComparison.Ordinal);
        Assert.Contains("States shall appoint a guardian within 24 hours.", html, StringComparison.Ordinal);
        Assert.Contains("Member A for Children", html, StringComparison.Ordinal);
        Assert.Contains("value=\"request_changes\"", html, StringComparison.Ordinal);
        Assert.Contains("__RequestVerificationToken", html, StringComparison.Ordinal);
        Assert.Equal("no-referrer", get.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Post_Approve_RecordsTheAnswerWithItsEvidence_AndQueuesAConfirmation()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 2);
        var roundId = await scene.OpenRoundAsync(App, Database);
        var path = await SignOffScene.LinkPathAsync(Database, scene.Members[0].Email);
        using var client = App.CreateClient();
        client.DefaultRequestHeaders.UserAgent.ParseAdd("SignOffTest/1.0");

        using var response = await AnswerAsync(client, path, "approve", "");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var page = await client.GetStringAsync(response.Headers.Location);
        Assert.Contains("Your answer is recorded", page, StringComparison.Ordinal);
        await using var db = await Database.DataSource.OpenConnectionAsync();
        var answer = await db.QuerySingleAsync<(string Decision, string Ip, string UserAgent, long VersionId, byte[] Hash)>(
            "select decision, host(ip), user_agent, version_id, content_hash from signoff_answer");
        Assert.Equal("approve", answer.Decision);
        Assert.Equal("127.0.0.1", answer.Ip);
        Assert.Equal("SignOffTest/1.0", answer.UserAgent);
        Assert.Equal(scene.VersionId, answer.VersionId);
        Assert.Equal(Web.Features.Statements.StatementText.ContentHash("A guardian for every child", SignOffScene.Body), answer.Hash);
        var request = await db.QuerySingleAsync<(string? Decision, DateTime? NextChaseAt)>(
            "select decision, next_chase_at from signoff_request where organisation_id = @id", new { id = scene.Members[0].OrganisationId });
        Assert.Equal("approve", request.Decision);
        Assert.Null(request.NextChaseAt);
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from outbox_message where purpose = 'signoff-confirmation' and recipient_address = @email", new { email = scene.Members[0].Email }));
        Assert.Equal("signatory:Signatory A (Member A for Children)", await db.ExecuteScalarAsync<string>("select actor_label from audit_event where action = 'signoff.answer'"));
        // The other organisation is untouched.
        Assert.Null(await db.ExecuteScalarAsync<string?>("select decision from signoff_request where round_id = @roundId and organisation_id = @id", new { roundId, id = scene.Members[1].OrganisationId }));
    }

    [Fact]
    public async Task Post_RequestChangesWithoutComment_ShowsTheFieldError_AndRecordsNothing()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 1);
        await scene.OpenRoundAsync(App, Database);
        var path = await SignOffScene.LinkPathAsync(Database, scene.Members[0].Email);
        var before = await CountsAsync();
        using var client = App.CreateClient();

        using var response = await AnswerAsync(client, path, "request_changes", "   ");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("the comment is required when you request changes", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task Post_WithoutTheFormsAntiforgeryToken_IsRefused()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 1);
        await scene.OpenRoundAsync(App, Database);
        var path = await SignOffScene.LinkPathAsync(Database, scene.Members[0].Email);
        var before = await CountsAsync();
        using var client = App.CreateClient();

        using var response = await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Decision"] = "approve" }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task ChangingTheAnswer_KeepsHistory_AndTheLatestCounts()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 1);
        await scene.OpenRoundAsync(App, Database);
        var path = await SignOffScene.LinkPathAsync(Database, scene.Members[0].Email);
        using var client = App.CreateClient();

        (await AnswerAsync(client, path, "approve", "")).Dispose();
        (await AnswerAsync(client, path, "request_changes", "Please name the guardianship authority.")).Dispose();

        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(["approve", "request_changes"], await db.QueryAsync<string>("select decision from signoff_answer order by id"));
        Assert.Equal("request_changes", await db.ExecuteScalarAsync<string>("select decision from signoff_request"));
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("select count(*) from outbox_message where purpose = 'signoff-confirmation'"));
        var page = await client.GetStringAsync(path);
        Assert.Contains("Please name the guardianship authority.", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/sign/not-a-real-token")]
    [InlineData("/sign/%3Cscript%3Ealert(1)%3C%2Fscript%3E")]
    [InlineData("/sign/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public async Task UnknownLink_ShowsANeutralPageWithTheNetworksContact(string path)
    {
        await TestApp.CreateStaffAsync(Database, "lead");
        using var client = App.CreateClient();

        using var get = await client.GetAsync(path);
        using var post = await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string> { ["Input.Decision"] = "approve" }));

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        var html = await get.Content.ReadAsStringAsync();
        Assert.Contains("This link does not work", html, StringComparison.Ordinal);
        Assert.Contains("mailto:test-lead-", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", html, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.InternalServerError, post.StatusCode);
        Assert.Equal("(no error logged)", App.Errors.Last);
    }

    [Fact]
    public async Task TamperedLink_OneCharacterChanged_ShowsTheNeutralPage_AndChangesNothing()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 1);
        await scene.OpenRoundAsync(App, Database);
        var path = await SignOffScene.LinkPathAsync(Database, scene.Members[0].Email);
        var tampered = path[..^1] + (path[^1] == 'A' ? 'B' : 'A');
        var before = await CountsAsync();
        using var client = App.CreateClient();

        using var get = await client.GetAsync(tampered);

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Contains("This link does not work", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task ExpiredLink_ShowsTheLeadsContact_AndAcceptsNoAnswer()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 1);
        await scene.OpenRoundAsync(App, Database);
        var path = await SignOffScene.LinkPathAsync(Database, scene.Members[0].Email);
        using var client = App.CreateClient();
        var form = await client.GetStringAsync(path);
        await using (var db = await Database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("""
                update signoff_round set opens_at = now() - interval '3 days', deadline = now() - interval '1 minute';
                update signoff_token set expires_at = now() - interval '1 minute';
                """);
        }
        var before = await CountsAsync();

        using var get = await client.GetAsync(path);
        using var post = await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(form),
            ["Input.Decision"] = "approve",
        }));

        Assert.Equal(HttpStatusCode.Gone, get.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, post.StatusCode);
        var html = await get.Content.ReadAsStringAsync();
        Assert.Contains("The deadline for answering has passed.", html, StringComparison.Ordinal);
        Assert.Contains("Test lead", html, StringComparison.Ordinal);
        Assert.Equal(before, await CountsAsync());
    }

    [Fact]
    public async Task NewVersion_SupersedesTheRound_NoAnswerCarriesOver_AndSignatoriesGetTheChanges()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 2);
        var firstRound = await scene.OpenRoundAsync(App, Database);
        var oldPath = await SignOffScene.LinkPathAsync(Database, scene.Members[0].Email);
        using var client = App.CreateClient();
        (await AnswerAsync(client, oldPath, "approve", "")).Dispose();

        var v2 = await SignOffScene.VersionAsync(Database, scene.StatementId, 2, "A guardian for every child",
            SignOffScene.Body.Replace("within 24 hours", "within 48 hours", StringComparison.Ordinal));
        long? newRound;
        await using (var db = await Database.DataSource.OpenConnectionAsync())
        await using (var tx = await db.BeginTransactionAsync())
        {
            newRound = await App.App.Services.GetRequiredService<RoundSupersession>().SupersedeOpenRoundAsync(db, tx, scene.StatementId, v2, new Actor(scene.LeadId, "Test lead"), CancellationToken.None);
            await tx.CommitAsync();
        }

        Assert.NotNull(newRound);
        await using var check = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(("superseded", newRound), await check.QuerySingleAsync<(string, long?)>("select status, superseded_by from signoff_round where id = @firstRound", new { firstRound }));
        Assert.Equal(0, await check.ExecuteScalarAsync<int>("select count(*) from signoff_request where round_id = @newRound and decision is not null", new { newRound }));
        Assert.Equal(2, await check.ExecuteScalarAsync<int>("select count(*) from signoff_request where round_id = @newRound", new { newRound }));
        Assert.Equal(0, await check.ExecuteScalarAsync<int>("select count(*) from signoff_request where round_id = @firstRound and next_chase_at is not null", new { firstRound }));

        using var old = await client.GetAsync(oldPath);
        Assert.Equal(HttpStatusCode.Gone, old.StatusCode);
        Assert.Contains("A newer version of this statement has replaced", await old.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var mail = await check.ExecuteScalarAsync<string>(
            "select text_body from outbox_message where recipient_address = @email and idempotency_key like @key",
            new { email = scene.Members[0].Email, key = $"signoff:{newRound}:%:request" });
        Assert.Contains("replaces the one you were asked to approve", mail, StringComparison.Ordinal);
        Assert.Contains("+ States shall appoint a guardian within 48 hours.", mail, StringComparison.Ordinal);
        Assert.Contains("- States shall appoint a guardian within 24 hours.", mail, StringComparison.Ordinal);

        // The new link shows version 2 and what changed since the version this organisation approved.
        var page = await client.GetStringAsync(SignOffScene.LinkPath(mail!));
        Assert.Contains("within 48 hours", page, StringComparison.Ordinal);
        Assert.Contains("What changed since version 1, which Member A for Children approved", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClosedOrCancelledRoundLink_ShowsSo()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 1);
        var roundId = await scene.OpenRoundAsync(App, Database);
        var path = await SignOffScene.LinkPathAsync(Database, scene.Members[0].Email);
        await using (var db = await Database.DataSource.OpenConnectionAsync())
        await using (var tx = await db.BeginTransactionAsync())
        {
            Assert.True(await SignOffRounds.CancelAsync(db, tx, roundId, new Actor(scene.LeadId, "Test lead"), CancellationToken.None));
            await tx.CommitAsync();
        }
        using var client = App.CreateClient();

        using var get = await client.GetAsync(path);

        Assert.Equal(HttpStatusCode.Gone, get.StatusCode);
        Assert.Contains("cancelled this sign-off round", await get.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private static async Task<HttpResponseMessage> AnswerAsync(HttpClient client, string path, string decision, string comment)
    {
        var form = await client.GetStringAsync(path);
        return await client.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(form),
            ["Input.Decision"] = decision,
            ["Input.Comment"] = comment,
        }));
    }

    private async Task<string> CountsAsync()
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<string>(WriteCountsSql) ?? "";
    }
}
