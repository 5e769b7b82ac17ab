using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Demo;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Stakeholders;

[Collection(DatabaseGroup.Name)]
public sealed class PeopleBrowserTests(TestDatabase database) : DemoBrowserTest(database)
{
    [Fact]
    public async Task Lead_FindsAPersonWithoutAccents_AndOpensTheirPage()
    {
        var context = await SignedInContextAsync("lead");
        var page = await context.NewPageAsync();

        await page.GotoAsync(Url("/stakeholders/people"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("People");
        await Chromium.ScreenshotAsync(page, "people-list-desktop");
        // The common filters share one row with the search box; the rest wait behind "More filters".
        var searchTop = (await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).BoundingBoxAsync())!.Y;
        var policyTop = (await page.GetByLabel("Policy area").BoundingBoxAsync())!.Y;
        Assert.True(Math.Abs(policyTop - searchTop) < 8, $"Policy area sits {policyTop - searchTop:0} px below the search box.");
        await Assertions.Expect(page.GetByLabel("Region")).ToBeHiddenAsync();

        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).FillAsync("turcanu");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Doina Țurcanu" })).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "people-search-desktop");

        await page.GetByRole(AriaRole.Link, new() { Name = "Doina Țurcanu" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Doina Țurcanu");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Edit" })).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "person-details-desktop");
        // A long address wraps inside the Details card instead of running past its edge.
        var spilling = await page.EvaluateAsync<string>("""
            [...document.querySelectorAll('.card .facts dd')]
                .filter(dd => dd.getBoundingClientRect().right > dd.closest('.card').getBoundingClientRect().right + 1)
                .map(dd => dd.textContent.trim()).join(', ')
            """);
        Assert.True(spilling.Length == 0, $"Details run past the edge of their card: {spilling}.");

        await page.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Full name")).ToHaveValueAsync("Doina Țurcanu");
        await Chromium.ScreenshotAsync(page, "person-edit-desktop");

        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(Url("/stakeholders/people?country=MD"));
        await Chromium.ScreenshotAsync(page, "people-list-phone");
        var overflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, "The people list scrolls sideways on a phone.");
        // On a phone the first person is listed within the first two screens, not after every filter.
        var firstRow = (await page.Locator("table.people-table tbody tr").First.BoundingBoxAsync())!;
        Assert.True(firstRow.Y < 2 * 844, $"The first person is listed {firstRow.Y:0} px down the page.");
        await page.GetByText("More filters").ClickAsync();
        await page.GetByLabel("Language").SelectOptionAsync(new SelectOptionValue { Label = "Romanian" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Search" }).ClickAsync();
        // A filter set behind "More filters" keeps it open, and the summary says so.
        await Assertions.Expect(page.GetByLabel("Language")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("More filters · 1 set")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "people-list-phone-more-filters");
        await context.CloseAsync();
    }

    [Fact]
    public async Task Lead_AddingSomeoneAlreadyOnRecord_IsShownThemFirst()
    {
        var context = await SignedInContextAsync("lead");
        var page = await context.NewPageAsync();
        await page.GotoAsync("/stakeholders/people/new");

        await page.GetByLabel("Full name").FillAsync("Doina Turcanu");
        await page.GetByLabel("Organisation", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "Parliament of the Republic of Moldova – Committee on Social Protection, Health and Family" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Add person" }).ClickAsync();

        var prompt = page.GetByRole(AriaRole.Group, new() { Name = "Already on record?" });
        await Assertions.Expect(prompt.GetByRole(AriaRole.Link, new() { Name = "Doina Țurcanu" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Doina Țurcanu is already on record at Parliament of the Republic of Moldova");
        await Assertions.Expect(page.GetByLabel("Full name")).ToHaveValueAsync("Doina Turcanu");
        await Chromium.ScreenshotAsync(page, "person-possible-duplicate");

        await prompt.GetByLabel("This is a different person: add them anyway").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Add person" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Doina Turcanu");
        await context.CloseAsync();
    }
}
