using Child10.Advocacy.Tests.Infrastructure;
using Dapper;

namespace Child10.Advocacy.Tests.Browser;

/// <summary>
/// Every kind of page, filled with the demo network, checked by axe-core for the WCAG 2.1 A and AA rules it can test
/// automatically, on a desktop and a phone, and the public pages on a phone. Automated checks find perhaps a third of accessibility problems; the
/// keyboard and screen-reader tests of the other browser tests cover more.
/// </summary>
[Collection(DatabaseGroup.Name)]
public sealed class AccessibilityTests(TestDatabase database) : DemoBrowserTest(database)
{
    [Fact]
    public async Task EveryKindOfPage_PassesTheAutomatedWcagChecks()
    {
        var paths = await PathsAsync();
        var problems = new List<string>();
        foreach (var (width, height) in new[] { (1280, 900), (390, 844) })
        {
            var context = await SignedInContextAsync("admin", width, height);
            var page = await context.NewPageAsync();
            foreach (var path in paths)
            {
                var response = await page.GotoAsync(path);
                Assert.True(response is { Ok: true }, $"{path} answered {response?.Status}");
                problems.AddRange(await Accessibility.ProblemsAsync(page, $"{path} at {width} px"));
                if (width == 1280 && path == paths[3])
                {
                    // A person's page as an admin sees it (History, Export data, Erase), for review.
                    await Chromium.ScreenshotAsync(page, "person-details-admin-desktop");
                }
            }
            await context.CloseAsync();
        }
        // The pages anyone may open: sign-in, and a signatory's or recipient's link that has expired or never existed.
        var anonymous = await Browser.NewContextAsync(new() { BaseURL = App.BaseAddress.ToString(), ViewportSize = new() { Width = 390, Height = 844 } });
        var publicPage = await anonymous.NewPageAsync();
        foreach (var path in new[] { "/account/sign-in", "/sign/not-a-real-token", "/unsubscribe/not-a-real-token" })
        {
            await publicPage.GotoAsync(path);
            problems.AddRange(await Accessibility.ProblemsAsync(publicPage, $"{path} at 390 px"));
        }
        await anonymous.CloseAsync();
        Assert.True(problems.Count == 0, $"{problems.Count} accessibility problems:\n" + string.Join("\n", problems.Distinct()));
    }

    private async Task<IReadOnlyList<string>> PathsAsync()
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        async Task<long> First(string sql) => await db.ExecuteScalarAsync<long>(sql);
        var person = await First("select id from person where category = 'decision_maker' order by id limit 1");
        var organisation = await First("select id from organisation order by id limit 1");
        var campaign = await First("select id from campaign order by id limit 1");
        var consultation = await First("select id from consultation order by id limit 1");
        var statement = await First("select id from statement where core_id is null order by id limit 1");
        var round = await First("select id from signoff_round order by id limit 1");
        var briefing = await First("select id from briefing order by id limit 1");
        var interaction = await First("select id from interaction order by id limit 1");
        var staff = await First("select id from staff_user where role = 'lead' order by id limit 1");
        return
        [
            "/",
            "/stakeholders/people", "/stakeholders/people?q=moldova", $"/stakeholders/people/{person}", "/stakeholders/people/new",
            "/stakeholders/organisations", $"/stakeholders/organisations/{organisation}", "/stakeholders/segments",
            "/stakeholders/actor-map", "/stakeholders/privacy-notices", "/stakeholders/themes", "/stakeholders/import",
            "/follow-ups", "/interactions/new", $"/interactions/{interaction}",
            "/campaigns", $"/campaigns/{campaign}", "/campaigns/new",
            "/consultations", $"/consultations/{consultation}",
            "/statements", $"/statements/{statement}", $"/statements/{statement}/board",
            "/signoff", $"/signoff/rounds/{round}",
            "/briefings", "/briefings/new", $"/briefings/{briefing}",
            "/calendar", "/mail",
            "/admin/staff", $"/admin/staff/{staff}", "/admin/audit",
        ];
    }
}
