using Child10.Advocacy.Tests.Infrastructure;
using Dapper;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Consultations;

/// <summary>The consultation list, a consultation and the calendar-feed page in Chromium with the demo network; screenshots for review.</summary>
[Collection(DatabaseGroup.Name)]
public sealed class ConsultationScreenshotTests(TestDatabase database) : DemoBrowserTest(database)
{
    [Fact]
    public async Task Lead_CreatesAConsultation_SeesItListed_AndGetsACalendarFeed()
    {
        await SeedAsync();
        var context = await SignedInContextAsync("lead", 1280, 900);
        var page = await context.NewPageAsync();

        await page.GotoAsync(Url("/consultations/new"));
        await page.GetByLabel("Institution", new() { Exact = true }).SelectOptionAsync(new SelectOptionValue { Label = "European Commission" });
        await page.GetByLabel("Title").FillAsync("Revision of the Anti-Trafficking Directive: implementation review");
        await page.GetByLabel("Link").FillAsync("https://ec.europa.eu/have-your-say");
        await page.GetByLabel("Closes").FillAsync("2020-01-10T18:00");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add consultation" }).ClickAsync();
        await Assertions.Expect(page.GetByText("The closing deadline has already passed").First).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "consultation-new-error-desktop");

        await page.GetByLabel("Closes").FillAsync($"{DateTime.UtcNow.Year + 1}-01-10T18:00");
        await page.GetByLabel("Institution’s time zone").SelectOptionAsync("Europe/Stockholm");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add consultation" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Revision of the Anti-Trafficking Directive: implementation review");
        await Chromium.ScreenshotAsync(page, "consultation-details-desktop");

        await page.GotoAsync(Url("/consultations"));
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Revision of the Anti-Trafficking Directive: implementation review" })).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "consultations-desktop");

        await page.GotoAsync(Url("/calendar"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Create calendar feed" }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Calendar feed address")).ToHaveValueAsync(new System.Text.RegularExpressions.Regex(@"/calendar/feed/[A-Za-z0-9_-]{43}\.ics$"));
        await Chromium.ScreenshotAsync(page, "calendar-feed-desktop");
        await context.CloseAsync();

        var phone = await SignedInContextAsync("viewer", 390, 844);
        var phonePage = await phone.NewPageAsync();
        await phonePage.GotoAsync(Url("/consultations"));
        await Assertions.Expect(phonePage.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Consultations");
        Assert.False(await phonePage.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth"), "The consultation list scrolls sideways on a phone.");
        await Chromium.ScreenshotAsync(phonePage, "consultations-phone");
        await phone.CloseAsync();
    }

    private async Task SeedAsync()
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        var commission = await db.ExecuteScalarAsync<long>("insert into organisation (name, kind) values ('European Commission', 'intergovernmental') returning id");
        var riksdag = await db.ExecuteScalarAsync<long>("insert into organisation (name, kind, country_code) values ('Riksdagen, Committee on Justice', 'parliament', 'SE') returning id");
        var lead = await db.ExecuteScalarAsync<long>("select id from staff_user where role = 'lead' order by id limit 1");
        await db.ExecuteAsync(
            """
            insert into consultation (institution_id, title, scope, closes_at, institution_time_zone, status, responsible_id)
            values (@commission, 'Child Sexual Abuse Regulation: detection orders', 'international', now() + interval '36 hours', 'Europe/Brussels', 'in_preparation', @lead),
                   (@riksdag, 'Inquiry into online grooming offences', 'national', now() + interval '5 days', 'Europe/Stockholm', 'open', null),
                   (@commission, 'EU strategy on the rights of the child 2027–2032', 'international', now() + interval '40 days', 'Europe/Brussels', 'upcoming', @lead)
            """,
            new { commission, riksdag, lead });
    }
}
