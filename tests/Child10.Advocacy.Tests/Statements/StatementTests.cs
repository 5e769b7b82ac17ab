using System.Net;
using System.Text.RegularExpressions;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Statements;
using Dapper;
using Npgsql;
using static Child10.Advocacy.Tests.Statements.StatementTestData;

namespace Child10.Advocacy.Tests.Statements;

[Collection(DatabaseGroup.Name)]
public sealed partial class StatementTests(TestDatabase database) : IAsyncLifetime
{
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task New_Valid_WritesStatementAndVersion1_WithTheContentHash_AndAudits()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");

        var id = await CoreAsync(lead, campaign, body: CoreBody.Replace("\n", "\r\n", StringComparison.Ordinal) + "   \r\n");

        await using var db = await database.DataSource.OpenConnectionAsync();
        var version = await db.QuerySingleAsync<(int Number, string Title, string Body, byte[] Hash, long? CoreVersionId)>(
            "select number, title, body, content_hash as hash, core_version_id from statement_version where statement_id = @id", new { id });
        Assert.Equal(1, version.Number);
        Assert.Equal(StatementText.Normalise(CoreBody), version.Body);
        Assert.Equal(StatementText.ContentHash("A guardian for every child", CoreBody), version.Hash);
        Assert.Null(version.CoreVersionId);
        Assert.Equal("draft", await db.ExecuteScalarAsync<string>("select status from statement where id = @id", new { id }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'statement.create' and entity_id = @id", new { id = id.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'statement_version.create' and actor_id is not null"));
        var page = await lead.GetStringAsync($"/statements/{id}");
        Assert.Contains("<h2>Our asks</h2>", page, StringComparison.Ordinal);
        Assert.Contains(StatementText.Hex(version.Hash)[..12], page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_WithBlankTitleNoCampaignAndNoText_ShowsEachErrorAtItsField_AndSavesNothing()
    {
        await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var fields = CoreFields(0, title: "  ", body: " ");
        fields["Input.CampaignId"] = "";

        using var response = await PostAsync(lead, "/statements/new", fields);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Enter a title.", html, StringComparison.Ordinal);
        Assert.Contains("Choose the campaign the statement belongs to.", html, StringComparison.Ordinal);
        Assert.Contains("Write the text of the statement.", html, StringComparison.Ordinal);
        Assert.Contains("data-valmsg-for=\"Input.Body\"", html, StringComparison.Ordinal);
        Assert.Equal(0, await ScalarAsync<long>(database, "select count(*) from statement"));
        Assert.Equal(0, await ScalarAsync<long>(database, "select count(*) from audit_event where entity like 'statement%'"));
    }

    [Fact]
    public async Task Versions_CannotBeUpdatedOrDeleted()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var id = await CoreAsync(lead, campaign);

        await using var db = await database.DataSource.OpenConnectionAsync();
        var update = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync("update statement_version set body = 'changed' where statement_id = @id", new { id }));
        var delete = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync("delete from statement_version where statement_id = @id", new { id }));

        Assert.Contains("immutable", update.MessageText, StringComparison.Ordinal);
        Assert.Contains("immutable", delete.MessageText, StringComparison.Ordinal);
        Assert.Equal(StatementText.Normalise(CoreBody), await db.ExecuteScalarAsync<string>("select body from statement_version where statement_id = @id", new { id }));
    }

    [Fact]
    public async Task NewVersion_IsNumberedNext_WithItsOwnHash_AndTheStatementTitleFollows()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var id = await CoreAsync(lead, campaign);
        var body2 = CoreBody.Replace("24 hours", "24 hours of identification", StringComparison.Ordinal);

        using var second = await NewVersionAsync(lead, id, "A guardian for every child, from day one", body2, "Ask 1 says when the clock starts");
        using var third = await NewVersionAsync(lead, id, "A guardian for every child, from day one", body2 + "\n\n3. Train border police.", "Third ask");

        Assert.Equal(HttpStatusCode.Redirect, second.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, third.StatusCode);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var versions = (await db.QueryAsync<(int Number, string Title, string Body, byte[] Hash, string Note)>(
            "select number, title, body, content_hash as hash, change_note as note from statement_version where statement_id = @id order by number", new { id })).ToList();
        Assert.Equal([1, 2, 3], versions.Select(v => v.Number));
        Assert.All(versions, v => Assert.Equal(StatementText.ContentHash(v.Title, v.Body), v.Hash));
        Assert.Equal(3, versions.Select(v => StatementText.Hex(v.Hash)).Distinct().Count());
        Assert.Equal("Ask 1 says when the clock starts", versions[1].Note);
        Assert.Equal("A guardian for every child, from day one", await db.ExecuteScalarAsync<string>("select title from statement where id = @id", new { id }));
    }

    [Theory]
    [InlineData(null, "changed text", "Say what changed in this version")]
    [InlineData("Nothing really", null, "The text is the same as version 1")]
    [InlineData("Emptied", "", "Write the text of the statement.")]
    public async Task NewVersion_Invalid_ShowsTheError_AndWritesNothing(string? note, string? body, string message)
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var id = await CoreAsync(lead, campaign);

        using var response = await NewVersionAsync(lead, id, "A guardian for every child", body is null ? CoreBody : body == "changed text" ? CoreBody + "\n\nMore." : body, note);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await ScalarAsync<long>(database, "select count(*) from statement_version"));
    }

    [Fact]
    public async Task NewVersion_OnAWithdrawnStatement_IsRefused()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var id = await CoreAsync(lead, campaign);
        using var withdraw = await PostAsync(lead, $"/statements/{id}?handler=Withdraw", new() { ["Reason"] = "Overtaken by the new law." }, $"/statements/{id}");
        Assert.Equal(HttpStatusCode.Redirect, withdraw.StatusCode);
        var form = await lead.GetStringAsync($"/statements/{id}/versions/new");

        using var response = await NewVersionAsync(lead, id, "Late change", CoreBody + "\n\nLate.", "Too late");

        Assert.Contains("its text can no longer change", form, StringComparison.Ordinal);
        Assert.DoesNotContain("Input.Body", form, StringComparison.Ordinal);
        Assert.Contains("its text can no longer change", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await ScalarAsync<long>(database, "select count(*) from statement_version"));
        Assert.Equal("withdrawn", await ScalarAsync<string>(database, "select status from statement"));
        Assert.Equal("Overtaken by the new law.", await ScalarAsync<string>(database, "select withdrawn_reason from statement"));
        Assert.DoesNotContain($"/statements/{id}/versions/new", await lead.GetStringAsync($"/statements/{id}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_OnlyFromFinal_AndWithADate()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var id = await CoreAsync(lead, campaign);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        using var fromDraft = await PostAsync(lead, $"/statements/{id}?handler=Publish", new() { ["PublishedOn"] = today }, $"/statements/{id}");
        var draftHtml = await fromDraft.Content.ReadAsStringAsync();
        await ExecuteAsync(database, "update statement set status = 'final' where id = @id", new { id });
        using var published = await PostAsync(lead, $"/statements/{id}?handler=Publish", new() { ["PublishedOn"] = today }, $"/statements/{id}");

        Assert.Contains("Only a final statement can be published", draftHtml, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, published.StatusCode);
        Assert.Equal("published", await ScalarAsync<string>(database, "select status from statement"));
        Assert.True(await ScalarAsync<bool>(database, "select published_at is not null from statement"));
        Assert.Equal(1, await ScalarAsync<long>(database, "select count(*) from audit_event where action = 'statement.publish'"));
    }

    [Fact]
    public async Task Withdraw_WithoutAReason_IsRefused()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var id = await CoreAsync(lead, campaign);

        using var response = await PostAsync(lead, $"/statements/{id}?handler=Withdraw", new() { ["Reason"] = " " }, $"/statements/{id}");

        Assert.Contains("Say why the statement is withdrawn", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("draft", await ScalarAsync<string>(database, "select status from statement"));
    }

    [Fact]
    public async Task Diff_ShowsRemovedAndAddedWords_BetweenAnyTwoVersions()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var id = await CoreAsync(lead, campaign);
        using var v2 = await NewVersionAsync(lead, id, "A guardian for every child", CoreBody.Replace("Fund specialised shelters.", "Fund specialised shelters run with civil society.", StringComparison.Ordinal), "Shelters");
        using var v3 = await NewVersionAsync(lead, id, "A guardian for every child", CoreBody + "\n\nSigned in Chișinău.", "Place");

        var html = await lead.GetStringAsync($"/statements/{id}/diff?from=1&to=2");
        var wide = await lead.GetStringAsync($"/statements/{id}/diff?from=1&to=3");
        using var missing = await lead.GetAsync($"/statements/{id}/diff?from=1&to=9");

        Assert.Contains("Changes from version 1 to 2", html, StringComparison.Ordinal);
        Assert.Matches(@"<ins>[^<]*civil", html);
        Assert.DoesNotMatch(@"<ins>[^<]*Fund", html);
        Assert.Contains("1 added", html, StringComparison.Ordinal);
        Assert.Contains("1 removed", html, StringComparison.Ordinal);
        Assert.Contains("Signed in Chișinău.", wide, StringComparison.Ordinal);
        Assert.DoesNotContain("civil society", wide, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Contains("has versions 1 to 3", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Variant_RecordsTheCoreVersion_AndShowsItsDivergence()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var core = await CoreAsync(lead, campaign);

        var variant = await VariantAsync(lead, core, "MD", "ro", "Un tutore pentru fiecare copil", CoreBody + "\n\n3. Guvernul Republicii Moldova să publice datele.");

        await using var db = await database.DataSource.OpenConnectionAsync();
        var row = await db.QuerySingleAsync<(long CoreId, string Country, string Scope, long CampaignId, long CoreVersionId)>(
            "select s.core_id, s.country_code as country, s.scope, s.campaign_id, v.core_version_id from statement s join statement_version v on v.statement_id = s.id where s.id = @variant", new { variant });
        Assert.Equal((core, "MD", "national", campaign), (row.CoreId, row.Country, row.Scope, row.CampaignId));
        Assert.Equal(await db.ExecuteScalarAsync<long>("select id from statement_version where statement_id = @core", new { core }), row.CoreVersionId);
        var page = await lead.GetStringAsync($"/statements/{variant}");
        Assert.Contains("Divergence from the core", page, StringComparison.Ordinal);
        Assert.Contains("Guvernul Republicii Moldova", page, StringComparison.Ordinal);
        Assert.DoesNotContain("The core has moved on", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, false, "Choose either a country")]
    [InlineData("MD", true, "Choose either a country")]
    [InlineData("XX", false, "Choose a country from the list.")]
    public async Task Variant_NeedsExactlyOnePlace(string? country, bool withRegion, string message)
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var core = await CoreAsync(lead, campaign);
        var region = withRegion ? await ScalarAsync<long>(database, "select id from region order by id limit 1") : (long?)null;

        using var response = await PostAsync(lead, $"/statements/{core}/variants/new", VariantFields(country, region, "ro"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await ScalarAsync<long>(database, "select count(*) from statement"));
    }

    [Fact]
    public async Task Variant_ForThePlaceAndLanguageTwice_IsRefusedWithAClearMessage()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var core = await CoreAsync(lead, campaign);
        await VariantAsync(lead, core, "MD", "ro", "Moldova", CoreBody);

        using var again = await PostAsync(lead, $"/statements/{core}/variants/new", VariantFields("MD", null, "ro"));
        var russian = await VariantAsync(lead, core, "MD", "ru", "Moldova in Russian", CoreBody);

        Assert.Contains("already has a variant for Moldova in Romanian", await again.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.True(russian > 0);
        Assert.Equal(3, await ScalarAsync<long>(database, "select count(*) from statement"));
    }

    [Fact]
    public async Task Board_ShowsDivergence_AStaleVariant_AndWarnsWhenReleaseDatesDiffer()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var core = await CoreAsync(lead, campaign);
        var release = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var later = DateTime.UtcNow.AddDays(37);
        var moldova = await VariantAsync(lead, core, "MD", "ro", "Moldova", CoreBody, release);
        var albania = await VariantAsync(lead, core, "AL", "sq", "Shqipëri", CoreBody.Replace("Fund specialised shelters.", "Financoni strehëzat.", StringComparison.Ordinal),
            later.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        using var v2 = await NewVersionAsync(lead, core, "A guardian for every child", CoreBody + "\n\n3. Publish yearly data.", "Data ask");
        using var v2Moldova = await PostAsync(lead, $"/statements/{moldova}/versions/new",
            new() { ["Input.Title"] = "Moldova", ["Input.Body"] = CoreBody + "\n\n3. Publish yearly data.", ["Input.ChangeNote"] = "Follows core v2", ["Input.FollowsCore"] = "true" });
        Assert.Equal(HttpStatusCode.Redirect, v2Moldova.StatusCode);

        var board = Text(await lead.GetStringAsync($"/statements/{core}/board"));
        var albaniaPage = Text(await lead.GetStringAsync($"/statements/{albania}"));

        Assert.Contains("Release dates differ", board, StringComparison.Ordinal);
        Assert.Contains(later.ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture), board, StringComparison.Ordinal);
        // Albania: adapted from core v1 while the core is at v2; one line changed and the new core line missing.
        Assert.Matches(@"Albania sq .*core v1 core now v2", board);
        Assert.Matches(@"Albania sq .*\d+ % \+2 −4 lines", board);
        // Moldova follows core v2 word for word apart from the title.
        Assert.Matches(@"Moldova ro .*core v2 \d+ %", board);
        Assert.DoesNotMatch(@"Moldova ro .*core now v2", board);
        Assert.Contains("The core has moved on", albaniaPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Board_SetReleaseDateForAll_UpdatesCoreAndEveryVariant_InOnePost_AndAudits()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var core = await CoreAsync(lead, campaign);
        await VariantAsync(lead, core, "MD", "ro", "Moldova", CoreBody, "2099-01-01");
        await VariantAsync(lead, core, "RO", "ro", "România", CoreBody, "2099-02-01");

        using var response = await PostAsync(lead, $"/statements/{core}/board?handler=Release", new() { ["ReleaseOn"] = "2099-03-15" });
        var board = await lead.GetStringAsync($"/statements/{core}/board");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(["2099-03-15"], (await QueryAsync<string>("select distinct planned_release_on::text from statement")).ToArray());
        Assert.Equal(1, await ScalarAsync<long>(database, "select count(*) from audit_event where action = 'statement.set_release_date'"));
        Assert.DoesNotContain("Release dates differ", board, StringComparison.Ordinal);
        Assert.Contains("release together on", board, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Board_ShowsTheLatestSignOffRound_FromTheSignOffTables()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var core = await CoreAsync(lead, campaign);
        await SignOffAsync(database, core, "open", signed: [true, false]);

        var board = Text(await lead.GetStringAsync($"/statements/{core}/board"));
        var page = Text(await lead.GetStringAsync($"/statements/{core}"));

        Assert.Contains("Open: 1 of 2 approved", board, StringComparison.Ordinal);
        Assert.Contains("Open: 1 of 2 approved", page, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_GetsForbiddenOnEveryPost_AndSeesNoEditLinks()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var core = await CoreAsync(lead, campaign);
        using var viewer = await app.SignedInClientAsync(database, "viewer");
        var token = TestApp.AntiforgeryToken(await viewer.GetStringAsync("/calendar"));
        var posts = new[]
        {
            "/statements/new", $"/statements/{core}/versions/new", $"/statements/{core}/variants/new",
            $"/statements/{core}?handler=Publish", $"/statements/{core}?handler=Withdraw", $"/statements/{core}/board?handler=Release",
        };

        foreach (var path in posts)
        {
            using var form = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["Input.Title"] = "x", ["Input.Body"] = "x", ["Input.ChangeNote"] = "x",
                ["Reason"] = "x", ["ReleaseOn"] = "2099-01-01", ["PublishedOn"] = "2020-01-01", ["Input.CountryCode"] = "MD", ["Input.Language"] = "ro",
            });
            using var response = await viewer.PostAsync(path, form);
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden || response.Headers.Location?.OriginalString.Contains("/account/access-denied", StringComparison.Ordinal) == true,
                $"{path} answered {(int)response.StatusCode}");
        }
        var page = await viewer.GetStringAsync($"/statements/{core}");
        Assert.DoesNotContain("/versions/new", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/variants/new", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/statements/new", await viewer.GetStringAsync("/statements"), StringComparison.Ordinal);
        Assert.Equal(1, await ScalarAsync<long>(database, "select count(*) from statement"));
        Assert.Equal(1, await ScalarAsync<long>(database, "select count(*) from statement_version"));
        Assert.Equal("draft", await ScalarAsync<string>(database, "select status from statement"));
    }

    [Fact]
    public async Task List_FiltersByStatusAndText_AndCountsVariants()
    {
        var campaign = await CampaignAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var core = await CoreAsync(lead, campaign);
        await CoreAsync(lead, campaign, "Open letter on shelters");
        await VariantAsync(lead, core, "MD", "ro", "Moldova", CoreBody);
        await ExecuteAsync(database, "update statement set status = 'final' where id = @core", new { core });

        var all = Text(await lead.GetStringAsync("/statements"));
        var final = await lead.GetStringAsync("/statements?status=final");
        var text = await lead.GetStringAsync("/statements?q=shelters");

        Assert.Contains("1 variant", all, StringComparison.Ordinal);
        Assert.Contains("A guardian for every child", final, StringComparison.Ordinal);
        Assert.DoesNotContain("Open letter on shelters", final, StringComparison.Ordinal);
        Assert.Contains("Open letter on shelters", text, StringComparison.Ordinal);
        Assert.DoesNotContain(">A guardian for every child<", text, StringComparison.Ordinal);
    }

    /// <summary>A round on the statement's latest version with one request per new member organisation.</summary>
    internal static async Task<long> SignOffAsync(TestDatabase database, long statementId, string status, bool[] signed, string[]? names = null)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var lead = await db.ExecuteScalarAsync<long>("select id from staff_user where role = 'lead' order by id limit 1");
        var versionId = await db.ExecuteScalarAsync<long>("select id from statement_version where statement_id = @statementId order by number desc limit 1", new { statementId });
        var closed = status == "closed";
        var round = await db.ExecuteScalarAsync<long>(
            """
            insert into signoff_round (statement_id, version_id, rule, opens_at, deadline, status, outcome, closed_at, lead_id)
            values (@statementId, @versionId, 'all_must_approve', now() - interval '3 days', now() + interval '4 days', @status,
                    case when @closed then 'approved' end, case when @closed then now() end, @lead)
            returning id
            """, new { statementId, versionId, status, closed, lead });
        for (var i = 0; i < signed.Length; i++)
        {
            var name = names?[i] ?? $"Member organisation {i + 1}";
            var org = await db.ExecuteScalarAsync<long>("insert into organisation (name, kind, country_code) values (@name, 'member', 'MD') returning id", new { name });
            var person = await db.ExecuteScalarAsync<long>("insert into person (full_name, organisation_id, category) values (@name, @org, 'signatory') returning id", new { name = "Signatory of " + name, org });
            await db.ExecuteAsync(
                """
                insert into signoff_request (round_id, organisation_id, signatory_id, decision, answered_at, signed)
                values (@round, @org, @person, case when @yes then 'approve' end, case when @yes then now() end, case when @closed then @yes end)
                """, new { round, org, person, yes = signed[i], closed });
        }
        return round;
    }

    private async Task<IEnumerable<T>> QueryAsync<T>(string sql)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.QueryAsync<T>(sql);
    }

    private static string Text(string html) => Whitespace().Replace(Tags().Replace(html, " "), " ");

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
