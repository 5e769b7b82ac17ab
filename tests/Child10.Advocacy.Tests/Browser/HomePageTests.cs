using Child10.Advocacy.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Browser;

[Collection(DatabaseGroup.Name)]
public sealed class HomePageTests(TestDatabase database) : OidcBrowserTest(database)
{
    [Fact]
    public async Task StaffMember_SignsInThroughTheProvider_AndSeesTheHomePage()
    {
        Oidc.Provider.CurrentUser = new TestUser("sub-amira", "Amira Haddad", "amira@child10.example", "admin");
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();

        await page.GotoAsync(Oidc.App.BaseAddress.ToString());

        await Assertions.Expect(page).ToHaveURLAsync(Oidc.App.BaseAddress.ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Welcome back, Amira");
        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Main" });
        foreach (var area in new[] { "Home", "Stakeholders", "Campaigns", "Consultations", "Statements", "Briefings", "Mail", "Background jobs" })
        {
            await Assertions.Expect(nav).ToContainTextAsync(area);
        }
        await Assertions.Expect(page.GetByRole(AriaRole.Main)).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Banner)).ToContainTextAsync("Amira Haddad");
        // Members are summarised by region (a network of thousands would not fit), each region linking to its list.
        var members = page.GetByRole(AriaRole.Region, new() { Name = "Awarded members by region" });
        await Assertions.Expect(members.GetByRole(AriaRole.Row, new() { Name = "Europe" })).ToBeVisibleAsync();
        await Assertions.Expect(members.GetByRole(AriaRole.Link, new() { Name = "All member organisations" })).ToHaveAttributeAsync("href", "/stakeholders/organisations?kind=member");
        var deadlines = page.GetByRole(AriaRole.Region, new() { Name = "Upcoming deadlines" });
        await Assertions.Expect(deadlines).ToContainTextAsync("Call for evidence: revision of the Anti-Trafficking Directive guidance on child victims");
        await Assertions.Expect(deadlines).ToContainTextAsync("National variants drafted (Moldova, Romania, Albania)");
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Recent interactions" })).ToContainTextAsync("Follow-up call on the shelter funding line");
        await Chromium.ScreenshotAsync(page, "home-desktop");
        await members.GetByRole(AriaRole.Link, new() { Name = "Europe" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Föreningen Trygga Spår Södertälje" })).ToBeVisibleAsync();
        await page.GoBackAsync();

        // The first Tab reaches the skip link, which moves focus to the main content.
        await page.Keyboard.PressAsync("Tab");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to main content" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("main")).ToBeFocusedAsync();

        await page.SetViewportSizeAsync(390, 844);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeInViewportAsync();
        await Chromium.ScreenshotAsync(page, "home-phone");
        var overflow = await Chromium.SidewaysOverflowAsync(page);
        Assert.True(overflow.Length == 0, $"The home page scrolls sideways on a phone: {overflow} reach past the right edge.");
        await context.CloseAsync();
    }

    [Fact]
    public async Task SigningOut_ReturnsToTheSignedOutPage()
    {
        Oidc.Provider.CurrentUser = new TestUser("sub-lena", "Lena Ivanova", "lena@child10.example", "viewer");
        var context = await Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(Oidc.App.BaseAddress.ToString());
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Welcome back, Lena");

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("You have signed out");
        await Assertions.Expect(page.GetByRole(AriaRole.Navigation, new() { Name = "Main" })).ToHaveCountAsync(0);
        await context.CloseAsync();
    }
}
