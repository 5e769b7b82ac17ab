using System.Globalization;
using Child10.Advocacy.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Browser;

/// <summary>The stakeholder journey of an advocacy lead, signed in through the real identity provider.</summary>
[Collection(DatabaseGroup.Name)]
public sealed class StakeholderJourneyTests(TestDatabase database) : OidcBrowserTest(database)
{
    [Fact]
    public async Task Lead_CreatesADecisionMaker_LogsAMeetingWithFollowUp_FindsThemWithoutAccents_AndSeesTheFollowUp()
    {
        Oidc.Provider.CurrentUser = new TestUser("sub-elin", "Elin Norberg", "elin@child10.example", "lead");
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(Oidc.App.BaseAddress, "/stakeholders/people").ToString());

        // Create a decision-maker whose name carries diacritics.
        await page.GetByRole(AriaRole.Link, new() { Name = "Add person" }).ClickAsync();
        await page.GetByLabel("Full name").FillAsync("Ștefania Bălănescu-Ionescu");
        await page.GetByLabel("Position").FillAsync("State Secretary for Child Protection");
        await page.GetByLabel("Category").SelectOptionAsync(new SelectOptionValue { Label = "Decision-maker" });
        await page.GetByLabel("Email").FillAsync("s.balanescu@mmuncii.gov.ro.example");
        await page.GetByLabel("Country").SelectOptionAsync(new SelectOptionValue { Label = "Romania" });
        await page.GetByLabel("Jurisdiction level").SelectOptionAsync(new SelectOptionValue { Label = "National" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Add person" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Ștefania Bălănescu-Ionescu");

        // Log a meeting with a follow-up three days ago, so it is overdue.
        await page.GetByRole(AriaRole.Link, new() { Name = "Log interaction" }).ClickAsync();
        await page.GetByLabel("Kind").SelectOptionAsync("meeting");
        await page.GetByLabel("Subject").FillAsync("Guardianship for unaccompanied children in Romania");
        await page.GetByLabel("Outcome").FillAsync("Agreed to review the draft ordinance with our members.");
        var due = DateTime.UtcNow.AddDays(-3).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        await page.GetByLabel("Date").FillAsync(DateTime.UtcNow.AddDays(-10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await page.GetByLabel("Follow up by").FillAsync(due);
        await page.GetByRole(AriaRole.Button, new() { Name = "Save interaction" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Interaction logged.");

        // Find the person by a search typed without any accents.
        await page.GotoAsync(new Uri(Oidc.App.BaseAddress, "/stakeholders/people").ToString());
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).FillAsync("stefania balanescu");
        await page.GetByRole(AriaRole.Searchbox, new() { Name = "Search" }).PressAsync("Enter");
        var result = page.GetByRole(AriaRole.Link, new() { Name = "Ștefania Bălănescu-Ionescu" });
        await Assertions.Expect(result).ToBeVisibleAsync();
        await result.ClickAsync();
        await Assertions.Expect(page.GetByText("Guardianship for unaccompanied children in Romania")).ToBeVisibleAsync();

        // The follow-up is on "My follow-ups", marked overdue.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "My follow-ups" }).ClickAsync();
        var row = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Guardianship for unaccompanied children in Romania" });
        await Assertions.Expect(row).ToBeVisibleAsync();
        await Assertions.Expect(row).ToContainTextAsync("Ștefania Bălănescu-Ionescu");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("overdue");
        await Chromium.ScreenshotAsync(page, "journey-follow-ups");
        await context.CloseAsync();
    }
}
