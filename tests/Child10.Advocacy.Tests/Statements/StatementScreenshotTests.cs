using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Demo;
using Dapper;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Statements;

/// <summary>The demo joint statement, a diff and the coordination board in Chromium; screenshots for review.</summary>
[Collection(DatabaseGroup.Name)]
public sealed class StatementScreenshotTests(TestDatabase database) : DemoBrowserTest(database)
{
    [Fact]
    public async Task Lead_ReadsTheStatement_ComparesVersions_AndAlignsReleaseDatesOnTheBoard()
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        var core = await db.ExecuteScalarAsync<long>("select id from statement where title = @title", new { title = DemoSeed.GuardianshipStatementTitle });
        var context = await SignedInContextAsync("lead", 1280, 900);
        var page = await context.NewPageAsync();

        await page.GotoAsync(Url("/statements"));
        await Chromium.ScreenshotAsync(page, "statements-desktop");

        // The new-statement form offers every active member of staff as the lead.
        var staff = (await db.QueryAsync<string>("select display_name from staff_user where is_active order by display_name")).ToList();
        await page.GotoAsync(Url("/statements/new"));
        Assert.Equal(["No lead yet", .. staff], await page.Locator("#Input_LeadId option").AllInnerTextsAsync());
        await Chromium.ScreenshotAsync(page, "statement-new-desktop");
        await page.GotoAsync(Url("/statements"));
        await page.GetByRole(AriaRole.Link, new() { Name = DemoSeed.GuardianshipStatementTitle }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync(DemoSeed.GuardianshipStatementTitle);
        await Chromium.ScreenshotAsync(page, "statement-details-desktop");

        await page.GetByRole(AriaRole.Button, new() { Name = "Compare" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Changes from version 1 to 2");
        await Assertions.Expect(page.Locator(".diff ins").First).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "statement-diff-desktop");

        await page.GotoAsync(Url($"/statements/{core}/board"));
        await Assertions.Expect(page.GetByText("Release dates differ.")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "statement-board-desktop");
        // Every column, release date included, is in view on a laptop-sized screen: the board does not scroll sideways.
        var overflow = await page.Locator(".table-wrap:has(table.statement-board)").EvaluateAsync<int>("el => el.scrollWidth - el.clientWidth");
        Assert.True(overflow <= 0, $"The board is {overflow} px wider than its frame at 1280 px.");
        await Assertions.Expect(page.GetByRole(AriaRole.Columnheader, new() { Name = "Planned release" })).ToBeInViewportAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Set for all" }).ClickAsync();
        await Assertions.Expect(page.GetByText("release together on")).ToBeVisibleAsync();

        await page.GotoAsync(Url($"/statements/{core}/export.html"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Signatories" })).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "statement-export-html");
        var pdf = await page.APIRequest.GetAsync(Url($"/statements/{core}/export.pdf"));
        Assert.Equal("application/pdf", pdf.Headers["content-type"]);
        await File.WriteAllBytesAsync(Path.Combine(Chromium.ScreenshotDirectory, "statement-export.pdf"), await pdf.BodyAsync());

        var albania = await db.ExecuteScalarAsync<long>("select id from statement where core_id = @core and country_code = 'AL'", new { core });
        var moldova = await db.ExecuteScalarAsync<long>("select id from statement where core_id = @core and country_code = 'MD'", new { core });
        var moldovaPdf = await page.APIRequest.GetAsync(Url($"/statements/{moldova}/export.pdf"));
        await File.WriteAllBytesAsync(Path.Combine(Chromium.ScreenshotDirectory, "statement-export-moldova.pdf"), await moldovaPdf.BodyAsync());
        await page.GotoAsync(Url($"/statements/{albania}"));
        await Assertions.Expect(page.GetByText("The core has moved on.")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "statement-variant-desktop");
        await context.CloseAsync();

        var phone = await SignedInContextAsync("viewer", 390, 844);
        var phonePage = await phone.NewPageAsync();
        await phonePage.GotoAsync(Url($"/statements/{core}"));
        Assert.False(await phonePage.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth"), "The statement page scrolls sideways on a phone.");
        await Chromium.ScreenshotAsync(phonePage, "statement-details-phone");
        await phone.CloseAsync();
    }
}
