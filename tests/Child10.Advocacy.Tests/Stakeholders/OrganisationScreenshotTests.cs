using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Demo;
using Dapper;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Stakeholders;

/// <summary>The organisation list, an organisation page and the actor map in Chromium with the demo network; screenshots for review.</summary>
[Collection(DatabaseGroup.Name)]
public sealed class OrganisationScreenshotTests(TestDatabase database) : DemoBrowserTest(database)
{
    [Fact]
    public async Task Lead_BrowsesOrganisations_AnOrganisation_AndTheActorMap()
    {
        var context = await SignedInContextAsync("lead", 1280, 900);
        var page = await context.NewPageAsync();

        await page.GotoAsync(Url("/stakeholders/organisations?Q=Sodertalje"));
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Föreningen Trygga Spår Södertälje" })).ToBeVisibleAsync();
        await page.GotoAsync(Url("/stakeholders/organisations"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Organisations");
        // On a desktop every column is on the page: the table does not scroll sideways inside its wrapper.
        var overflow = await page.Locator(".table-wrap").EvaluateAsync<int>("e => e.scrollWidth - e.clientWidth");
        var widths = await page.Locator(".table-wrap").EvaluateAsync<string>("e => Array.from(e.querySelectorAll('thead th')).map(t => t.textContent.trim() + ' ' + Math.round(t.getBoundingClientRect().width)).join(', ') + ' / wrap ' + e.clientWidth");
        Assert.True(overflow <= 1, $"The organisation list is {overflow} px wider than the page on a 1280-pixel desktop: {widths}.");
        await Assertions.Expect(page.Locator("tbody tr").Filter(new() { HasText = "Mtaa Salama Children's Trust" }).Locator(".org-region")).ToHaveTextAsync(", region Africa");
        await Chromium.ScreenshotAsync(page, "organisations-desktop");
        await ViewportScreenshotAsync(page, "organisations-desktop-top");

        await page.GetByRole(AriaRole.Link, new() { Name = "Föreningen Trygga Spår Södertälje" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Föreningen Trygga Spår Södertälje");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Log interaction" })).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "organisation-details-desktop");

        await page.GetByRole(AriaRole.Link, new() { Name = "Edit" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Name", new() { Exact = true })).ToHaveValueAsync("Föreningen Trygga Spår Södertälje");
        await page.GetByLabel("Website").FillAsync("not a web address");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await Assertions.Expect(page.GetByText("is not a web address").First).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "organisation-edit-error-desktop");

        await page.GotoAsync(Url("/stakeholders/actor-map"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Actor map");
        await Assertions.Expect(page.Locator("td.map-cell").First).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "actor-map-desktop");
        await page.Locator(".map-wrap").EvaluateAsync("e => { e.scrollLeft = 400; e.scrollTop = 120; }");
        await ViewportScreenshotAsync(page, "actor-map-desktop-scrolled");

        await page.GotoAsync(Url("/stakeholders/themes"));
        await Chromium.ScreenshotAsync(page, "themes-desktop");
        await context.CloseAsync();
    }

    [Fact]
    public async Task OrganisationList_OnAPhone_DoesNotScrollSideways()
    {
        var context = await SignedInContextAsync("viewer", 390, 844);
        var page = await context.NewPageAsync();

        await page.GotoAsync(Url("/stakeholders/organisations"));

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeInViewportAsync();
        var wide = await page.EvaluateAsync<string>("Array.from(document.querySelectorAll('body *')).filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap') && !e.closest('.tabs') && !e.closest('.sidenav')).slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right)).join('; ')");
        Assert.False(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth"), "The organisation list scrolls sideways on a phone: " + wide);
        await Chromium.ScreenshotAsync(page, "organisations-phone");

        await page.GotoAsync(Url("/stakeholders/actor-map"));
        Assert.False(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth"), "The actor map page scrolls sideways on a phone (the table should scroll inside its wrapper).");
        await Chromium.ScreenshotAsync(page, "actor-map-phone");
        await context.CloseAsync();
    }

    private static async Task ViewportScreenshotAsync(IPage page, string name) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Chromium.ScreenshotDirectory, name + ".png") });


}
