using Child10.Advocacy.Tests.Email;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Briefings;
using Child10.Advocacy.Web.Features.Demo;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Briefings;

/// <summary>The demo network, the app delivering to a loopback SMTP server, and Chromium.</summary>
[Collection(DatabaseGroup.Name)]
public sealed class BriefingBrowserTests(TestDatabase database) : IAsyncLifetime
{
    private LoopbackSmtpServer smtp = null!;
    private TestApp app = null!;
    private Chromium chromium = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        await DemoSeed.RunAsync(database.DataSource, CancellationToken.None);
        smtp = LoopbackSmtpServer.Start();
        app = await TestApp.StartAsync(database, smtp.Settings());
        chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await chromium.DisposeAsync();
        await app.DisposeAsync();
        await smtp.DisposeAsync();
    }

    [Fact]
    public async Task Lead_ComposesAndPreviews_SecondLeadApproves_ItIsSent_AndTheSendLogShowsIt()
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var expected = (await db.QueryAsync<string>(
            """
            select lower(p.email) from person p
            where p.category = 'decision_maker' and p.country_code = 'MD' and p.erased_at is null and not p.do_not_contact and p.email is not null
            """)).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(expected);
        var errors = new List<string>();
        var author = await ContextAsync("lead");
        var page = await author.NewPageAsync();
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync(Url("/briefings"));
        await page.GetByRole(AriaRole.Link, new() { Name = "New briefing" }).ClickAsync();
        await page.Locator("#Input_CampaignId").SelectOptionAsync(new SelectOptionValue { Label = "Guardianship for every unaccompanied child" });
        await page.Locator("#Input_Title").FillAsync("Hearing on guardianship — Moldova");
        await page.Locator("#Input_Subject").FillAsync("Before the hearing: a guardian for every child in {{ recipient.country }}");
        await page.Locator("#Input_Body").FillAsync("Dear {{ recipient.name }},\n\nAs {{ recipient.position }} at {{ recipient.organisation }}, you can make sure **every unaccompanied child** gets a guardian within 24 hours.\n\nWith kind regards,\n{{ sender.name }}");
        await page.GetByRole(AriaRole.Checkbox, new() { Name = "Moldova — national decision-makers" }).CheckAsync();
        await Chromium.ScreenshotAsync(page, "briefing-compose");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save briefing" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("Briefing saved");
        var briefingUrl = page.Url;

        // Preview as the second person of the audience: subject, HTML frame and text are theirs.
        var option = page.Locator("#recipient option").Nth(1);
        var recipientLabel = await option.TextContentAsync() ?? "";
        var recipientName = recipientLabel.Split(" — ")[0].Trim();
        await page.Locator("#recipient").SelectOptionAsync(await option.GetAttributeAsync("value") ?? "");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();
        await Assertions.Expect(page.Locator(".briefing-preview-subject")).ToHaveTextAsync("Before the hearing: a guardian for every child in Moldova");
        await Assertions.Expect(page.FrameLocator("iframe.mail-preview").Locator("body")).ToContainTextAsync("Dear " + recipientName + ",");
        await Assertions.Expect(page.FrameLocator("iframe.mail-preview").Locator("strong")).ToHaveTextAsync("every unaccompanied child");
        Assert.Contains("Dear " + recipientName + ",", await page.Locator(".briefing-preview-text").TextContentAsync(), StringComparison.Ordinal);

        // The author schedules it now; it waits for a second lead, and the author cannot approve.
        await page.GetByLabel("Now (once approved)").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Schedule" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status).First).ToContainTextAsync("goes out only once another lead approves it");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToHaveCountAsync(0);
        Assert.Equal(0, await RunDispatchAsync());
        await Chromium.ScreenshotAsync(page, "briefing-details");

        var approver = await ContextAsync("lead");
        var second = await approver.NewPageAsync();
        second.PageError += (_, error) => errors.Add(error);
        await second.GotoAsync(briefingUrl);
        await second.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();
        await Assertions.Expect(second.GetByRole(AriaRole.Status).First).ToContainTextAsync("Approved: it goes out as scheduled.");

        // The worker's dispatch job and delivery (run here so the test does not wait for the scheduler).
        Assert.Equal(1, await RunDispatchAsync());
        await app.App.Services.GetRequiredService<OutboxDelivery>().RunAsync(CancellationToken.None);

        var received = smtp.Received.ToList();
        Assert.Equal(expected, received.Select(m => m.To.Mailboxes.Single().Address.ToLowerInvariant()).Order(StringComparer.Ordinal));
        Assert.All(received, m => Assert.Equal("Before the hearing: a guardian for every child in Moldova", m.Subject));

        await page.GotoAsync(briefingUrl);
        await page.Locator("section[aria-labelledby=runs-title] a").First.ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Send log" })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-count=sent]")).ToHaveTextAsync(expected.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Assertions.Expect(page.Locator("table.briefing-log tbody tr")).ToHaveCountAsync(expected.Count);
        await Assertions.Expect(page.Locator("table.briefing-log").GetByText(recipientName)).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "briefing-send-log");

        await page.GotoAsync(Url("/briefings"));
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Monthly guardianship update" })).ToBeVisibleAsync();
        await Chromium.ScreenshotAsync(page, "briefing-list");
        Assert.Empty(errors);
    }

    private async Task<int> RunDispatchAsync() =>
        await app.App.Services.GetRequiredService<BriefingDispatch>().RunDueAsync(CancellationToken.None);

    private string Url(string path) => new Uri(app.BaseAddress, path).ToString();

    private async Task<IBrowserContext> ContextAsync(string role)
    {
        var cookies = await app.SignedInCookiesAsync(database, role);
        var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = app.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        await context.AddCookiesAsync(cookies.GetAllCookies().Select(c => new Cookie { Name = c.Name, Value = c.Value, Url = app.BaseAddress.ToString() }));
        return context;
    }
}
