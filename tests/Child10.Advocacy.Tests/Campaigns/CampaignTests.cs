using System.Globalization;
using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Campaigns;
using Dapper;

namespace Child10.Advocacy.Tests.Campaigns;

[Collection(DatabaseGroup.Name)]
public sealed class CampaignTests(TestDatabase database) : IAsyncLifetime
{
    private TestApp app = null!;
    private long memberId;
    private long ministerId;
    private long mpId;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
        await using var db = await database.DataSource.OpenConnectionAsync();
        memberId = await db.ExecuteScalarAsync<long>(
            "insert into organisation (name, kind, country_code) values ('La Strada Moldova', 'member', 'MD') returning id");
        var ministry = await db.ExecuteScalarAsync<long>(
            "insert into organisation (name, kind, country_code) values ('Ministry of Labour', 'government', 'MD') returning id");
        ministerId = await db.ExecuteScalarAsync<long>(
            "insert into person (full_name, position, organisation_id, category) values ('Ion Rusu', 'Minister', @ministry, 'decision_maker') returning id",
            new { ministry });
        mpId = await db.ExecuteScalarAsync<long>(
            "insert into person (full_name, position, category) values ('Elena Ceban', 'Member of Parliament', 'decision_maker') returning id");
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [InlineData("planning", "active", true)]
    [InlineData("planning", "concluded", true)]
    [InlineData("active", "concluded", true)]
    [InlineData("concluded", "archived", true)]
    [InlineData("planning", "archived", true)]
    [InlineData("active", "planning", false)]
    [InlineData("concluded", "active", false)]
    [InlineData("archived", "active", false)]
    public void CanMove_OnlyForwardOrToArchived(string from, string to, bool allowed) =>
        Assert.Equal(allowed, CampaignVocabulary.CanMove(from, to));

    [Fact]
    public async Task Create_ThenMoveForward_SavesCountriesMembersAndAudits_AndAMoveBackIsRefused()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        var form = await client.GetStringAsync("/campaigns/new");
        using var created = await PostAsync(client, "/campaigns/new", form, CampaignFields("planning", "2026-01-10", "2026-12-31"));

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var id = await db.ExecuteScalarAsync<long>("select id from campaign");
        Assert.Equal($"/campaigns/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal(["MD", "RO"], (await db.QueryAsync<string>("select country_code from campaign_country where campaign_id = @id order by 1", new { id })).ToArray());
        Assert.Equal([memberId], await db.QueryAsync<long>("select organisation_id from campaign_member where campaign_id = @id", new { id }));
        Assert.Equal(1, await AuditCountAsync(db, "campaign.create", id));

        var page = Decode(await client.GetStringAsync($"/campaigns/{id}"));
        Assert.Contains("End child trafficking in Moldova", page, StringComparison.Ordinal);
        Assert.Contains("La Strada Moldova", page, StringComparison.Ordinal);
        // Key asks are plain text; the prose class keeps their line breaks.
        Assert.Contains("class=\"markdown campaign-asks\"><p>Ratify the protocol\nFund the helpline</p>", page, StringComparison.Ordinal);

        var edit = await client.GetStringAsync($"/campaigns/{id}/edit");
        using var forward = await PostAsync(client, $"/campaigns/{id}/edit", edit, CampaignFields("active", "2026-01-10", "2026-12-31"));
        Assert.Equal(HttpStatusCode.Redirect, forward.StatusCode);
        Assert.Equal("active", await db.ExecuteScalarAsync<string>("select status from campaign where id = @id", new { id }));

        using var back = await PostAsync(client, $"/campaigns/{id}/edit", edit, CampaignFields("planning", "2026-01-10", "2026-12-31"));
        Assert.Equal(HttpStatusCode.OK, back.StatusCode);
        Assert.Contains("cannot go back from active to planning", Decode(await back.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal("active", await db.ExecuteScalarAsync<string>("select status from campaign where id = @id", new { id }));
        Assert.Equal(1, await AuditCountAsync(db, "campaign.update", id));
    }

    [Fact]
    public async Task Create_WithEndBeforeStart_ShowsTheErrorAtTheField_AndSavesNothing()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        var form = await client.GetStringAsync("/campaigns/new");
        using var response = await PostAsync(client, "/campaigns/new", form, CampaignFields("planning", "2026-06-01", "2026-05-31"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = Decode(await response.Content.ReadAsStringAsync());
        Assert.Contains("The end date is before the start date.", html, StringComparison.Ordinal);
        Assert.Contains("data-valmsg-for=\"Input.EndsOn\"", html, StringComparison.Ordinal);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from campaign"));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from campaign_country"));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action like 'campaign.%'"));
    }

    [Fact]
    public async Task Create_WithUnknownCountryCode_IsRefused()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        var form = await client.GetStringAsync("/campaigns/new");
        var fields = CampaignFields("planning", "", "");
        fields.RemoveAll(f => f.Key == "Input.CountryCodes");
        fields.Add(new("Input.CountryCodes", "MD, XX"));
        using var response = await PostAsync(client, "/campaigns/new", form, fields);

        Assert.Contains("Not a country code: XX", Decode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from campaign"));
    }

    [Fact]
    public async Task AddTarget_Twice_ShowsAClearMessage_AndKeepsOneTargetWithItsInitialStance()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        var id = await InsertCampaignAsync();
        var page = await client.GetStringAsync($"/campaigns/{id}?find=rusu");
        Assert.Contains($"name=\"Target.PersonId\" value=\"{ministerId}\"", page, StringComparison.Ordinal);

        using var first = await PostAsync(client, $"/campaigns/{id}?handler=AddTarget", page, TargetFields(ministerId, "neutral", 5));
        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        using var second = await PostAsync(client, $"/campaigns/{id}?handler=AddTarget", page, TargetFields(ministerId, "supportive", 2));

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Contains("Ion Rusu is already a target of this campaign.", Decode(await second.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var target = await db.QuerySingleAsync<(long Id, string Stance, short Influence)>("select id, stance, influence from campaign_target");
        Assert.Equal(("neutral", (short)5), (target.Stance, target.Influence));
        Assert.Equal(["neutral"], await db.QueryAsync<string>("select stance from campaign_target_stance where target_id = @Id", new { target.Id }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'campaign_target.create'"));

        var after = Decode(await client.GetStringAsync($"/campaigns/{id}"));
        Assert.Contains("Ion Rusu", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EditTarget_ChangingStance_AppendsToTheHistory_WithWhoAndWhen()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        var id = await InsertCampaignAsync();
        var page = await client.GetStringAsync($"/campaigns/{id}?find=rusu");
        using var add = await PostAsync(client, $"/campaigns/{id}?handler=AddTarget", page, TargetFields(ministerId, "opposed", 4));
        await using var db = await database.DataSource.OpenConnectionAsync();
        var targetId = await db.ExecuteScalarAsync<long>("select id from campaign_target");

        var edit = await client.GetStringAsync($"/campaigns/{id}/targets/{targetId}");
        using var unchanged = await PostAsync(client, $"/campaigns/{id}/targets/{targetId}", edit, TargetFields(ministerId, "opposed", 3));
        using var changed = await PostAsync(client, $"/campaigns/{id}/targets/{targetId}", edit, TargetFields(ministerId, "supportive", 3));

        Assert.Equal(HttpStatusCode.Redirect, changed.StatusCode);
        var leadId = await db.ExecuteScalarAsync<long>("select id from staff_user where role = 'lead' order by id limit 1");
        var history = (await db.QueryAsync<(string Stance, long? ChangedBy)>(
            "select stance, changed_by from campaign_target_stance where target_id = @targetId order by changed_at, id", new { targetId })).ToList();
        Assert.Equal([("opposed", (long?)leadId), ("supportive", leadId)], history);
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'campaign_target.update'"));
        var shown = Decode(await client.GetStringAsync($"/campaigns/{id}/targets/{targetId}"));
        Assert.Contains("Stance history", shown, StringComparison.Ordinal);
        Assert.True(shown.IndexOf(">Opposed<", StringComparison.Ordinal) < shown.LastIndexOf(">Supportive<", StringComparison.Ordinal));
    }

    [Fact]
    public async Task LoggingAMeetingWithATarget_MovesProgressToMet_AndALaterEmailNeverMovesItBack()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        var id = await InsertCampaignAsync();
        await using var db = await database.DataSource.OpenConnectionAsync();
        var ministerTarget = await db.ExecuteScalarAsync<long>(
            "insert into campaign_target (campaign_id, person_id) values (@id, @ministerId) returning id", new { id, ministerId });
        var mpTarget = await db.ExecuteScalarAsync<long>(
            "insert into campaign_target (campaign_id, person_id) values (@id, @mpId) returning id", new { id, mpId });

        var form = await client.GetStringAsync($"/interactions/new?campaignId={id}&personId={ministerId}");
        Assert.Matches($"<option value=\"{id}\" selected=\"selected\">", form);
        using var meeting = await PostAsync(client, "/interactions/new", form, InteractionFields("meeting", id, ministerId));
        Assert.Equal(HttpStatusCode.Redirect, meeting.StatusCode);
        Assert.Equal("met", await ProgressAsync(db, ministerTarget));
        Assert.Equal("not_contacted", await ProgressAsync(db, mpTarget));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "select count(*) from audit_event where action = 'campaign_target.progress' and entity_id = @e", new { e = ministerTarget.ToString(CultureInfo.InvariantCulture) }));

        using var email = await PostAsync(client, "/interactions/new", form, InteractionFields("email", id, ministerId, mpId));
        Assert.Equal(HttpStatusCode.Redirect, email.StatusCode);
        Assert.Equal("met", await ProgressAsync(db, ministerTarget));
        Assert.Equal("contacted", await ProgressAsync(db, mpTarget));

        using var noCampaign = await PostAsync(client, "/interactions/new", form, InteractionFields("meeting", null, mpId));
        Assert.Equal("contacted", await ProgressAsync(db, mpTarget));

        // Editing the email into a meeting moves the MP on too.
        var emailId = await db.ExecuteScalarAsync<long>("select id from interaction where kind = 'email'");
        var edit = await client.GetStringAsync($"/interactions/{emailId}/edit");
        using var edited = await PostAsync(client, $"/interactions/{emailId}/edit", edit, InteractionFields("event", id, ministerId, mpId));
        Assert.Equal(HttpStatusCode.Redirect, edited.StatusCode);
        Assert.Equal("met", await ProgressAsync(db, mpTarget));
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("select count(*) from interaction where campaign_id = @id", new { id }));

        // The campaign page lists exactly the campaign's interactions.
        var campaignPage = await client.GetStringAsync($"/campaigns/{id}");
        Assert.Contains($"href=\"/interactions/{emailId}\"", campaignPage, StringComparison.Ordinal);
        var outside = await db.ExecuteScalarAsync<long>("select id from interaction where campaign_id is null");
        Assert.DoesNotContain($"href=\"/interactions/{outside}\"", campaignPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_CannotEdit_IsSentToAccessDenied_AndNothingIsSaved()
    {
        var id = await InsertCampaignAsync();
        using var lead = await app.SignedInClientAsync(database, "lead");
        var leadPage = await lead.GetStringAsync($"/campaigns/{id}");
        Assert.Contains("Add milestone", leadPage, StringComparison.Ordinal);

        using var viewer = await app.SignedInClientAsync(database, "viewer");
        var page = await viewer.GetStringAsync($"/campaigns/{id}");
        Assert.DoesNotContain("Add milestone", page, StringComparison.Ordinal);
        Assert.DoesNotContain("/campaigns/new", await viewer.GetStringAsync("/campaigns"), StringComparison.Ordinal);
        using var newPage = await viewer.GetAsync("/campaigns/new");
        Assert.Equal("/account/access-denied", newPage.Headers.Location!.AbsolutePath);

        using var milestone = await PostAsync(viewer, $"/campaigns/{id}?handler=AddMilestone", page, [new("Milestone.Title", "Sneaky"), new("Milestone.DueOn", "2026-09-01")]);
        using var target = await PostAsync(viewer, $"/campaigns/{id}?handler=AddTarget", page, TargetFields(ministerId, "neutral", 3));
        using var edit = await PostAsync(viewer, $"/campaigns/{id}/edit", page, CampaignFields("active", "", ""));

        foreach (var response in new[] { milestone, target, edit })
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/account/access-denied", response.Headers.Location!.AbsolutePath);
        }
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from milestone"));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from campaign_target"));
        Assert.Equal("planning", await db.ExecuteScalarAsync<string>("select status from campaign where id = @id", new { id }));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where entity in ('campaign', 'campaign_target', 'milestone')"));
    }

    [Fact]
    public async Task Milestones_AddMarkDoneReopenDelete_AreAudited_AndShownOnTheTimeline()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        var id = await InsertCampaignAsync();
        var page = await client.GetStringAsync($"/campaigns/{id}");

        using var blank = await PostAsync(client, $"/campaigns/{id}?handler=AddMilestone", page, [new("Milestone.Title", " "), new("Milestone.DueOn", "")]);
        var blankHtml = Decode(await blank.Content.ReadAsStringAsync());
        Assert.Contains("Enter what the milestone is.", blankHtml, StringComparison.Ordinal);
        Assert.Contains("Enter the due date.", blankHtml, StringComparison.Ordinal);

        using var add = await PostAsync(client, $"/campaigns/{id}?handler=AddMilestone", page, [new("Milestone.Title", "Draft law tabled"), new("Milestone.DueOn", "2030-03-01")]);
        Assert.Equal(HttpStatusCode.Redirect, add.StatusCode);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var milestoneId = await db.ExecuteScalarAsync<long>("select id from milestone");
        var shown = Decode(await client.GetStringAsync($"/campaigns/{id}"));
        Assert.Contains("Draft law tabled", shown, StringComparison.Ordinal);
        Assert.Contains("campaign-timeline__item--future", shown, StringComparison.Ordinal);

        using var done = await PostAsync(client, $"/campaigns/{id}?handler=MilestoneDone&milestoneId={milestoneId}&done=true", page, []);
        Assert.True(await db.ExecuteScalarAsync<bool>("select done_at is not null from milestone where id = @milestoneId", new { milestoneId }));
        using var reopen = await PostAsync(client, $"/campaigns/{id}?handler=MilestoneDone&milestoneId={milestoneId}&done=false", page, []);
        Assert.True(await db.ExecuteScalarAsync<bool>("select done_at is null from milestone where id = @milestoneId", new { milestoneId }));
        using var delete = await PostAsync(client, $"/campaigns/{id}?handler=DeleteMilestone&milestoneId={milestoneId}", page, []);
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from milestone"));
        Assert.Equal(["milestone.create", "milestone.delete", "milestone.done", "milestone.reopen"],
            (await db.QueryAsync<string>("select action from audit_event where entity = 'milestone' order by action")).ToArray());
    }

    [Fact]
    public async Task CampaignPage_FiltersTargets_AndCountsThemInTheStanceInfluenceGrid()
    {
        using var client = await app.SignedInClientAsync(database, "viewer");
        var id = await InsertCampaignAsync();
        await using var db = await database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync("insert into campaign_target (campaign_id, person_id, stance, influence, progress) values (@id, @ministerId, 'opposed', 5, 'met'), (@id, @mpId, 'supportive', 2, 'not_contacted')",
            new { id, ministerId, mpId });

        var all = Decode(await client.GetStringAsync($"/campaigns/{id}"));
        Assert.Contains("Ion Rusu", all, StringComparison.Ordinal);
        Assert.Contains("Elena Ceban", all, StringComparison.Ordinal);
        Assert.Contains("campaign-grid__cell--opposed\">1<", all, StringComparison.Ordinal);
        Assert.Contains("Met: <strong>1</strong> (50%)", all, StringComparison.Ordinal);

        var opposed = Decode(await client.GetStringAsync($"/campaigns/{id}?stance=opposed"));
        Assert.Contains("href=\"/stakeholders/people/" + ministerId + "\"", opposed, StringComparison.Ordinal);
        Assert.DoesNotContain("href=\"/stakeholders/people/" + mpId + "\"", opposed, StringComparison.Ordinal);

        var list = Decode(await client.GetStringAsync("/campaigns"));
        Assert.Contains("Child protection reform", list, StringComparison.Ordinal);
        Assert.DoesNotContain("Child protection reform", Decode(await client.GetStringAsync("/campaigns?status=archived")), StringComparison.Ordinal);
    }

    private async Task<long> InsertCampaignAsync()
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>("insert into campaign (title, scope) values ('Child protection reform', 'national') returning id");
    }

    private static async Task<string> ProgressAsync(Npgsql.NpgsqlConnection db, long targetId) =>
        (await db.ExecuteScalarAsync<string>("select progress from campaign_target where id = @targetId", new { targetId }))!;

    private static Task<int> AuditCountAsync(Npgsql.NpgsqlConnection db, string action, long id) =>
        db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = @action and entity = 'campaign' and entity_id = @e",
            new { action, e = id.ToString(CultureInfo.InvariantCulture) });

    private List<KeyValuePair<string, string>> CampaignFields(string status, string starts, string ends) =>
    [
        new("Input.Title", "End child trafficking in Moldova"),
        new("Input.Objective", "A national referral mechanism."),
        new("Input.KeyAsks", "Ratify the protocol\nFund the helpline"),
        new("Input.Scope", "national"),
        new("Input.Status", status),
        new("Input.StartsOn", starts),
        new("Input.EndsOn", ends),
        new("Input.CountryCodes", "md ro"),
        new("Input.MemberIds", memberId.ToString(CultureInfo.InvariantCulture)),
    ];

    private static List<KeyValuePair<string, string>> TargetFields(long personId, string stance, int influence) =>
    [
        new("Target.PersonId", personId.ToString(CultureInfo.InvariantCulture)),
        new("Target.Stance", stance),
        new("Target.Influence", influence.ToString(CultureInfo.InvariantCulture)),
        new("Target.Progress", "not_contacted"),
        new("Target.Notes", "Key vote"),
    ];

    private static List<KeyValuePair<string, string>> InteractionFields(string kind, long? campaignId, params long[] people)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("Input.Kind", kind),
            new("Input.OccurredOn", DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            new("Input.Subject", $"A {kind} on the reform"),
            new("Input.CampaignId", campaignId?.ToString(CultureInfo.InvariantCulture) ?? ""),
        };
        fields.AddRange(people.Select(p => new KeyValuePair<string, string>("Input.PersonIds", p.ToString(CultureInfo.InvariantCulture))));
        return fields;
    }

    private static string Decode(string html) => WebUtility.HtmlDecode(html);

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string pageWithToken, List<KeyValuePair<string, string>> fields)
    {
        fields.Add(new("__RequestVerificationToken", TestApp.AntiforgeryToken(pageWithToken)));
        using var content = new FormUrlEncodedContent(fields);
        return await client.PostAsync(url, content);
    }
}
