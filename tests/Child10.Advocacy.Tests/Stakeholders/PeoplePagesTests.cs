using System.Net;
using System.Text;
using System.Text.Json;
using Child10.Advocacy.Tests.Infrastructure;

namespace Child10.Advocacy.Tests.Stakeholders;

[Collection(DatabaseGroup.Name)]
public sealed class PeoplePagesTests(TestDatabase database) : IAsyncLifetime
{
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static Dictionary<string, string> ValidPerson(string name = "Maria Popescu", string email = "") => new()
    {
        ["Input.FullName"] = name,
        ["Input.Position"] = "Director",
        ["Input.Category"] = "decision_maker",
        ["Input.Email"] = email,
        ["Input.CountryCode"] = "MD",
        ["Input.PreferredLanguage"] = "ro",
        ["Input.Jurisdiction"] = "national",
        ["Input.LawfulBasis"] = "legitimate_interest",
        ["Input.DataSource"] = "Public directory",
        ["Input.PrivacyNoticeSentOn"] = "2025-03-01",
    };

    private Task<long> PeopleCountAsync() => PeopleTestData.ScalarAsync<long>(database, "select count(*) from person");

    [Fact]
    public async Task List_ShowsMatchingPeople_WithTotalAndPager()
    {
        for (var i = 1; i <= 55; i++)
        {
            await PeopleTestData.PersonAsync(database, $"Södertälje Person {i:00}", country: "SE");
        }
        await PeopleTestData.PersonAsync(database, "Someone Else", country: "FR");
        using var client = await app.SignedInClientAsync(database, "viewer");

        var html = WebUtility.HtmlDecode(await client.GetStringAsync("/stakeholders/people?q=sodertalje"));
        var second = WebUtility.HtmlDecode(await client.GetStringAsync("/stakeholders/people?q=sodertalje&page=2"));

        Assert.Contains("1–50 of 55 people", html, StringComparison.Ordinal);
        Assert.Contains("Södertälje Person 01", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Someone Else", html, StringComparison.Ordinal);
        Assert.Contains("51–55 of 55 people", second, StringComparison.Ordinal);
        Assert.Contains("Södertälje Person 55", second, StringComparison.Ordinal);
        Assert.DoesNotContain("Add person", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Save as segment", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/stakeholders/people?sort=full_name;drop%20table%20person")]
    [InlineData("/stakeholders/people/export?sort=full_name;drop%20table%20person")]
    public async Task UnknownSort_Answers400WithAMessage_AndTouchesNothing(string url)
    {
        await PeopleTestData.PersonAsync(database, "Ion Ciobanu");
        using var client = await app.SignedInClientAsync(database, "viewer");

        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Cannot sort by", body, StringComparison.Ordinal);
        Assert.Contains("name, organisation, country, category, updated", body, StringComparison.Ordinal);
        Assert.Equal(1, await PeopleCountAsync());
    }

    [Theory]
    [InlineData("q=%27%3B%20drop%20table%20person%3B%20--")]
    [InlineData("q=a%20%26%20b%20%7C%20!c")]
    [InlineData("country=%27%20or%201%3D1%20--&category=x%27")]
    [InlineData("regionId=1%20or%201%3D1&themeId=abc")]
    public async Task List_WithInjectionInFilters_IsHarmless(string query)
    {
        await PeopleTestData.PersonAsync(database, "Ion Ciobanu", country: "MD");
        using var client = await app.SignedInClientAsync(database, "viewer");

        using var response = await client.GetAsync("/stakeholders/people?" + query);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await PeopleCountAsync());
    }

    [Fact]
    public async Task Export_StreamsTheFilteredRows_AsUtf8CsvWithBom_FormulaNeutralised()
    {
        await PeopleTestData.PersonAsync(database, "=cmd|' /C calc'!A0", country: "MD");
        await PeopleTestData.PersonAsync(database, "Doina Țurcanu", country: "MD", email: "doina@parlament.md.example");
        await PeopleTestData.PersonAsync(database, "Lars Engström", country: "SE");
        using var client = await app.SignedInClientAsync(database, "viewer");

        using var response = await client.GetAsync("/stakeholders/people/export?country=MD");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var text = Encoding.UTF8.GetString(bytes);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Matches(@"^attachment; filename=people-\d{4}-\d{2}-\d{2}\.csv$", response.Content.Headers.ContentDisposition!.ToString());
        Assert.Equal(new byte[] { 0xEF, 0xBB, 0xBF }, bytes[..3]);
        var lines = text.TrimStart('\uFEFF').Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,full_name,position,category,organisation", lines[0], StringComparison.Ordinal);
        Assert.Equal(3, lines.Length);
        Assert.Contains(lines, l => l.Contains(",'=cmd|' /C calc'!A0,", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Doina Țurcanu", StringComparison.Ordinal) && l.Contains("doina@parlament.md.example", StringComparison.Ordinal));
        Assert.DoesNotContain("Engström", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Input.Email", "not-an-address", "Input.Email", "is not a valid email address")]
    [InlineData("Input.CountryCode", "XX", "Input.CountryCode", "&#x27;XX&#x27; is not a known ISO 3166-1 country code")]
    [InlineData("Input.FullName", "  ", "Input.FullName", "Enter the person&#x27;s name.")]
    [InlineData("Input.OrganisationId", "999999", "Input.OrganisationId", "There is no organisation 999999")]
    [InlineData("Input.OwnerOrganisationId", "1", "Input.OwnerOrganisationId", "not both")]
    public async Task Create_WithBadField_ShowsTheMessageAtTheField_AndSavesNothing(string field, string value, string errorField, string message)
    {
        var staff = await TestApp.CreateStaffAsync(database, "lead");
        using var client = await app.SignedInClientAsync(database, "lead");
        var form = ValidPerson();
        form[field] = value;
        if (field == "Input.OwnerOrganisationId")
        {
            form["Input.OwnerStaffId"] = staff.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        using var response = await PeopleTestData.PostFormAsync(client, "/stakeholders/people/new", "/stakeholders/people/new", form);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("The person was not saved", html, StringComparison.Ordinal);
        Assert.Matches($"data-valmsg-for=\"{errorField}\"[^>]*>[^<]*{System.Text.RegularExpressions.Regex.Escape(message)}", html);
        Assert.Equal(0, await PeopleCountAsync());
        Assert.Equal(0, await PeopleTestData.ScalarAsync<long>(database, "select count(*) from audit_event where entity = 'person'"));
    }

    [Fact]
    public async Task Create_WithAnotherPersonsEmail_NamesThatPerson_AndSavesNothing()
    {
        var ion = await PeopleTestData.PersonAsync(database, "Ion Ciobanu", email: "ion@mlsp.gov.md.example");
        using var client = await app.SignedInClientAsync(database, "lead");

        using var response = await PeopleTestData.PostFormAsync(client, "/stakeholders/people/new", "/stakeholders/people/new",
            ValidPerson(email: "  ION@mlsp.gov.md.example "));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains($"Ion Ciobanu (person {ion}) already has this address.", html, StringComparison.Ordinal);
        Assert.Equal(1, await PeopleCountAsync());
    }

    [Fact]
    public async Task Create_SomeoneOfTheSameNameAtTheSameOrganisation_AsksFirst_AndAddsThemOnlyWhenToldTheyDiffer()
    {
        var ministry = await PeopleTestData.OrganisationAsync(database, "Ministry of Labour", "government", "MD");
        var parliament = await PeopleTestData.OrganisationAsync(database, "Parliament", "parliament", "MD");
        var existing = await PeopleTestData.PersonAsync(database, "Maria Popescu", ministry, position: "State Secretary");
        await PeopleTestData.PersonAsync(database, "Maria Popescu", parliament);
        await PeopleTestData.PersonAsync(database, "Maria Popescu", ministry, erased: true);
        using var client = await app.SignedInClientAsync(database, "lead");
        var form = ValidPerson("MARÍA popescu");
        form["Input.OrganisationId"] = ministry.ToString(System.Globalization.CultureInfo.InvariantCulture);

        using var asked = await PeopleTestData.PostFormAsync(client, "/stakeholders/people/new", "/stakeholders/people/new", form);
        var html = await asked.Content.ReadAsStringAsync();

        // Accents and case aside the same name, at the same organisation: the one live record, not the erased one or
        // the namesake in parliament, is offered to check, and nothing is written.
        Assert.Equal(HttpStatusCode.OK, asked.StatusCode);
        Assert.Contains("Maria Popescu is already on record at Ministry of Labour.", html, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(html, "href=\"/stakeholders/people/\\d+\" target=\"_blank\""));
        Assert.Contains($"href=\"/stakeholders/people/{existing}\" target=\"_blank\"", html, StringComparison.Ordinal);
        var typed = System.Text.RegularExpressions.Regex.Match(html, "<input[^>]*name=\"Input.FullName\"[^>]*value=\"([^\"]*)\"");
        Assert.Equal("MARÍA popescu", WebUtility.HtmlDecode(typed.Groups[1].Value));
        Assert.Equal(3, await PeopleCountAsync());

        form["Input.DifferentPerson"] = "true";
        using var added = await PeopleTestData.PostFormAsync(client, "/stakeholders/people/new", "/stakeholders/people/new", form);

        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Equal(4, await PeopleCountAsync());
    }

    [Fact]
    public async Task Create_ThenUpdate_SavesEverything_AndAuditsFieldNamesOnly()
    {
        var ministry = await PeopleTestData.OrganisationAsync(database, "Ministry of Labour", "government", "MD");
        var prevention = await PeopleTestData.ScalarAsync<long>(database, "select id from theme where name = 'Prevention'");
        var legal = await PeopleTestData.ScalarAsync<long>(database, "select id from theme where name = 'Legal reform'");
        using var client = await app.SignedInClientAsync(database, "lead");
        var form = ValidPerson(email: "maria@mlsp.gov.md.example").ToList();
        form.Add(new("Input.OrganisationId", ministry.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        form.Add(new("Input.ThemeIds", prevention.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        form.Add(new("Input.ThemeIds", legal.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        using var created = await PeopleTestData.PostFormAsync(client, "/stakeholders/people/new", "/stakeholders/people/new", form);

        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var id = await PeopleTestData.ScalarAsync<long>(database, "select id from person where email_normalised = 'maria@mlsp.gov.md.example'");
        Assert.Equal($"/stakeholders/people/{id}", created.Headers.Location!.OriginalString);
        Assert.Equal(2, await PeopleTestData.ScalarAsync<long>(database, "select count(*) from person_theme where person_id = @id", new { id }));
        var details = await client.GetStringAsync($"/stakeholders/people/{id}");
        Assert.Contains("Maria Popescu added.", details, StringComparison.Ordinal);
        Assert.Contains("Ministry of Labour", details, StringComparison.Ordinal);
        Assert.Contains("Legal reform", details, StringComparison.Ordinal);

        var edit = ValidPerson("Maria Popescu-Rusu", "maria@mlsp.gov.md.example").ToList();
        edit.Add(new("Input.ThemeIds", prevention.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        edit.Add(new("Input.DoNotContact", "true"));
        using var updated = await PeopleTestData.PostFormAsync(client, $"/stakeholders/people/{id}/edit", $"/stakeholders/people/{id}/edit", edit);

        Assert.Equal(HttpStatusCode.Redirect, updated.StatusCode);
        Assert.Equal("Maria Popescu-Rusu", await PeopleTestData.ScalarAsync<string>(database, "select full_name from person where id = @id", new { id }));
        Assert.True(await PeopleTestData.ScalarAsync<bool>(database, "select do_not_contact from person where id = @id", new { id }));
        Assert.Equal(1, await PeopleTestData.ScalarAsync<long>(database, "select count(*) from person_theme where person_id = @id", new { id }));
        var create = await PeopleTestData.ScalarAsync<string>(database, "select data::text from audit_event where action = 'person.create' and entity_id = @id", new { id = id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Contains("\"email\"", create, StringComparison.Ordinal);
        Assert.DoesNotContain("maria@", create, StringComparison.Ordinal);
        var update = await PeopleTestData.ScalarAsync<string>(database, "select data::text from audit_event where action = 'person.update' and entity_id = @id", new { id = id.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        var changed = JsonDocument.Parse(update).RootElement.GetProperty("changed").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(["full_name", "organisation_id", "do_not_contact", "policy_areas"], changed);
        Assert.DoesNotContain("Rusu", update, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Viewer_CannotCreateOrEdit_AndNothingIsSaved()
    {
        var id = await PeopleTestData.PersonAsync(database, "Ion Ciobanu");
        using var client = await app.SignedInClientAsync(database, "viewer");

        using var editPage = await client.GetAsync($"/stakeholders/people/{id}/edit");
        using var create = await PeopleTestData.PostFormAsync(client, "/stakeholders/people", "/stakeholders/people/new", ValidPerson());
        using var edit = await PeopleTestData.PostFormAsync(client, "/stakeholders/people", $"/stakeholders/people/{id}/edit", ValidPerson("Changed"));

        PeopleTestData.AssertForbidden(editPage);
        PeopleTestData.AssertForbidden(create);
        PeopleTestData.AssertForbidden(edit);
        Assert.Equal("Ion Ciobanu", await PeopleTestData.ScalarAsync<string>(database, "select full_name from person where id = @id", new { id }));
        Assert.Equal(1, await PeopleCountAsync());
        Assert.Equal(0, await PeopleTestData.ScalarAsync<long>(database, "select count(*) from audit_event where entity = 'person'"));
    }

    [Fact]
    public async Task Details_ShowsFactsAndButtonsByRole_404ForUnknown_AndANeutralPageForErased()
    {
        var id = await PeopleTestData.PersonAsync(database, "Ion Ciobanu", email: "ion@mlsp.gov.md.example", country: "MD", themes: ["Legal reform"]);
        var erased = await PeopleTestData.PersonAsync(database, "Erased Person", erased: true);
        using var viewer = await app.SignedInClientAsync(database, "viewer");
        using var admin = await app.SignedInClientAsync(database, "admin");

        var asViewer = await viewer.GetStringAsync($"/stakeholders/people/{id}");
        var asAdmin = await admin.GetStringAsync($"/stakeholders/people/{id}");
        using var unknown = await viewer.GetAsync("/stakeholders/people/987654");
        var erasedPage = WebUtility.HtmlDecode(await viewer.GetStringAsync($"/stakeholders/people/{erased}"));
        using var editErased = await admin.GetAsync($"/stakeholders/people/{erased}/edit");

        Assert.Contains("ion@mlsp.gov.md.example", asViewer, StringComparison.Ordinal);
        Assert.Contains("Moldova", asViewer, StringComparison.Ordinal);
        Assert.Contains("Legal reform", asViewer, StringComparison.Ordinal);
        Assert.DoesNotContain($"/stakeholders/people/{id}/edit", asViewer, StringComparison.Ordinal);
        Assert.DoesNotContain("/erase", asViewer, StringComparison.Ordinal);
        Assert.Contains($"/stakeholders/people/{id}/edit", asAdmin, StringComparison.Ordinal);
        Assert.Contains($"/interactions/new?personId={id}", asAdmin, StringComparison.Ordinal);
        Assert.Contains($"/stakeholders/people/{id}/export", asAdmin, StringComparison.Ordinal);
        Assert.Contains($"/stakeholders/people/{id}/erase", asAdmin, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Contains("This person's data was erased on", erasedPage, StringComparison.Ordinal);
        Assert.DoesNotContain("Erased Person", erasedPage, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, editErased.StatusCode);
    }
}
