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
        await context.CloseAsync();
    }
}
