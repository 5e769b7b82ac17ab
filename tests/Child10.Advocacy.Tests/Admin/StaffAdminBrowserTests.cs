using Child10.Advocacy.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Admin;

[Collection(DatabaseGroup.Name)]
public sealed class StaffAdminBrowserTests(TestDatabase database) : DemoBrowserTest(database)
{
    [Fact]
    public async Task Admin_ChangesALeadsRole_AndDeactivatesThem_FromTheStaffPages()
    {
        var context = await SignedInContextAsync("admin");
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Staff and access" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Staff and access");
        var amira = page.GetByRole(AriaRole.Row).Filter(new() { HasText = "Amira Haddad" });
        await Assertions.Expect(amira).ToContainTextAsync("lead");
        await Assertions.Expect(amira).ToContainTextAsync(new System.Text.RegularExpressions.Regex("campaigns? led"));
        await Chromium.ScreenshotAsync(page, "staff-list-desktop");

        await amira.GetByRole(AriaRole.Link, new() { Name = "Amira Haddad" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Answers for" })).ToContainTextAsync("Campaign");
        await page.GetByRole(AriaRole.Radio, new() { Name = "Viewer" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save role" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Their role is now viewer. It applies to their next page.");
        await Assertions.Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Viewer" })).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Region, new() { Name = "Recent activity" })).ToBeVisibleAsync();

        await page.GetByText("Deactivate…").ClickAsync();
        await Assertions.Expect(page.GetByText("Amira Haddad still answers for")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "staff-member-desktop");
        var duties = page.GetByRole(AriaRole.Region, new() { Name = "Answers for" });
        await duties.GetByLabel("Hand all of this over to").SelectOptionAsync(new SelectOptionValue { Label = "Elin Sjöberg" });
        await duties.GetByRole(AriaRole.Button, new() { Name = "Hand over" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Handed to Elin Sjöberg: 2 campaigns,");
        await Assertions.Expect(duties).ToContainTextAsync("Nothing open");
        await page.GetByText("Deactivate…").ClickAsync();
        await Assertions.Expect(page.GetByText("Amira Haddad still answers for")).Not.ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Deactivate Amira Haddad" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("They are signed out and can no longer sign in.");
        await Assertions.Expect(page.Locator(".record-head")).ToContainTextAsync("Deactivated on");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Reactivate" })).ToBeVisibleAsync();

        await page.SetViewportSizeAsync(390, 844);
        await Chromium.ScreenshotAsync(page, "staff-member-phone");
        Assert.False(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth"), "A staff member's page scrolls sideways on a phone.");
        await page.GotoAsync("/admin/staff");
        Assert.False(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth"), "The staff list scrolls sideways on a phone.");
        await Chromium.ScreenshotAsync(page, "staff-list-phone");
        await context.CloseAsync();
    }
}
