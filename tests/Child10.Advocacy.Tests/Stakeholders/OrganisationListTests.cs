using System.Net;
using System.Text;
using Child10.Advocacy.Tests.Infrastructure;

namespace Child10.Advocacy.Tests.Stakeholders;

[Collection(DatabaseGroup.Name)]
public sealed class OrganisationListTests(TestDatabase database) : IAsyncLifetime
{
    private const string Sodertalje = "Föreningen Trygga Spår Södertälje";

    private TestApp app = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
        client = await app.SignedInClientAsync(database, "viewer");
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    [Theory]
    [InlineData("Sodertalje")]
    [InlineData("Södertälje")]
    [InlineData("sodertalje trygga")]
    [InlineData("Tryg")]
    [InlineData("Sodertalie")]
    public async Task Search_FindsTheOrganisation_WithOrWithoutAccents(string q)
    {
        await OrganisationTestData.InsertAsync(database, Sodertalje, "member", "SE", awardYear: 2019);
        await OrganisationTestData.InsertAsync(database, "Ministry of Health and Social Affairs", "government", "SE");

        var html = await client.GetStringAsync("/stakeholders/organisations?Q=" + Uri.EscapeDataString(q));

        Assert.Equal([Sodertalje], OrganisationTestData.ListedNames(html));
    }

    [Fact]
    public async Task Search_FindsWordsInTheNotes()
    {
        await OrganisationTestData.InsertAsync(database, "Centrul de Resurse", "member", "MD", notes: "Runs a shelter in Bălți");
        await OrganisationTestData.InsertAsync(database, "Other", "ngo", "MD");

        var html = await client.GetStringAsync("/stakeholders/organisations?Q=balti");

        Assert.Equal(["Centrul de Resurse"], OrganisationTestData.ListedNames(html));
    }

    [Theory]
    [InlineData("a & | ! :* ( ' \\")]
    [InlineData("'); drop table organisation; --")]
    [InlineData("&&&")]
    public async Task Search_WithQuerySyntaxCharacters_AnswersNormally(string q)
    {
        await OrganisationTestData.InsertAsync(database, "Drop Foundation", "ngo", "SE");

        using var response = await client.GetAsync("/stakeholders/organisations?Q=" + Uri.EscapeDataString(q));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(1, await OrganisationTestData.CountAsync(database, "select count(*) from organisation"));
    }

    [Fact]
    public async Task Filters_ByKind_Country_Region_AndTheme()
    {
        await OrganisationTestData.InsertAsync(database, "Member Moldova", "member", "MD", ["Legal reform"], 2018);
        await OrganisationTestData.InsertAsync(database, "Ministry Moldova", "government", "MD", ["Child labour"]);
        await OrganisationTestData.InsertAsync(database, "Member Kenya", "member", "KE", ["Child labour"], 2020);
        await OrganisationTestData.InsertAsync(database, "UNICEF", "intergovernmental", null, ["Prevention"]);
        var africa = await OrganisationTestData.RegionIdAsync(database, "Africa");
        var childLabour = await OrganisationTestData.ThemeIdAsync(database, "Child labour");

        Assert.Equal(["Member Kenya", "Member Moldova"], await NamesAsync("?Kind=member"));
        Assert.Equal(["Member Moldova", "Ministry Moldova"], await NamesAsync("?Country=MD"));
        Assert.Equal(["Member Moldova", "Ministry Moldova"], await NamesAsync("?Country=md"));
        Assert.Equal(["Member Kenya"], await NamesAsync($"?RegionId={africa}"));
        Assert.Equal(["Member Kenya", "Ministry Moldova"], await NamesAsync($"?ThemeId={childLabour}"));
        Assert.Equal(["Ministry Moldova"], await NamesAsync($"?ThemeId={childLabour}&Country=MD&Kind=government"));
        Assert.Equal(["UNICEF"], await NamesAsync("?Kind=intergovernmental"));
    }

    [Fact]
    public async Task List_ShowsKindThemesAndPeopleCount()
    {
        var id = await OrganisationTestData.InsertAsync(database, "Member Moldova", "member", "MD", ["Legal reform", "Prevention"], 2018);
        await OrganisationTestData.InsertPersonAsync(database, "Ana Popescu", id);
        await OrganisationTestData.InsertPersonAsync(database, "Ion Rusu", id);

        var html = await client.GetStringAsync("/stakeholders/organisations");

        Assert.Contains("Awarded member organisation", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"tag\">Legal reform</span>", html, StringComparison.Ordinal);
        Assert.Contains("<span class=\"tag\">Prevention</span>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"numeric\">2</td>", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"numeric\">2018</td>", html, StringComparison.Ordinal);
        Assert.Contains("Moldova", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Paging_ShowsFiftyPerPage_WithTheTotal()
    {
        for (var i = 1; i <= 55; i++)
        {
            await OrganisationTestData.InsertAsync(database, $"Organisation {i:D2}", "ngo", "RO");
        }

        var first = await client.GetStringAsync("/stakeholders/organisations");
        var second = await client.GetStringAsync("/stakeholders/organisations?Page=2");

        Assert.Equal(50, OrganisationTestData.ListedNames(first).Count);
        Assert.Equal("Organisation 01", OrganisationTestData.ListedNames(first)[0]);
        Assert.Contains("55 organisations, page 1 of 2", first, StringComparison.Ordinal);
        Assert.Equal(["Organisation 51", "Organisation 52", "Organisation 53", "Organisation 54", "Organisation 55"], OrganisationTestData.ListedNames(second));
        Assert.Contains("href=\"/stakeholders/organisations?Page=2\"", first, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sort_ByPeopleDescending_PutsTheLargestFirst()
    {
        await OrganisationTestData.InsertAsync(database, "Alpha", "ngo", "RO");
        var busy = await OrganisationTestData.InsertAsync(database, "Zeta", "ngo", "RO");
        await OrganisationTestData.InsertPersonAsync(database, "Person One", busy);
        await OrganisationTestData.InsertAsync(database, "Beta", "member", "RO", awardYear: 2015);

        Assert.Equal(["Zeta", "Alpha", "Beta"], await NamesAsync("?Sort=people&Descending=true"));
        Assert.Equal(["Beta", "Alpha", "Zeta"], await NamesAsync("?Sort=award_year"));
        Assert.Equal(["Zeta", "Beta", "Alpha"], await NamesAsync("?Sort=name&Descending=true"));
    }

    [Fact]
    public async Task Sort_ByName_IgnoresAccentsAndCase()
    {
        await OrganisationTestData.InsertAsync(database, "Zonta Club", "ngo", "AT");
        await OrganisationTestData.InsertAsync(database, "Österreichische Kinderfreunde", "member", "AT");
        await OrganisationTestData.InsertAsync(database, "Ärztekammer Wien", "ngo", "AT");
        await OrganisationTestData.InsertAsync(database, "bundesjugendvertretung", "ngo", "AT");

        Assert.Equal(["Ärztekammer Wien", "bundesjugendvertretung", "Österreichische Kinderfreunde", "Zonta Club"], await NamesAsync(""));
        Assert.Equal(["Zonta Club", "Österreichische Kinderfreunde", "bundesjugendvertretung", "Ärztekammer Wien"], await NamesAsync("?Sort=name&Descending=true"));
    }

    [Fact]
    public async Task Sort_ByCountry_ReadsCountryNamesIgnoringAccents()
    {
        await OrganisationTestData.InsertAsync(database, "Zimbabwe Child Rights Forum", "ngo", "ZW");
        await OrganisationTestData.InsertAsync(database, "Mouvement ivoirien des droits de l'enfant", "ngo", "CI");
        await OrganisationTestData.InsertAsync(database, "Rädda Barnen Åland", "member", "AX");
        await OrganisationTestData.InsertAsync(database, "Linka bezpečí", "member", "CZ");

        Assert.Equal(["Rädda Barnen Åland", "Mouvement ivoirien des droits de l'enfant", "Linka bezpečí", "Zimbabwe Child Rights Forum"],
            await NamesAsync("?Sort=country"));
    }

    [Theory]
    [InlineData("/stakeholders/organisations?sort=name%20desc;--")]
    [InlineData("/stakeholders/organisations?Sort=o.id")]
    [InlineData("/stakeholders/organisations/export?sort=name%20desc;--")]
    public async Task Sort_NotOnTheWhitelist_AnswersBadRequestWithAMessage(string url)
    {
        await OrganisationTestData.InsertAsync(database, "Alpha", "ngo", "RO");

        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Cannot sort organisations by", body, StringComparison.Ordinal);
        Assert.Contains("name, kind, country, award_year, people", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_WritesFilteredCsv_WithBomAttachmentAndNeutralisedFormulas()
    {
        await OrganisationTestData.InsertAsync(database, "=HYPERLINK(\"https://evil.example\",\"click\")", "ngo", "SE", notes: "+1 555 0100");
        await OrganisationTestData.InsertAsync(database, "@SUM(A1)", "ngo", "SE", ["Prevention"], notes: "-2");
        await OrganisationTestData.InsertAsync(database, "Kenyan NGO", "ngo", "KE");

        using var response = await client.GetAsync("/stakeholders/organisations/export?Country=SE&Sort=name");
        var bytes = await response.Content.ReadAsByteArrayAsync();
        var text = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.StartsWith("organisations-", response.Content.Headers.ContentDisposition.FileName, StringComparison.Ordinal);
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        Assert.Equal("id,name,kind,award_year,country_code,country,region,themes,people,website,notes", lines[0]);
        Assert.Equal(3, lines.Length);
        var sum = Assert.Single(lines, l => l.Contains("SUM", StringComparison.Ordinal));
        var link = Assert.Single(lines, l => l.Contains("HYPERLINK", StringComparison.Ordinal));
        Assert.Contains(",'@SUM(A1),ngo,,SE,Sweden,Europe,Prevention,0,,'-2", sum, StringComparison.Ordinal);
        Assert.Contains(",\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"click\"\")\",ngo,", link, StringComparison.Ordinal);
        Assert.EndsWith(",'+1 555 0100", link, StringComparison.Ordinal);
        Assert.DoesNotContain("Kenyan NGO", text, StringComparison.Ordinal);
    }

    private async Task<IReadOnlyList<string>> NamesAsync(string query) =>
        OrganisationTestData.ListedNames(await client.GetStringAsync("/stakeholders/organisations" + query));
}
