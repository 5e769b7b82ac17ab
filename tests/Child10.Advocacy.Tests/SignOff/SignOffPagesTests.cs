using System.Globalization;
using System.Net;
using System.Text.Json;
using Child10.Advocacy.Tests.Email;
using Child10.Advocacy.Tests.Infrastructure;
using Dapper;

namespace Child10.Advocacy.Tests.SignOff;

[Collection(DatabaseGroup.Name)]
public sealed class SignOffPagesTests(TestDatabase database) : MailAppTest(database)
{
    [Fact]
    public async Task NewRound_WithBadInput_ShowsAnErrorPerField_AndOpensNothing()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 2);
        using var lead = await App.SignedInClientAsync(Database, "lead");
        var form = await lead.GetStringAsync($"/signoff/new?statementId={scene.StatementId}");

        using var response = await lead.PostAsync($"/signoff/new?statementId={scene.StatementId}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(form),
            ["Input.DeadlineDate"] = DateTime.UtcNow.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Input.DeadlineTime"] = "17:00",
            ["Input.TimeZone"] = "Europe/Brussels",
            ["Input.Rule"] = "all_must_approve",
            ["Input.FirstReminderDays"] = "0",
            ["Input.Invites[0].OrganisationId"] = scene.Members[0].OrganisationId.ToString(CultureInfo.InvariantCulture),
            ["Input.Invites[0].Include"] = "true",
            ["Input.Invites[0].SignatoryId"] = scene.Members[0].SignatoryId.ToString(CultureInfo.InvariantCulture),
            ["Input.Invites[0].AlternateId"] = scene.Members[0].SignatoryId.ToString(CultureInfo.InvariantCulture),
            ["Input.Invites[1].OrganisationId"] = scene.Members[1].OrganisationId.ToString(CultureInfo.InvariantCulture),
            ["Input.Invites[1].Include"] = "true",
            ["Input.Invites[1].SignatoryId"] = "",
        }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("The deadline must be at least an hour from now.", html, StringComparison.Ordinal);
        Assert.Contains("The alternate for Member A for Children must be someone other than the signatory.", html, StringComparison.Ordinal);
        Assert.Contains("Choose a signatory with an email address for Member B for Children.", html, StringComparison.Ordinal);
        Assert.Contains("Enter between 1 and 60 days", html, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("select count(*) from signoff_round"));
        Assert.Equal(0, await CountAsync("select count(*) from outbox_message"));
    }

    [Fact]
    public async Task NewRound_WithNoOrganisation_SaysSo()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 1);
        using var lead = await App.SignedInClientAsync(Database, "lead");
        var form = await lead.GetStringAsync($"/signoff/new?statementId={scene.StatementId}");

        using var response = await lead.PostAsync($"/signoff/new?statementId={scene.StatementId}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(form),
            ["Input.DeadlineDate"] = DateTime.UtcNow.AddDays(5).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            ["Input.DeadlineTime"] = "17:00",
            ["Input.TimeZone"] = "Europe/Brussels",
            ["Input.Rule"] = "all_must_approve",
            ["Input.Invites[0].OrganisationId"] = scene.Members[0].OrganisationId.ToString(CultureInfo.InvariantCulture),
            ["Input.Invites[0].Include"] = "false",
        }));

        Assert.Contains("Invite at least one member organisation.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("select count(*) from signoff_round"));
    }

    [Fact]
    public async Task Viewer_CanReadTheBoard_ButNotOpenCloseOrResend()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 1);
        var roundId = await scene.OpenRoundAsync(App, Database);
        using var viewer = await App.SignedInClientAsync(Database, "viewer");

        var board = await viewer.GetStringAsync($"/signoff/rounds/{roundId}");
        using var newPage = await viewer.GetAsync($"/signoff/new?statementId={scene.StatementId}");
        using var close = await viewer.PostAsync($"/signoff/rounds/{roundId}?handler=Close", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(board),
        }));

        Assert.DoesNotContain("Close now", board, StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.OK, newPage.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, close.StatusCode);
        Assert.DoesNotContain("/signoff/rounds", close.Headers.Location?.OriginalString ?? "", StringComparison.Ordinal);
        Assert.Equal("open", await StringAsync("select status from signoff_round"));
    }

    [Fact]
    public async Task CloseNow_ClosesOnce_AndTheSecondClickSaysSo()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 1);
        var roundId = await scene.OpenRoundAsync(App, Database);
        using var lead = await App.SignedInClientAsync(Database, "lead");
        var board = await lead.GetStringAsync($"/signoff/rounds/{roundId}");
        var token = TestApp.AntiforgeryToken(board);

        using var first = await lead.PostAsync($"/signoff/rounds/{roundId}?handler=Close", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        using var second = await lead.PostAsync($"/signoff/rounds/{roundId}?handler=Close", new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = token }));
        var after = await lead.GetStringAsync($"/signoff/rounds/{roundId}");

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Contains("Only an open round can be closed.", after, StringComparison.Ordinal);
        Assert.Equal(("closed", "not_approved"), (await StringAsync("select status from signoff_round"), await StringAsync("select outcome from signoff_round")));
        Assert.Equal(1, await CountAsync("select count(*) from audit_event where action = 'signoff.close'"));
    }

    [Fact]
    public async Task Evidence_ListsEachAnswerWithHashTimeIpAndTheMailThatCarriedTheLink()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 2);
        var roundId = await scene.OpenRoundAsync(App, Database);
        var path = await SignOffScene.LinkPathAsync(Database, scene.Members[0].Email);
        using (var signatory = App.CreateClient())
        {
            var page = await signatory.GetStringAsync(path);
            using var post = await signatory.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page),
                ["Input.Decision"] = "request_changes",
                ["Input.Comment"] = "=HYPERLINK(\"http://evil.example\")",
            }));
        }
        var messageId = await CountAsync("select id from outbox_message where recipient_address = @email and purpose = 'signoff-request'", new { email = scene.Members[0].Email });
        var hash = Web.Features.Statements.StatementText.Hex(Web.Features.Statements.StatementText.ContentHash("A guardian for every child", SignOffScene.Body));
        using var lead = await App.SignedInClientAsync(Database, "viewer");

        var csv = await lead.GetStringAsync($"/signoff/rounds/{roundId}/evidence.csv");
        var json = await lead.GetStringAsync($"/signoff/rounds/{roundId}/evidence.json");
        using var unknown = await lead.GetAsync($"/signoff/rounds/{roundId}/evidence.xml");

        var lines = csv.TrimStart('\uFEFF').Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        Assert.Contains(hash, lines[1], StringComparison.Ordinal);
        Assert.Contains("127.0.0.1", lines[1], StringComparison.Ordinal);
        Assert.Contains("'=HYPERLINK", lines[1], StringComparison.Ordinal);
        var row = JsonDocument.Parse(json).RootElement.EnumerateArray().Single();
        Assert.Equal("request_changes", row.GetProperty("decision").GetString());
        Assert.Equal(hash, row.GetProperty("content_hash").GetString());
        Assert.Equal(messageId, row.GetProperty("outbox_message_id").GetInt64());
        Assert.EndsWith("Z", row.GetProperty("answered_at").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, row.GetProperty("version_number").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task StatementBoard_ShowsTheCoreAndEachVariant()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 2);
        await scene.OpenRoundAsync(App, Database);
        long variantId;
        await using (var db = await Database.DataSource.OpenConnectionAsync())
        {
            variantId = await db.ExecuteScalarAsync<long>("""
                insert into statement (campaign_id, kind, scope, title, core_id, country_code, language)
                values (@CampaignId, 'joint_statement', 'national', 'Un tuteur pour chaque enfant', @StatementId, 'BE', 'fr') returning id
                """, new { scene.CampaignId, scene.StatementId });
        }
        var variantVersion = await SignOffScene.VersionAsync(Database, variantId, 1, "Un tuteur pour chaque enfant", "Chaque enfant non accompagné a un tuteur dès le premier jour.");
        var variantScene = scene with { StatementId = variantId, VersionId = variantVersion, Members = [scene.Members[1]] };
        await variantScene.OpenRoundAsync(App, Database);
        await using (var db = await Database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("update signoff_request set decision = 'decline' where organisation_id = @id and round_id = (select max(id) from signoff_round)", new { id = scene.Members[1].OrganisationId });
        }
        using var viewer = await App.SignedInClientAsync(Database, "viewer");

        var html = WebUtility.HtmlDecode(await viewer.GetStringAsync($"/signoff/statements/{scene.StatementId}"));
        using var variantAsCore = await viewer.GetAsync($"/signoff/statements/{variantId}");

        Assert.Contains("Core statement", html, StringComparison.Ordinal);
        Assert.Contains("Belgium", html, StringComparison.Ordinal);
        Assert.Contains("board-cell--decline", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, variantAsCore.StatusCode);
        var index = WebUtility.HtmlDecode(await viewer.GetStringAsync("/signoff"));
        Assert.Contains("Un tuteur pour chaque enfant", index, StringComparison.Ordinal);
        Assert.Contains("A guardian for every child", index, StringComparison.Ordinal);
    }

    [Fact]
    public async Task OpenRound_ShowsOnTheDashboardTheCampaignAndTheCalendarFeed()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 2);
        var roundId = await scene.OpenRoundAsync(App, Database, deadline: DateTime.UtcNow.AddDays(5));
        using var viewer = await App.SignedInClientAsync(Database, "viewer");

        var home = WebUtility.HtmlDecode(await viewer.GetStringAsync("/"));
        var campaign = WebUtility.HtmlDecode(await viewer.GetStringAsync($"/campaigns/{scene.CampaignId}"));
        await using var db = await Database.DataSource.OpenConnectionAsync();
        var feed = await Web.Features.Calendar.CalendarFeed.BuildAsync(db, new Uri("https://advocacy.child10.example"), CancellationToken.None);

        Assert.Contains($"href=\"/signoff/rounds/{roundId}\"", home, StringComparison.Ordinal);
        Assert.Contains("0 of 2 answered", home, StringComparison.Ordinal);
        Assert.Contains("Sign-off deadline: A guardian for every child", campaign, StringComparison.Ordinal);
        Assert.Contains($"/signoff/rounds/{roundId}", campaign, StringComparison.Ordinal);
        Assert.Contains("SUMMARY:Sign-off deadline: A guardian for every child", feed, StringComparison.Ordinal);
    }

    private async Task<long> CountAsync(string sql, object? args = null)
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>(sql, args);
    }

    private async Task<string?> StringAsync(string sql)
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<string?>(sql);
    }
}
