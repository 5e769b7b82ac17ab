using System.Globalization;
using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Interactions;
using Dapper;

namespace Child10.Advocacy.Tests.Interactions;

[Collection(DatabaseGroup.Name)]
public sealed class InteractionTests(TestDatabase database) : IAsyncLifetime
{
    private static readonly string[] ExpectedOrder = ["Very late letter", "Slightly late email", "Upcoming call"];

    private TestApp app = null!;
    private long ministryId;
    private long personId;
    private long erasedPersonId;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
        await using var db = await database.DataSource.OpenConnectionAsync();
        ministryId = await db.ExecuteScalarAsync<long>(
            "insert into organisation (name, kind, country_code) values ('Ministry of Social Affairs', 'government', 'SE') returning id");
        personId = await db.ExecuteScalarAsync<long>(
            "insert into person (full_name, position, organisation_id, email) values ('Åsa Lindqvist', 'State Secretary', @ministryId, 'asa@ministry.se.example') returning id",
            new { ministryId });
        erasedPersonId = await db.ExecuteScalarAsync<long>(
            "insert into person (full_name, erased_at) values ('Erased', now()) returning id");
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task LoggingAMeetingWithAFollowUp_StoresLinksAndAudit_AndShowsOnTimelineAndFollowUps()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        var leadId = await StaffIdAsync("lead");
        var today = Today();

        var form = await client.GetStringAsync($"/interactions/new?personId={personId}");
        Assert.Contains("Åsa Lindqvist", Decode(form), StringComparison.Ordinal);
        Assert.Matches($"name=\"Input.OrganisationIds\" value=\"{ministryId}\" checked", form);

        using var response = await PostAsync(client, "/interactions/new", form, Fields(
            ("Input.Kind", "meeting"),
            ("Input.OccurredOn", Iso(today)),
            ("Input.Subject", "Meeting on the national action plan"),
            ("Input.Outcome", "Agreed to consult member organisations."),
            ("Input.PersonIds", personId), ("Input.ShownPersonIds", personId),
            ("Input.OrganisationIds", ministryId), ("Input.ShownOrganisationIds", ministryId),
            ("Input.FollowUpOn", Iso(today.AddDays(7))),
            ("Input.FollowUpOwnerId", "")));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var id = await db.ExecuteScalarAsync<long>("select id from interaction");
        Assert.Equal($"/interactions/{id}", response.Headers.Location!.OriginalString);
        var stored = await db.QuerySingleAsync<(string Kind, string Subject, long? Owner, DateTime? FollowUpOn)>(
            "select kind, subject, follow_up_owner_id, follow_up_on from interaction where id = @id", new { id });
        Assert.Equal(("meeting", "Meeting on the national action plan", leadId), (stored.Kind, stored.Subject, stored.Owner));
        Assert.Equal([personId], await db.QueryAsync<long>("select person_id from interaction_person where interaction_id = @id", new { id }));
        Assert.Equal([ministryId], await db.QueryAsync<long>("select organisation_id from interaction_organisation where interaction_id = @id", new { id }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "select count(*) from audit_event where action = 'interaction.create' and entity = 'interaction' and entity_id = @id and actor_id = @leadId",
            new { id = id.ToString(CultureInfo.InvariantCulture), leadId }));

        var timeline = await Timeline.ForPersonAsync(db, personId, 20, CancellationToken.None);
        var item = Assert.Single(timeline);
        Assert.Equal((id, "Åsa Lindqvist", "Ministry of Social Affairs", today.AddDays(7)), (item.Id, item.People, item.Organisations, item.FollowUpOn));
        Assert.Single(await Timeline.ForOrganisationAsync(db, ministryId, 20, CancellationToken.None));

        var page = Decode(await client.GetStringAsync($"/interactions/{id}"));
        Assert.Contains("Interaction logged.", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"/stakeholders/people/{personId}\"", page, StringComparison.Ordinal);
        var followUps = Decode(await client.GetStringAsync("/follow-ups"));
        Assert.Contains("Meeting on the national action plan", followUps, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timeline_NamesTheParticipants_InNameOrder_IgnoringCaseAndAccents()
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var id = await db.ExecuteScalarAsync<long>(
            "insert into interaction (kind, occurred_on, subject) values ('meeting', current_date, 'Joint hearing') returning id");
        var zoe = await db.ExecuteScalarAsync<long>("insert into person (full_name) values ('Zoe Brandt') returning id");
        var bruno = await db.ExecuteScalarAsync<long>("insert into person (full_name) values ('bruno costa') returning id");
        var chamber = await db.ExecuteScalarAsync<long>("insert into organisation (name, kind) values ('Ärztekammer', 'ngo') returning id");
        var unicef = await db.ExecuteScalarAsync<long>("insert into organisation (name, kind) values ('unicef Sverige', 'ngo') returning id");
        await db.ExecuteAsync("insert into interaction_person (interaction_id, person_id) select @id, unnest(@people)",
            new { id, people = new[] { zoe, personId, bruno } });
        await db.ExecuteAsync("insert into interaction_organisation (interaction_id, organisation_id) select @id, unnest(@organisations)",
            new { id, organisations = new[] { unicef, ministryId, chamber } });

        var item = Assert.Single(await Timeline.ForOrganisationAsync(db, ministryId, 20, CancellationToken.None));

        Assert.Equal("Åsa Lindqvist, bruno costa, Zoe Brandt", item.People);
        Assert.Equal("Ärztekammer, Ministry of Social Affairs, unicef Sverige", item.Organisations);
    }

    [Theory]
    [InlineData("no-subject", "Enter a subject.")]
    [InlineData("no-participants", "Add at least one person or organisation who took part.")]
    [InlineData("owner-without-date", "Give a follow-up date, or leave the follow-up owner blank.")]
    [InlineData("follow-up-before", "The follow-up date is before the interaction.")]
    [InlineData("unknown-person", "There is no person with id 987654.")]
    [InlineData("erased-person", "has been erased")]
    public async Task Post_WithBadInput_ShowsTheMessage_AndSavesNothing(string problem, string message)
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        var leadId = await StaffIdAsync("lead");
        var today = Today();
        var form = await client.GetStringAsync("/interactions/new");
        var fields = Fields(
            ("Input.Kind", "call"),
            ("Input.OccurredOn", Iso(today)),
            ("Input.Subject", problem == "no-subject" ? "  " : "Call about the helpline"),
            ("Input.FollowUpOn", problem switch { "owner-without-date" => "", "follow-up-before" => Iso(today.AddDays(-1)), _ => Iso(today.AddDays(3)) }),
            ("Input.FollowUpOwnerId", problem == "owner-without-date" ? leadId.ToString(CultureInfo.InvariantCulture) : ""));
        if (problem != "no-participants")
        {
            fields.Add(new("Input.PersonIds", problem switch { "unknown-person" => "987654", "erased-person" => erasedPersonId.ToString(CultureInfo.InvariantCulture), _ => personId.ToString(CultureInfo.InvariantCulture) }));
        }

        using var response = await PostAsync(client, "/interactions/new", form, fields);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = Decode(await response.Content.ReadAsStringAsync());
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.Contains("validation-summary-errors", html, StringComparison.Ordinal);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from interaction"));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from interaction_person"));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action like 'interaction.%'"));
    }

    [Fact]
    public async Task Find_WithoutJavaScript_ListsAccentInsensitiveMatches_AndSavesNothing()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        var form = await client.GetStringAsync("/interactions/new");

        using var response = await PostAsync(client, "/interactions/new?handler=Find", form, Fields(
            ("Input.Kind", "meeting"), ("Input.OccurredOn", Iso(Today())), ("Input.Subject", "Kept while searching"), ("Find", "asa lind")));

        var html = Decode(await response.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"name=\"Input.PersonIds\" value=\"{personId}\" data-organisation-id=\"{ministryId}\"", html, StringComparison.Ordinal);
        Assert.Contains("value=\"Kept while searching\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("validation-summary-errors", html, StringComparison.Ordinal);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from interaction"));

        var json = await client.GetStringAsync("/interactions/lookup?q=Ministry");
        Assert.Contains("\"name\":\"Ministry of Social Affairs\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FollowUps_ListOverdueFirst_WithDaysOverdue_AndOnlyTheOwnersOpenOnes()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        var leadId = await StaffIdAsync("lead");
        var otherId = await TestApp.CreateStaffAsync(database, "viewer");
        var today = Today();
        await InsertFollowUpAsync("Upcoming call", today.AddDays(3), leadId);
        await InsertFollowUpAsync("Very late letter", today.AddDays(-5), leadId);
        await InsertFollowUpAsync("Slightly late email", today.AddDays(-1), leadId);
        await InsertFollowUpAsync("Already done", today.AddDays(-9), leadId, done: true);
        await InsertFollowUpAsync("Someone else's", today.AddDays(-2), otherId);

        var html = Decode(await client.GetStringAsync("/follow-ups"));

        var order = ExpectedOrder.Select(s => html.IndexOf(s, StringComparison.Ordinal)).ToList();
        Assert.All(order, position => Assert.True(position > 0));
        Assert.Equal(order.Order().ToList(), order);
        Assert.Contains("5 days overdue", html, StringComparison.Ordinal);
        Assert.Contains("1 day overdue", html, StringComparison.Ordinal);
        Assert.Matches(@"<h1>My follow-ups\s*<span class=""heading-count heading-count--overdue"">2 overdue</span>", html);
        Assert.DoesNotContain("Already done", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Someone else", html, StringComparison.Ordinal);

        var everyone = Decode(await client.GetStringAsync("/follow-ups?owner=all"));
        Assert.Contains("Someone else", everyone, StringComparison.Ordinal);
        Assert.Contains("3 overdue", everyone, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MarkingDone_RemovesItFromTheList_AndIsAudited()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        var leadId = await StaffIdAsync("lead");
        var id = await InsertFollowUpAsync("Send the briefing pack", Today().AddDays(-2), leadId);
        var page = await client.GetStringAsync("/follow-ups");
        Assert.Contains("Send the briefing pack", page, StringComparison.Ordinal);

        using var response = await PostAsync(client, $"/follow-ups?handler=Done&id={id}", page, Fields());

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var after = Decode(await client.GetStringAsync("/follow-ups"));
        Assert.DoesNotContain("Send the briefing pack", after, StringComparison.Ordinal);
        Assert.Contains("Follow-up marked done.", after, StringComparison.Ordinal);
        Assert.Contains("No open follow-ups.", after, StringComparison.Ordinal);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>(
            "select count(*) from audit_event where action = 'interaction.follow_up_done' and entity_id = @id", new { id = id.ToString(CultureInfo.InvariantCulture) }));

        var details = await client.GetStringAsync($"/interactions/{id}");
        using var reopen = await PostAsync(client, $"/interactions/{id}?handler=Reopen", details, Fields());
        Assert.Equal(HttpStatusCode.Redirect, reopen.StatusCode);
        Assert.True(await db.ExecuteScalarAsync<bool>("select follow_up_done_at is null from interaction where id = @id", new { id }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'interaction.follow_up_reopen'"));
    }

    [Fact]
    public async Task Viewer_CannotPost_AndSeesNoDoneButton()
    {
        var leadId = await TestApp.CreateStaffAsync(database, "lead");
        var id = await InsertFollowUpAsync("Viewer cannot close this", Today().AddDays(-1), leadId);
        using var client = await app.SignedInClientAsync(database, "viewer");
        var page = await client.GetStringAsync($"/follow-ups?owner={leadId}");

        using var create = await PostAsync(client, "/interactions/new", page, Fields(
            ("Input.Kind", "call"), ("Input.OccurredOn", Iso(Today())), ("Input.Subject", "Sneaky"), ("Input.PersonIds", personId)));
        using var done = await PostAsync(client, $"/follow-ups?handler=Done&id={id}", page, Fields());
        using var detailsDone = await PostAsync(client, $"/interactions/{id}?handler=Done", page, Fields());
        using var newForm = await client.GetAsync("/interactions/new");

        foreach (var response in new[] { create, done, detailsDone, newForm })
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal("/account/access-denied", new Uri(app.BaseAddress, response.Headers.Location!).AbsolutePath);
        }
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from interaction"));
        Assert.True(await db.ExecuteScalarAsync<bool>("select follow_up_done_at is null from interaction where id = @id", new { id }));
        Assert.DoesNotContain(">Done<", await client.GetStringAsync($"/interactions/{id}"), StringComparison.Ordinal);
        Assert.DoesNotContain("Mark follow-up done", await client.GetStringAsync($"/interactions/{id}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetNewForm_ChangesNothing()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        await using var db = await database.DataSource.OpenConnectionAsync();
        const string CountSql = "select (select count(*) from interaction) + (select count(*) from audit_event) + (select count(*) from interaction_person)";
        var before = await db.ExecuteScalarAsync<long>(CountSql);

        using var response = await client.GetAsync($"/interactions/new?personId={personId}&organisationId={ministryId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(before, await db.ExecuteScalarAsync<long>(CountSql));
    }

    [Fact]
    public async Task Edit_ChangesFieldsAndParticipants_AndIsAudited()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        var leadId = await StaffIdAsync("lead");
        var id = await InsertFollowUpAsync("First subject", Today().AddDays(4), leadId);
        var form = await client.GetStringAsync($"/interactions/{id}/edit");
        Assert.Contains("value=\"First subject\"", form, StringComparison.Ordinal);

        using var response = await PostAsync(client, $"/interactions/{id}/edit", form, Fields(
            ("Input.Kind", "letter"), ("Input.OccurredOn", Iso(Today())), ("Input.Subject", "Second subject"),
            ("Input.OrganisationIds", ministryId), ("Input.ShownPersonIds", personId), ("Input.FollowUpOn", ""), ("Input.FollowUpOwnerId", "")));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var row = await db.QuerySingleAsync<(string Kind, string Subject, long? Owner)>("select kind, subject, follow_up_owner_id from interaction where id = @id", new { id });
        Assert.Equal(("letter", "Second subject", (long?)null), row);
        Assert.Empty(await db.QueryAsync<long>("select person_id from interaction_person where interaction_id = @id", new { id }));
        Assert.Equal([ministryId], await db.QueryAsync<long>("select organisation_id from interaction_organisation where interaction_id = @id", new { id }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'interaction.update'"));
        using var missing = await client.GetAsync("/interactions/999999");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task<long> InsertFollowUpAsync(string subject, DateOnly due, long ownerId, bool done = false)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var id = await db.ExecuteScalarAsync<long>(
            """
            insert into interaction (kind, occurred_on, subject, follow_up_on, follow_up_owner_id, follow_up_done_at)
            values ('meeting', @occurred, @subject, @due, @ownerId, case when @done then now() end)
            returning id
            """,
            new { occurred = due.AddDays(-14), subject, due, ownerId, done });
        await db.ExecuteAsync("insert into interaction_person (interaction_id, person_id) values (@id, @personId)", new { id, personId });
        return id;
    }

    private async Task<long> StaffIdAsync(string role)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>("select id from staff_user where role = @role order by id limit 1", new { role });
    }

    // Test staff keep the default time zone of staff_user.
    private static DateOnly Today() =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Brussels")).DateTime);

    private static string Iso(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Decode(string html) => WebUtility.HtmlDecode(html);

    private static List<KeyValuePair<string, string>> Fields(params (string Key, object Value)[] fields) =>
        fields.Select(f => new KeyValuePair<string, string>(f.Key, Convert.ToString(f.Value, CultureInfo.InvariantCulture) ?? "")).ToList();

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string pageWithToken, List<KeyValuePair<string, string>> fields)
    {
        fields.Add(new("__RequestVerificationToken", TestApp.AntiforgeryToken(pageWithToken)));
        using var content = new FormUrlEncodedContent(fields);
        return await client.PostAsync(url, content);
    }
}
