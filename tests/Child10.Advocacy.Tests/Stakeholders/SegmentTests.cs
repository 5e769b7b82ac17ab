using System.Net;
using Child10.Advocacy.Tests.Infrastructure;

namespace Child10.Advocacy.Tests.Stakeholders;

[Collection(DatabaseGroup.Name)]
public sealed class SegmentTests(TestDatabase database) : IAsyncLifetime
{
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    private static Dictionary<string, string> Segment(string name) => new()
    {
        ["Segment.Name"] = name,
        ["Segment.Description"] = "Ministries we brief on legal reform",
    };

    [Fact]
    public async Task SaveSegment_StoresTheFilter_AndTheListShowsItsSummaryAndCurrentCount()
    {
        var legal = await PeopleTestData.ScalarAsync<long>(database, "select id from theme where name = 'Legal reform'");
        await PeopleTestData.PersonAsync(database, "Ion Ciobanu", country: "MD", themes: ["Legal reform"]);
        await PeopleTestData.PersonAsync(database, "Doina Țurcanu", country: "MD", themes: ["Legal reform"]);
        await PeopleTestData.PersonAsync(database, "Victor Grosu", country: "MD");
        await PeopleTestData.PersonAsync(database, "Lars Engström", country: "SE", themes: ["Legal reform"]);
        using var client = await app.SignedInClientAsync(database, "lead");
        var list = $"/stakeholders/people?country=MD&themeId={legal}&sort=country";

        using var saved = await PeopleTestData.PostFormAsync(client, list, list + "&handler=SaveSegment", Segment("Moldova legal reform"));

        Assert.Equal(HttpStatusCode.Redirect, saved.StatusCode);
        Assert.Equal("/stakeholders/segments", saved.Headers.Location!.OriginalString);
        var filter = await PeopleTestData.ScalarAsync<string>(database, "select filter::text from segment where name = 'Moldova legal reform'");
        Assert.Equal($$"""{"country": "MD", "themeId": {{legal}}}""", filter);
        Assert.Equal(1, await PeopleTestData.ScalarAsync<long>(database, "select count(*) from audit_event where action = 'segment.create'"));

        await PeopleTestData.PersonAsync(database, "Tatiana Moraru", country: "MD", themes: ["Legal reform"]);
        var segments = WebUtility.HtmlDecode(await client.GetStringAsync("/stakeholders/segments"));

        Assert.Contains("Moldova legal reform", segments, StringComparison.Ordinal);
        Assert.Contains("Country: Moldova · Policy area: Legal reform", segments, StringComparison.Ordinal);
        Assert.Matches(@"class=""segments-count"">3<", segments);
        Assert.Contains($"/stakeholders/people?country=MD&themeId={legal}", segments, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveSegment_WithATakenName_ShowsTheMessageAtTheField()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        using var first = await PeopleTestData.PostFormAsync(client, "/stakeholders/people?country=MD", "/stakeholders/people?country=MD&handler=SaveSegment", Segment("Moldova"));

        using var second = await PeopleTestData.PostFormAsync(client, "/stakeholders/people?country=SE", "/stakeholders/people?country=SE&handler=SaveSegment", Segment("moldova"));
        var html = await second.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Matches("data-valmsg-for=\"Segment.Name\"[^>]*>A segment called &#x27;moldova&#x27; already exists.", html);
        Assert.Equal(1, await PeopleTestData.ScalarAsync<long>(database, "select count(*) from segment"));
    }

    [Fact]
    public async Task Viewer_CannotSaveOrDeleteSegments()
    {
        using var lead = await app.SignedInClientAsync(database, "lead");
        using var viewer = await app.SignedInClientAsync(database, "viewer");
        await PeopleTestData.PostFormAsync(lead, "/stakeholders/people?country=MD", "/stakeholders/people?country=MD&handler=SaveSegment", Segment("Moldova"));
        var id = await PeopleTestData.ScalarAsync<long>(database, "select id from segment");

        using var save = await PeopleTestData.PostFormAsync(viewer, "/stakeholders/people?country=SE", "/stakeholders/people?country=SE&handler=SaveSegment", Segment("Sweden"));
        using var delete = await PeopleTestData.PostFormAsync(viewer, "/stakeholders/segments", $"/stakeholders/segments?handler=Delete&id={id}", []);

        PeopleTestData.AssertForbidden(save);
        PeopleTestData.AssertForbidden(delete);
        Assert.Equal(1, await PeopleTestData.ScalarAsync<long>(database, "select count(*) from segment"));
    }

    [Fact]
    public async Task Delete_RemovesTheSegment_AndIsAudited()
    {
        using var lead = await app.SignedInClientAsync(database, "lead");
        await PeopleTestData.PostFormAsync(lead, "/stakeholders/people?country=MD", "/stakeholders/people?country=MD&handler=SaveSegment", Segment("Moldova"));
        var id = await PeopleTestData.ScalarAsync<long>(database, "select id from segment");

        using var delete = await PeopleTestData.PostFormAsync(lead, "/stakeholders/segments", $"/stakeholders/segments?handler=Delete&id={id}", []);

        Assert.Equal(HttpStatusCode.Redirect, delete.StatusCode);
        Assert.Equal(0, await PeopleTestData.ScalarAsync<long>(database, "select count(*) from segment"));
        Assert.Equal(1, await PeopleTestData.ScalarAsync<long>(database, "select count(*) from audit_event where action = 'segment.delete'"));
    }
}
