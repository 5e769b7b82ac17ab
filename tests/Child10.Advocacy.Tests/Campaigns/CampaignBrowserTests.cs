using Child10.Advocacy.Tests.Infrastructure;
using Dapper;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Campaigns;

[Collection(DatabaseGroup.Name)]
public sealed class CampaignBrowserTests(TestDatabase database) : DemoBrowserTest(database)
{
    [Fact]
    public async Task Lead_CreatesACampaign_AddsTargets_AndSeesThemOnTheCampaignPage()
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        var people = (await db.QueryAsync<string>(
            "select full_name from person where category = 'decision_maker' and erased_at is null order by id limit 2")).ToList();
        var member = await db.ExecuteScalarAsync<string>("select name from organisation where kind = 'member' order by name limit 1");
        var context = await SignedInContextAsync("lead");
        var page = await context.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Applying inline style", StringComparison.Ordinal))
            {
                scriptErrors.Add(page.Url + ": " + message.Text);
            }
        };

        await page.GotoAsync(Url("/campaigns"));
        await page.GetByRole(AriaRole.Link, new() { Name = "New campaign" }).ClickAsync();
        await page.GetByLabel("Title").FillAsync("Safe online, safe offline");
        await page.GetByLabel("Objective").FillAsync("Make platforms report child sexual abuse material within 24 hours.");
        await page.GetByLabel("Key asks").FillAsync("Mandatory detection and reporting\nA helpline in every member state\nFunding for survivor services");
        await page.GetByLabel("Status").SelectOptionAsync("active");
        await page.GetByLabel("Starts").FillAsync("2026-01-15");
        await page.GetByLabel("Ends").FillAsync("2027-06-30");
        await page.GetByLabel("Scope").SelectOptionAsync("regional");
        await page.GetByLabel("Countries").FillAsync("MD, RO, UA");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = member }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create campaign" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Campaign created.");

        var stances = new[] { ("supportive", "5"), ("opposed", "4") };
        for (var i = 0; i < people.Count; i++)
        {
            await page.GetByLabel("Find a person by name").FillAsync(people[i]);
            await page.GetByRole(AriaRole.Button, new() { Name = "Find", Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Radio, new() { Name = people[i] }).First.CheckAsync();
            await page.Locator("#Target_Stance").SelectOptionAsync(stances[i].Item1);
            await page.Locator("#Target_Influence").SelectOptionAsync(stances[i].Item2);
            await page.GetByRole(AriaRole.Button, new() { Name = "Add target" }).ClickAsync();
            await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync($"{people[i]} added as a target.");
        }
        await page.GetByLabel("New milestone").FillAsync("Council vote on the regulation");
        await page.GetByLabel("Due", new() { Exact = true }).FillAsync(DateTime.UtcNow.AddDays(20).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        await page.GetByRole(AriaRole.Button, new() { Name = "Add milestone" }).ClickAsync();

        var targets = page.Locator("table.campaign-targets");
        foreach (var name in people)
        {
            await Assertions.Expect(targets.Locator("th[scope=row] > a").Filter(new() { HasText = name })).ToBeVisibleAsync();
        }
        await Assertions.Expect(page.Locator("table.campaign-grid td.campaign-grid__cell--supportive")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator(".campaign-timeline")).ToContainTextAsync("Council vote on the regulation");
        await Chromium.ScreenshotAsync(page, "campaign-page-desktop");

        await page.SetViewportSizeAsync(390, 844);
        await Chromium.ScreenshotAsync(page, "campaign-page-phone");
        await page.GotoAsync(Url("/campaigns"));
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Safe online, safe offline" })).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "campaign-list-phone");
        await page.SetViewportSizeAsync(1280, 900);
        await Chromium.ScreenshotAsync(page, "campaign-list-desktop");
        var campaignId = await db.ExecuteScalarAsync<long>("select id from campaign where title = 'Safe online, safe offline'");
        await page.GotoAsync(Url($"/campaigns/{campaignId}/edit"));
        await Chromium.ScreenshotAsync(page, "campaign-edit-desktop");

        // The milestone's deadline is on the home dashboard, linking back to the campaign.
        await page.GotoAsync(Url("/"));
        var deadline = page.GetByRole(AriaRole.Region, new() { Name = "Upcoming deadlines" }).GetByRole(AriaRole.Link, new() { Name = "Council vote on the regulation" });
        await Assertions.Expect(deadline).ToBeVisibleAsync();
        await Assertions.Expect(deadline).ToHaveAttributeAsync("href", $"/campaigns/{campaignId}");
        Assert.Empty(scriptErrors);
    }
}
