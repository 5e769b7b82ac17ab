using System.Text;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Demo;
using Dapper;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Stakeholders;

/// <summary>The import preview, the erase confirmation and the privacy-notice list in Chromium, with screenshots to look at.</summary>
[Collection(DatabaseGroup.Name)]
public sealed class GdprScreenshotTests(TestDatabase database) : DemoBrowserTest(database)
{
    [Fact]
    public async Task ImportPreview_WithProblems_ShowsRowColumnAndWhy()
    {
        var page = await SignedInPageAsync("admin", 1280);
        await page.GotoAsync("/stakeholders/import");
        await Chromium.ScreenshotAsync(page, "import-upload");
        var csv = "full_name;email;organisation;country;policy_areas;privacy_notice_sent_on;do_not_contact;shoe_size\n"
            + "Amina Diallo;amina.diallo@justice.example;;SN;Legal reform;2024-11-05;no;41\n"
            + "Bad Email;x@;;;;;;\n"
            + "Wrong Country;w@example.org;;XX;;;;\n"
            + "Unknown Org;u@example.org;Ministry of Magic;;;;;\n"
            + "Odd Theme;t@example.org;;;Juggling;;;\n"
            + "Bad Date;d@example.org;;;;5 Nov 2024;maybe;\n";
        await page.GetByLabel("CSV file").SetInputFilesAsync(new FilePayload { Name = "contacts.csv", MimeType = "text/csv", Buffer = Encoding.UTF8.GetBytes(csv) });

        await page.GetByRole(AriaRole.Button, new() { Name = "Upload and preview" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 2, Name = "6 problems to fix before anything can be imported" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("'x@' is not a valid email address")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "import-preview-errors");
    }

    [Fact]
    public async Task EraseConfirmation_AsksForTheName()
    {
        long id;
        await using (var db = await Database.DataSource.OpenConnectionAsync())
        {
            id = await db.ExecuteScalarAsync<long>("select id from person where email is not null and erased_at is null order by id limit 1");
        }
        var page = await SignedInPageAsync("admin", 1280);

        await page.GotoAsync($"/stakeholders/people/{id}/erase");
        await page.GetByRole(AriaRole.Button, new() { Name = "Erase this person" }).ClickAsync();

        await Assertions.Expect(page.GetByText("Type the name exactly as shown").First).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "gdpr-erase-confirm");
    }

    [Fact]
    public async Task PrivacyNoticeList_OnDesktopAndPhone()
    {
        var page = await SignedInPageAsync("lead", 1280);

        await page.GotoAsync("/stakeholders/privacy-notices");

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Privacy notices to send");
        await Chromium.ScreenshotAsync(page, "privacy-notices-desktop");
        await page.SetViewportSizeAsync(390, 844);
        var overflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        await Chromium.ScreenshotAsync(page, "privacy-notices-phone");
        Assert.False(overflow, "The privacy-notice list scrolls sideways on a phone.");
    }

    private async Task<IPage> SignedInPageAsync(string role, int width) =>
        await (await SignedInContextAsync(role, width)).NewPageAsync();
}
