using System.Globalization;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Demo;
using Dapper;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Interactions;

[Collection(DatabaseGroup.Name)]
public sealed class InteractionBrowserTests(TestDatabase database) : DemoBrowserTest(database)
{
    [Fact]
    public async Task Lead_LogsAMeetingWithTheLiveSearch_AndSeesItOnMyFollowUps()
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        var person = await db.QueryFirstAsync<(long Id, string FullName, string Organisation)>("""
            select p.id, p.full_name, o.name
            from person p join organisation o on o.id = p.organisation_id
            where p.category = 'decision_maker'
            order by p.id
            limit 1
            """);
        var context = await SignedInContextAsync("lead");
        var leadId = await db.ExecuteScalarAsync<long>("select id from staff_user where subject like 'test-lead-%'");
        var page = await context.NewPageAsync();
        var scriptErrors = new List<string>();
        page.PageError += (_, error) => scriptErrors.Add(error);
        // Playwright's screenshots inject a caret-hiding <style>, which the page's CSP rightly refuses.
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && !message.Text.StartsWith("Applying inline style", StringComparison.Ordinal))
            {
                scriptErrors.Add(page.Url + ": " + message.Text);
            }
        };

        await page.GotoAsync(Url($"/interactions/new?personId={person.Id}"));
        await Assertions.Expect(page.Locator("[data-chosen='people']").GetByRole(AriaRole.Checkbox, new() { Name = person.FullName })).ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("[data-chosen='organisations']").GetByRole(AriaRole.Checkbox, new() { Name = person.Organisation })).ToBeCheckedAsync();
        await page.GetByLabel("Kind").SelectOptionAsync("meeting");
        await page.GetByLabel("Subject").FillAsync("Round table on the national referral mechanism");
        await page.GetByLabel("Outcome").FillAsync("The ministry will share the draft guidelines with the network before the summer.");
        await page.GetByLabel("Find people and organisations").FillAsync("parliament");
        var match = page.Locator("#participant-results input[type=checkbox]").First;
        await Assertions.Expect(match).ToBeVisibleAsync();
        await page.GetByLabel("Follow up by").FillAsync(DateTime.UtcNow.AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        await Chromium.ScreenshotAsync(page, "interaction-new-desktop");
        // Ticking a match moves it into the chosen list.
        var value = await match.GetAttributeAsync("value");
        await match.ClickAsync();
        await Assertions.Expect(page.Locator($"[data-chosen] input[type=checkbox][value='{value}']")).ToBeCheckedAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Save interaction" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Interaction logged.");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Round table on the national referral mechanism");
        await Chromium.ScreenshotAsync(page, "interaction-details-desktop");

        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeZoneInfo.FindSystemTimeZoneById("Europe/Brussels")).DateTime);
        var others = await db.QueryAsync<long>("select id from person where category = 'decision_maker' order by id offset 1 limit 4");
        var days = new[] { -12, -3, 0, 21 };
        var subjects = new[] { "Send the joint statement to the committee secretariat", "Call back about the hearing date", "Share the member survey results", "Check the ministry's consultation timeline" };
        foreach (var (other, index) in others.Select((o, i) => (o, i)))
        {
            var id = await db.ExecuteScalarAsync<long>(
                "insert into interaction (kind, occurred_on, subject, follow_up_on, follow_up_owner_id) values (@kind, @occurred, @subject, @due, @leadId) returning id",
                new { kind = index % 2 == 0 ? "call" : "letter", occurred = today.AddDays(-20), subject = subjects[index], due = today.AddDays(days[index]), leadId });
            await db.ExecuteAsync("insert into interaction_person (interaction_id, person_id) values (@id, @other)", new { id, other });
        }
        await page.GotoAsync(Url("/follow-ups"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("2 overdue");
        await Assertions.Expect(page.GetByText("12 days overdue")).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "follow-ups-desktop");

        await page.SetViewportSizeAsync(390, 844);
        var overflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow, "My follow-ups scrolls sideways on a phone.");
        await Chromium.ScreenshotAsync(page, "follow-ups-phone");

        await page.Locator("tr", new() { HasText = "Send the joint statement to the committee secretariat" }).GetByRole(AriaRole.Button).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Follow-up marked done.");
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("1 overdue");
        Assert.True(scriptErrors.Count == 0, string.Join(Environment.NewLine, scriptErrors));
        await context.CloseAsync();
    }
}
