using System.Text.RegularExpressions;
using Child10.Advocacy.Tests.Infrastructure;

namespace Child10.Advocacy.Tests.Stakeholders;

[Collection(DatabaseGroup.Name)]
public sealed partial class ActorMapTests(TestDatabase database) : IAsyncLifetime
{
    private TestApp app = null!;
    private HttpClient client = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
        client = await app.SignedInClientAsync(database, "viewer");

        // Moldova: two members on legal reform, one on prevention, only a ministry and an NGO on child labour.
        await OrganisationTestData.InsertAsync(database, "Member A", "member", "MD", ["Legal reform", "Prevention"], 2017);
        await OrganisationTestData.InsertAsync(database, "Member B", "member", "MD", ["Legal reform"], 2019);
        await OrganisationTestData.InsertAsync(database, "Ministry of Labour", "government", "MD", ["Child labour", "Legal reform"]);
        await OrganisationTestData.InsertAsync(database, "Moldovan NGO", "ngo", "MD", ["Child labour"]);
        // Kenya: one member on child labour. UNICEF has no country and no row.
        await OrganisationTestData.InsertAsync(database, "Member K", "member", "KE", ["Child labour"], 2020);
        await OrganisationTestData.InsertAsync(database, "UNICEF", "intergovernmental", null, ["Child labour"]);
    }

    public async Task DisposeAsync()
    {
        client.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Map_MarksOverlapsGapsAndCoverage_PerCountryAndTheme()
    {
        var legalReform = await OrganisationTestData.ThemeIdAsync(database, "Legal reform");
        var childLabour = await OrganisationTestData.ThemeIdAsync(database, "Child labour");
        var prevention = await OrganisationTestData.ThemeIdAsync(database, "Prevention");
        var themes = await OrganisationTestData.CountAsync(database, "select count(*) from theme");

        var html = await client.GetStringAsync("/stakeholders/actor-map");

        Assert.Equal(("overlap", 2, 1), Cell(html, "MD", legalReform));
        Assert.Equal(("gap", 0, 2), Cell(html, "MD", childLabour));
        Assert.Equal(("covered", 1, 0), Cell(html, "MD", prevention));
        Assert.Equal(("covered", 1, 0), Cell(html, "KE", childLabour));
        Assert.Equal(("gap", 0, 0), Cell(html, "KE", legalReform));
        Assert.Equal(["Kenya", "Moldova"], Rows(html));
        // Every cell but the four covered or overlapping ones is a gap.
        Assert.Equal((themes * 2) - 3, Stat(html, "gaps"));
        Assert.Equal(1, Stat(html, "overlaps"));
        // Each cell's link names its country and theme before what it shows.
        Assert.Matches("<span class=\"visually-hidden\">Moldova, Legal reform: </span>\\s*<span class=\"map-cell__members\"><strong>2</strong> members</span>\\s*<span class=\"map-cell__others\">1 other</span>", html);
        Assert.Contains($"href=\"/stakeholders/organisations?Country=MD&amp;ThemeId={childLabour}\"", html, StringComparison.Ordinal);
        Assert.Contains("Legend", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KindFilter_CountsOnlyThatKindBesideTheMembers_AndLinksWithIt()
    {
        var childLabour = await OrganisationTestData.ThemeIdAsync(database, "Child labour");
        var legalReform = await OrganisationTestData.ThemeIdAsync(database, "Legal reform");

        var html = await client.GetStringAsync("/stakeholders/actor-map?Kind=ngo");

        Assert.Equal(("gap", 0, 1), Cell(html, "MD", childLabour));
        Assert.Equal(("overlap", 2, 0), Cell(html, "MD", legalReform));
        Assert.Contains($"href=\"/stakeholders/organisations?Country=MD&amp;ThemeId={childLabour}&amp;Kind=ngo\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RegionFilter_KeepsOnlyCountriesOfTheRegion()
    {
        var africa = await OrganisationTestData.RegionIdAsync(database, "Africa");

        var html = await client.GetStringAsync($"/stakeholders/actor-map?RegionId={africa}");

        Assert.Equal(["Kenya"], Rows(html));
        Assert.Equal(0, Stat(html, "overlaps"));
    }

    private static (string State, int Members, int Others) Cell(string html, string country, long theme)
    {
        var match = new Regex($"data-country=\"{country}\" data-theme=\"{theme}\" data-state=\"(\\w+)\">\\s*<a [^>]*>\\s*<span class=\"visually-hidden\">[^<]+</span>\\s*<span class=\"map-cell__members\"><strong>(\\d+)</strong>[^<]*</span>\\s*<span class=\"map-cell__others\">(\\d+) ")
            .Match(html);
        Assert.True(match.Success, $"No cell for {country} × theme {theme}");
        return (match.Groups[1].Value, int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), int.Parse(match.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture));
    }

    private static List<string> Rows(string html) =>
        RowPattern().Matches(html).Select(m => m.Groups[1].Value).ToList();

    private static int Stat(string html, string label) =>
        int.Parse(new Regex($"<span class=\"stat__value\">(\\d+)</span><span class=\"stat__label\">{label}").Match(html).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

    [GeneratedRegex("<th scope=\"row\" class=\"actor-map__country\">([^<]+)</th>")]
    private static partial Regex RowPattern();
}
