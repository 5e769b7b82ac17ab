using System.Globalization;
using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Consultations;
using Dapper;

namespace Child10.Advocacy.Tests.Consultations;

[Collection(DatabaseGroup.Name)]
public sealed class ConsultationTests(TestDatabase database) : IAsyncLifetime
{
    private static readonly int NextYear = DateTime.UtcNow.Year + 1;
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public void ToInstant_1800InBrusselsInSummer_Is1600Utc()
    {
        var instant = ConsultationTime.ToInstant(new DateTime(2026, 7, 1, 18, 0, 0), "Europe/Brussels");

        Assert.Equal(new DateTimeOffset(2026, 7, 1, 16, 0, 0, TimeSpan.Zero), instant);
    }

    [Fact]
    public void ToInstant_InTheSpringForwardGap_IsNull()
    {
        Assert.Null(ConsultationTime.ToInstant(new DateTime(2026, 3, 29, 2, 30, 0), "Europe/Brussels"));
    }

    [Fact]
    public async Task Details_ClosingAt1800Brussels_ShowsViewerZoneTimeAndBrusselsAlongside()
    {
        var institution = await ConsultationTestData.InstitutionAsync(database);
        // 18:00 in Brussels in January is 17:00 UTC and 12:00 in New York.
        var id = await ConsultationTestData.ConsultationAsync(database, institution, "Child sexual abuse regulation", new DateTimeOffset(NextYear, 1, 12, 17, 0, 0, TimeSpan.Zero));
        using var viewer = await ConsultationTestData.SignedInClientInZoneAsync(app, database, "viewer", "America/New_York");

        var html = await viewer.GetStringAsync($"/consultations/{id}");
        var list = await viewer.GetStringAsync("/consultations");

        Assert.Contains($"12 Jan {NextYear}, 12:00 (New York)", html, StringComparison.Ordinal);
        Assert.Contains("18:00 Brussels", html, StringComparison.Ordinal);
        Assert.Contains($"12 Jan {NextYear}, 12:00 (New York)", list, StringComparison.Ordinal);
        Assert.Contains("18:00 Brussels", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Details_ViewerInStockholm_SeesTheSameClockTimeAsBrussels()
    {
        var institution = await ConsultationTestData.InstitutionAsync(database);
        var id = await ConsultationTestData.ConsultationAsync(database, institution, "Victims' rights directive", new DateTimeOffset(NextYear, 12, 12, 17, 0, 0, TimeSpan.Zero));
        using var viewer = await ConsultationTestData.SignedInClientInZoneAsync(app, database, "viewer", "Europe/Stockholm");

        var html = await viewer.GetStringAsync($"/consultations/{id}");
        var text = System.Text.RegularExpressions.Regex.Replace(System.Text.RegularExpressions.Regex.Replace(html, "<[^>]+>", " "), @"\s+", " ");

        Assert.Contains($"closes 12 Dec {NextYear}, 18:00 (Stockholm) — 18:00 Brussels", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task New_Valid_StoresTheInstantOfTheInstitutionsLocalTime_MembersAndAudit()
    {
        var institution = await ConsultationTestData.InstitutionAsync(database, "Riksdagen, Committee on Justice", "parliament");
        var member = await ConsultationTestData.InstitutionAsync(database, "Trygga Spår", "member");
        using var lead = await app.SignedInClientAsync(database, "lead");

        using var response = await PostAsync(lead, "/consultations/new", Fields(institution, $"{NextYear}-12-12T18:00", timeZone: "Europe/Stockholm", members: [member]));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var saved = await db.QuerySingleAsync<(long Id, DateTime ClosesAt, string Zone)>("select id, closes_at, institution_time_zone as zone from consultation");
        Assert.Equal(new DateTime(NextYear, 12, 12, 17, 0, 0, DateTimeKind.Utc), saved.ClosesAt.ToUniversalTime());
        Assert.Equal("Europe/Stockholm", saved.Zone);
        Assert.Equal($"/consultations/{saved.Id}", response.Headers.Location!.OriginalString);
        Assert.Equal(1, await db.ExecuteScalarAsync<long>("select count(*) from consultation_member where organisation_id = @member", new { member }));
        Assert.Equal(1, await db.ExecuteScalarAsync<long>(
            "select count(*) from audit_event where action = 'consultation.create' and entity_id = @id and actor_id is not null",
            new { id = saved.Id.ToString(CultureInfo.InvariantCulture) }));
    }

    [Fact]
    public async Task New_WithADeadlineInThePast_ShowsTheErrorAtTheField_AndSavesNothing()
    {
        var institution = await ConsultationTestData.InstitutionAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");

        using var response = await PostAsync(lead, "/consultations/new", Fields(institution, "2020-03-01T12:00"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The closing deadline has already passed", html, StringComparison.Ordinal);
        Assert.Contains("data-valmsg-for=\"Input.ClosesLocal\"", html, StringComparison.Ordinal);
        await AssertNothingSavedAsync();
    }

    [Fact]
    public async Task New_ClosingBeforeItOpens_ShowsTheErrorAtTheField_AndSavesNothing()
    {
        var institution = await ConsultationTestData.InstitutionAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");

        using var response = await PostAsync(lead, "/consultations/new", Fields(institution, $"{NextYear}-03-01T12:00", opens: $"{NextYear}-04-01T12:00"));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The consultation closes before it opens", html, StringComparison.Ordinal);
        await AssertNothingSavedAsync();
    }

    [Theory]
    [InlineData("Input.Url", "javascript:alert(1)", "Enter a web address starting with https://")]
    [InlineData("Input.TimeZone", "Mars/Olympus", "Choose the institution&#x27;s time zone")]
    [InlineData("Input.Title", "  ", "Enter the title of the consultation.")]
    public async Task New_WithABadField_ShowsTheError_AndSavesNothing(string field, string value, string message)
    {
        var institution = await ConsultationTestData.InstitutionAsync(database);
        using var lead = await app.SignedInClientAsync(database, "lead");
        var fields = Fields(institution, $"{NextYear}-03-01T12:00");
        fields[field] = value;

        using var response = await PostAsync(lead, "/consultations/new", fields);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains(message, html, StringComparison.Ordinal);
        await AssertNothingSavedAsync();
    }

    [Fact]
    public async Task New_WithAMemberOrganisationAsInstitution_IsRefused()
    {
        var member = await ConsultationTestData.InstitutionAsync(database, "Trygga Spår", "member");
        using var lead = await app.SignedInClientAsync(database, "lead");

        using var response = await PostAsync(lead, "/consultations/new", Fields(member, $"{NextYear}-03-01T12:00"));

        Assert.Contains("Choose the institution that runs the consultation.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await AssertNothingSavedAsync();
    }

    [Fact]
    public async Task Edit_ByALead_SavesAndAudits_AndMayKeepAPastDeadline()
    {
        var institution = await ConsultationTestData.InstitutionAsync(database);
        var id = await ConsultationTestData.ConsultationAsync(database, institution, "Old consultation", DateTimeOffset.UtcNow.AddDays(-3));
        using var lead = await app.SignedInClientAsync(database, "lead");
        var fields = Fields(institution, DateTime.UtcNow.AddDays(-3).ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture), title: "Old consultation");
        fields["Input.Status"] = "submitted";
        fields["Input.SubmissionReference"] = "EC-2026-123";

        using var response = await PostAsync(lead, $"/consultations/{id}/edit", fields);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("submitted", await ConsultationStringAsync("select status from consultation"));
        Assert.Equal(1, await ConsultationTestData.CountAsync(database, "select count(*) from audit_event where action = 'consultation.update'"));
    }

    [Fact]
    public async Task Viewer_CannotEdit_AndSeesNoEditButtons()
    {
        var institution = await ConsultationTestData.InstitutionAsync(database);
        var id = await ConsultationTestData.ConsultationAsync(database, institution, "Child sexual abuse regulation", DateTimeOffset.UtcNow.AddDays(20));
        using var viewer = await app.SignedInClientAsync(database, "viewer");

        using var editPage = await viewer.GetAsync($"/consultations/{id}/edit");
        using var newPage = await viewer.GetAsync("/consultations/new");
        var editForm = Fields(institution, $"{NextYear}-03-01T12:00", title: "Changed by a viewer");
        using var post = await PostWithoutPageAsync(viewer, $"/consultations/{id}/edit", editForm);
        var details = await viewer.GetStringAsync($"/consultations/{id}");
        var list = await viewer.GetStringAsync("/consultations");

        Assert.StartsWith("/account/access-denied", editPage.Headers.Location?.AbsolutePath ?? editPage.Headers.Location?.OriginalString, StringComparison.Ordinal);
        Assert.StartsWith("/account/access-denied", newPage.Headers.Location?.AbsolutePath ?? "", StringComparison.Ordinal);
        Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal("Child sexual abuse regulation", await ConsultationStringAsync("select title from consultation"));
        Assert.DoesNotContain($"/consultations/{id}/edit", details, StringComparison.Ordinal);
        Assert.DoesNotContain("/consultations/new", list, StringComparison.Ordinal);
        Assert.Equal(0, await ConsultationTestData.CountAsync(database, "select count(*) from audit_event where entity = 'consultation'"));
    }

    [Fact]
    public async Task List_ShowsActiveConsultationsClosingSoonestFirst_WithCountdownMarks()
    {
        var institution = await ConsultationTestData.InstitutionAsync(database);
        await ConsultationTestData.ConsultationAsync(database, institution, "Later one", DateTimeOffset.UtcNow.AddDays(30).AddHours(1));
        await ConsultationTestData.ConsultationAsync(database, institution, "Sooner one", DateTimeOffset.UtcNow.AddDays(5).AddHours(1));
        await ConsultationTestData.ConsultationAsync(database, institution, "Already submitted", DateTimeOffset.UtcNow.AddDays(2), status: "submitted");
        using var viewer = await app.SignedInClientAsync(database, "viewer");

        var active = await viewer.GetStringAsync("/consultations");
        var submitted = await viewer.GetStringAsync("/consultations?status=submitted");

        Assert.True(active.IndexOf("Sooner one", StringComparison.Ordinal) < active.IndexOf("Later one", StringComparison.Ordinal));
        Assert.Contains("closes in 5 days", active, StringComparison.Ordinal);
        Assert.Contains("closes in 30 days", active, StringComparison.Ordinal);
        Assert.DoesNotContain("Already submitted", active, StringComparison.Ordinal);
        Assert.Contains("Already submitted", submitted, StringComparison.Ordinal);
        Assert.DoesNotContain("Sooner one", submitted, StringComparison.Ordinal);
    }

    private async Task AssertNothingSavedAsync()
    {
        Assert.Equal(0, await ConsultationTestData.CountAsync(database, "select count(*) from consultation"));
        Assert.Equal(0, await ConsultationTestData.CountAsync(database, "select count(*) from consultation_member"));
        Assert.Equal(0, await ConsultationTestData.CountAsync(database, "select count(*) from audit_event where entity = 'consultation'"));
    }

    private async Task<string?> ConsultationStringAsync(string sql)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<string>(sql);
    }

    private static Dictionary<string, string> Fields(
        long institutionId, string closes, string? opens = null, string timeZone = "Europe/Brussels", string title = "Child sexual abuse regulation", long[]? members = null)
    {
        var fields = new Dictionary<string, string>
        {
            ["Input.InstitutionId"] = institutionId.ToString(CultureInfo.InvariantCulture),
            ["Input.Title"] = title,
            ["Input.Url"] = "https://ec.europa.eu/info/law/better-regulation/have-your-say",
            ["Input.Scope"] = "international",
            ["Input.TimeZone"] = timeZone,
            ["Input.ClosesLocal"] = closes,
            ["Input.Status"] = "open",
        };
        if (opens is not null)
        {
            fields["Input.OpensLocal"] = opens;
        }
        foreach (var (member, i) in (members ?? []).Select((m, i) => (m, i)))
        {
            fields[$"Input.MemberIds[{i}]"] = member.ToString(CultureInfo.InvariantCulture);
        }
        return fields;
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(path);
        fields["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page);
        using var form = new FormUrlEncodedContent(fields);
        return await client.PostAsync(path, form);
    }

    /// <summary>A viewer cannot load the form, so the token comes from a page every role can open.</summary>
    private static async Task<HttpResponseMessage> PostWithoutPageAsync(HttpClient client, string path, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync("/calendar");
        fields["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page);
        using var form = new FormUrlEncodedContent(fields);
        return await client.PostAsync(path, form);
    }
}
