using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Dapper;

namespace Child10.Advocacy.Tests.Stakeholders;

[Collection(DatabaseGroup.Name)]
public sealed class OrganisationEditTests(TestDatabase database) : IAsyncLifetime
{
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Create_Valid_SavesOrganisationThemesAndAudit_ThenShowsIt()
    {
        using var lead = await app.SignedInClientAsync(database, "lead");
        var legalReform = await OrganisationTestData.ThemeIdAsync(database, "Legal reform");
        var prevention = await OrganisationTestData.ThemeIdAsync(database, "Prevention");

        using var response = await PostNewAsync(lead, Fields("Centrul Național de Prevenire", "member", "2019", "MD", website: "https://cnpac.md.example",
            themes: [legalReform, prevention]));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var saved = await db.QuerySingleAsync<(long Id, string Kind, int? AwardYear, string Country, string Region)>(
            """
            select o.id, o.kind, o.award_year, o.country_code as country, r.name as region
            from organisation o join region r on r.id = o.region_id
            where o.name = 'Centrul Național de Prevenire'
            """);
        Assert.Equal(("member", 2019, "MD", "Europe"), (saved.Kind, saved.AwardYear, saved.Country, saved.Region));
        Assert.Equal($"/stakeholders/organisations/{saved.Id}", response.Headers.Location!.OriginalString);
        Assert.Equal(2, await db.ExecuteScalarAsync<long>("select count(*) from organisation_theme where organisation_id = @id", new { id = saved.Id }));
        Assert.Equal(1, await db.ExecuteScalarAsync<long>(
            "select count(*) from audit_event where action = 'organisation.create' and entity = 'organisation' and entity_id = @id and actor_id is not null",
            new { id = saved.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) }));

        var details = await lead.GetStringAsync(response.Headers.Location);
        Assert.Contains("<p class=\"flash\" role=\"status\">Centrul Național de Prevenire was added.</p>", details, StringComparison.Ordinal);
        Assert.Contains("<a href=\"https://cnpac.md.example/\" rel=\"noopener noreferrer\" target=\"_blank\">", details, StringComparison.Ordinal);
        Assert.Contains($"href=\"/stakeholders/people?OrganisationId={saved.Id}\"", details, StringComparison.Ordinal);
        Assert.Contains($"href=\"/interactions/new?organisationId={saved.Id}\"", details, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ngo", "2019", "MD", "", "Input.AwardYear", "Only awarded member organisations have an award year")]
    [InlineData("member", "1999", "MD", "", "Input.AwardYear", "The award year must be between 2000 and")]
    [InlineData("ngo", "", "ZZ", "", "Input.CountryCode", "&#x27;ZZ&#x27; is not a known country code")]
    [InlineData("ngo", "", "MD", "javascript:alert(1)", "Input.Website", "is not a web address")]
    [InlineData("ngo", "", "MD", "www.example.org", "Input.Website", "is not a web address")]
    [InlineData("unknown", "", "MD", "", "Input.Kind", "Choose the kind of organisation.")]
    public async Task Create_WithBadField_ShowsTheMessageAtTheField_AndSavesNothing(string kind, string awardYear, string country, string website, string field, string message)
    {
        using var lead = await app.SignedInClientAsync(database, "lead");

        using var response = await PostNewAsync(lead, Fields("Some organisation", kind, awardYear, country, website));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(message, html, StringComparison.Ordinal);
        Assert.Contains($"data-valmsg-for=\"{field}\"", html, StringComparison.Ordinal);
        Assert.Contains("The organisation was not saved.", html, StringComparison.Ordinal);
        Assert.Equal(0, await OrganisationTestData.CountAsync(database, "select count(*) from organisation"));
        Assert.Equal(0, await OrganisationTestData.CountAsync(database, "select count(*) from audit_event where entity = 'organisation'"));
    }

    [Fact]
    public async Task Create_WithBlankName_ShowsError()
    {
        using var lead = await app.SignedInClientAsync(database, "lead");

        using var response = await PostNewAsync(lead, Fields("   ", "ngo", "", "MD"));

        Assert.Contains("Enter the organisation&#x27;s name.", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await OrganisationTestData.CountAsync(database, "select count(*) from organisation"));
    }

    [Fact]
    public async Task Create_DuplicateNameInTheSameCountry_ShowsErrorAtTheName()
    {
        await OrganisationTestData.InsertAsync(database, "Ministry of Labour and Social Protection", "government", "MD");
        using var lead = await app.SignedInClientAsync(database, "lead");

        using var duplicate = await PostNewAsync(lead, Fields("ministry of labour and social protection", "government", "", "MD"));
        using var otherCountry = await PostNewAsync(lead, Fields("Ministry of Labour and Social Protection", "government", "", "KE"));

        var html = await duplicate.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, duplicate.StatusCode);
        Assert.Contains("already exists in Moldova", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, otherCountry.StatusCode);
        Assert.Equal(2, await OrganisationTestData.CountAsync(database, "select count(*) from organisation"));
    }

    [Fact]
    public async Task Update_ChangesFieldsAndThemes_AndAudits()
    {
        var id = await OrganisationTestData.InsertAsync(database, "Old name", "member", "AL", ["Legal reform", "Prevention"], 2016);
        var childLabour = await OrganisationTestData.ThemeIdAsync(database, "Child labour");
        var africa = await OrganisationTestData.RegionIdAsync(database, "Africa");
        using var lead = await app.SignedInClientAsync(database, "lead");
        var form = await lead.GetStringAsync($"/stakeholders/organisations/{id}/edit");
        Assert.Contains("value=\"Old name\"", form, StringComparison.Ordinal);

        using var response = await OrganisationTestData.PostFormAsync(lead, $"/stakeholders/organisations/{id}/edit", $"/stakeholders/organisations/{id}/edit",
            [.. Fields("New name", "ngo", "", "", "http://new.example/", [childLabour]), new("Input.RegionId", africa.ToString(System.Globalization.CultureInfo.InvariantCulture))]);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var saved = await db.QuerySingleAsync<(string Name, string Kind, int? AwardYear, string? Country, long? RegionId, string Website)>(
            "select name, kind, award_year, country_code as country, region_id, website from organisation where id = @id", new { id });
        Assert.Equal(("New name", "ngo", (int?)null, (string?)null, (long?)africa, "http://new.example/"), saved);
        Assert.Equal([childLabour], (await db.QueryAsync<long>("select theme_id from organisation_theme where organisation_id = @id", new { id })).ToList());
        Assert.Equal(1, await db.ExecuteScalarAsync<long>("select count(*) from audit_event where action = 'organisation.update' and entity_id = @id",
            new { id = id.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
    }

    [Fact]
    public async Task Viewer_CannotOpenTheFormOrPost_AndNothingIsSaved()
    {
        var id = await OrganisationTestData.InsertAsync(database, "Existing", "ngo", "AL");
        using var viewer = await app.SignedInClientAsync(database, "viewer");

        using var newPage = await viewer.GetAsync("/stakeholders/organisations/new");
        using var create = await OrganisationTestData.PostFormAsync(viewer, "/stakeholders/organisations", "/stakeholders/organisations/new", Fields("Sneaky", "ngo", "", "AL"));
        using var update = await OrganisationTestData.PostFormAsync(viewer, "/stakeholders/organisations", $"/stakeholders/organisations/{id}/edit", Fields("Renamed", "ngo", "", "AL"));
        var details = await viewer.GetStringAsync($"/stakeholders/organisations/{id}");
        var list = await viewer.GetStringAsync("/stakeholders/organisations");

        OrganisationTestData.AssertRefused(newPage);
        OrganisationTestData.AssertRefused(create);
        OrganisationTestData.AssertRefused(update);
        Assert.Equal(["Existing"], (await QueryNamesAsync()).ToList());
        Assert.DoesNotContain("/edit\"", details, StringComparison.Ordinal);
        Assert.DoesNotContain("Log interaction", details, StringComparison.Ordinal);
        Assert.DoesNotContain("Add organisation", list, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Details_ShowsFactsAndPeople_AndUnknownIdIsNotFound()
    {
        var id = await OrganisationTestData.InsertAsync(database, "Shelter Network", "member", "KE", ["Child labour"], 2021, "Runs two shelters.");
        var person = await OrganisationTestData.InsertPersonAsync(database, "Grace Wanjiru", id);
        using var viewer = await app.SignedInClientAsync(database, "viewer");

        var html = await viewer.GetStringAsync($"/stakeholders/organisations/{id}");
        using var missing = await viewer.GetAsync("/stakeholders/organisations/999999");

        Assert.Contains("<h1>Shelter Network</h1>", html, StringComparison.Ordinal);
        Assert.Contains("Kenya (KE)", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"tag\">Child labour</span>", html, StringComparison.Ordinal);
        Assert.Contains("Runs two shelters.", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/stakeholders/people/{person}\"", html, StringComparison.Ordinal);
        Assert.Contains("No interactions recorded yet.", html, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private async Task<IEnumerable<string>> QueryNamesAsync()
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.QueryAsync<string>("select name from organisation order by name");
    }

    private static Task<HttpResponseMessage> PostNewAsync(HttpClient client, List<KeyValuePair<string, string>> fields) =>
        OrganisationTestData.PostFormAsync(client, "/stakeholders/organisations/new", "/stakeholders/organisations/new", fields);

    private static List<KeyValuePair<string, string>> Fields(string name, string kind, string awardYear, string country, string website = "", long[]? themes = null)
    {
        var fields = new List<KeyValuePair<string, string>>
        {
            new("Input.Name", name),
            new("Input.Kind", kind),
            new("Input.AwardYear", awardYear),
            new("Input.CountryCode", country),
            new("Input.Website", website),
            new("Input.Notes", ""),
        };
        fields.AddRange((themes ?? []).Select(t => new KeyValuePair<string, string>("Input.ThemeIds", t.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        return fields;
    }
}
