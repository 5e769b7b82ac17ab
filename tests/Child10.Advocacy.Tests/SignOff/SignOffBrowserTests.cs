using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Child10.Advocacy.Tests.Email;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Email;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.SignOff;

/// <summary>The whole path: a lead opens a round, mail goes through real SMTP, signatories answer in Chromium, the board changes.</summary>
[Collection(DatabaseGroup.Name)]
public sealed partial class SignOffBrowserTests(TestDatabase database) : MailAppTest(database)
{
    [Fact]
    public async Task ApproveRequestChangesAndDecline_FromTheEmailedLinks_ShowOnTheBoard()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 4);
        var cookies = await App.SignedInCookiesAsync(Database, "lead");
        using var lead = App.CreateClient(cookies);
        var roundId = await OpenThroughTheFormAsync(lead, scene);
        await DeliverAsync();
        var received = Smtp.Received.ToList();
        Assert.Equal(4, received.Count(m => (m.Subject ?? "").StartsWith("Please sign off:", StringComparison.Ordinal)));

        await using var chromium = await Chromium.LaunchAsync();
        var phone = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 390, Height = 844 },
            IsMobile = true,
            HasTouch = true,
        });
        var page = await phone.NewPageAsync();

        await page.GotoAsync(LinkTo(received, scene.Members[0].Email));
        await Chromium.ScreenshotAsync(page, "signoff-link-phone");
        Assert.Empty(await Accessibility.ProblemsAsync(page, "a signatory's link"));
        await page.GetByRole(AriaRole.Radio, new() { Name = "Approve" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send answer" }).ClickAsync();
        await page.GetByText("Your answer is recorded").WaitForAsync();

        await page.GotoAsync(LinkTo(received, scene.Members[1].Email));
        await page.GetByRole(AriaRole.Radio, new() { Name = "Request changes" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send answer" }).ClickAsync();
        await page.GetByText("the comment is required when you request changes").WaitForAsync();
        await Chromium.ScreenshotAsync(page, "signoff-link-phone-error");
        await page.GetByRole(AriaRole.Textbox, new() { Name = "Comment" }).FillAsync("Name the guardianship authority in paragraph 2.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Send answer" }).ClickAsync();
        await page.GetByText("Your answer is recorded").WaitForAsync();

        await page.GotoAsync(LinkTo(received, scene.Members[2].Email));
        await page.GetByRole(AriaRole.Radio, new() { Name = "Decline" }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Send answer" }).ClickAsync();
        await page.GetByText("Your answer is recorded").WaitForAsync();

        var board = await lead.GetStringAsync($"/signoff/rounds/{roundId}");
        Assert.Equal([scene.Members[0].Name], Column(board, "approve"));
        Assert.Equal([scene.Members[1].Name], Column(board, "request_changes"));
        Assert.Equal([scene.Members[2].Name], Column(board, "decline"));
        Assert.Equal([scene.Members[3].Name], Column(board, "pending"));
        Assert.Contains("Name the guardianship authority in paragraph 2.", board, StringComparison.Ordinal);

        // Confirmations go out through SMTP too.
        await DeliverAsync();
        Assert.Equal(3, Smtp.Received.Count(m => (m.Subject ?? "").StartsWith("Your answer is recorded", StringComparison.Ordinal)));

        var desktop = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = App.BaseAddress.ToString(), ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        await desktop.AddCookiesAsync(cookies.GetAllCookies().Select(c => new Microsoft.Playwright.Cookie { Name = c.Name, Value = c.Value, Url = App.BaseAddress.ToString() }));
        var staff = await desktop.NewPageAsync();
        await staff.GotoAsync($"/signoff/rounds/{roundId}");
        await Chromium.ScreenshotAsync(staff, "signoff-round-board");
        await staff.GotoAsync($"/signoff/new?statementId={scene.StatementId}");
        await Chromium.ScreenshotAsync(staff, "signoff-new-round");
        await staff.GotoAsync("/signoff");
        await Chromium.ScreenshotAsync(staff, "signoff-index");
    }

    [Fact]
    public async Task BouncedLinkMail_ShowsAsBounced_AndTheLeadCanSendItAgain()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 2);
        var roundId = await scene.OpenRoundAsync(App, Database);
        Smtp.UnknownRecipients[scene.Members[0].Email] = true;
        await DeliverAsync();
        await using (var db = await Database.DataSource.OpenConnectionAsync())
        {
            // A permanent rejection fails the message at once or after retries; make it final for the board.
            await db.ExecuteAsync("update outbox_message set status = 'failed', lease_until = null where recipient_address = @email", new { email = scene.Members[0].Email });
        }
        using var lead = await App.SignedInClientAsync(Database, "lead");

        var board = await lead.GetStringAsync($"/signoff/rounds/{roundId}");
        Assert.Equal([scene.Members[0].Name], Column(board, "bounced"));

        using var resend = await lead.PostAsync($"/signoff/rounds/{roundId}?handler=Resend", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(board),
            ["requestId"] = (await RequestIdAsync(roundId, scene.Members[0].OrganisationId)).ToString(CultureInfo.InvariantCulture),
            ["personId"] = scene.Members[0].SignatoryId.ToString(CultureInfo.InvariantCulture),
        }));
        Assert.Equal(HttpStatusCode.Redirect, resend.StatusCode);
        await using var check = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await check.ExecuteScalarAsync<int>("select count(*) from outbox_message where recipient_address = @email and purpose = 'signoff-request'", new { email = scene.Members[0].Email }));
        Assert.Equal(1, await check.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'signoff.resend'"));
        var after = await lead.GetStringAsync($"/signoff/rounds/{roundId}");
        Assert.Contains(scene.Members[0].Name, Column(after, "pending"));
        Assert.Empty(Column(after, "bounced"));
        Assert.Contains("Link sent again", after, StringComparison.Ordinal);
    }

    private static async Task<long> OpenThroughTheFormAsync(HttpClient lead, SignOffScene scene)
    {
        var form = await lead.GetStringAsync($"/signoff/new?statementId={scene.StatementId}");
        var fields = new List<KeyValuePair<string, string>>
        {
            new("__RequestVerificationToken", TestApp.AntiforgeryToken(form)),
            new("Input.DeadlineDate", DateTime.UtcNow.AddDays(10).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)),
            new("Input.DeadlineTime", "17:00"),
            new("Input.TimeZone", "Europe/Brussels"),
            new("Input.Rule", "all_must_approve"),
            new("Input.FirstReminderDays", "3"),
            new("Input.RepeatEveryDays", "3"),
            new("Input.FinalReminderHours", "48"),
            new("Input.EscalationHours", "24"),
            new("Input.Message", "Please sign by Friday."),
        };
        for (var i = 0; i < scene.Members.Count; i++)
        {
            fields.Add(new($"Input.Invites[{i}].OrganisationId", scene.Members[i].OrganisationId.ToString(CultureInfo.InvariantCulture)));
            fields.Add(new($"Input.Invites[{i}].Include", "true"));
            fields.Add(new($"Input.Invites[{i}].SignatoryId", scene.Members[i].SignatoryId.ToString(CultureInfo.InvariantCulture)));
        }
        using var response = await lead.PostAsync($"/signoff/new?statementId={scene.StatementId}", new FormUrlEncodedContent(fields));
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        return long.Parse(response.Headers.Location!.OriginalString.Split('/')[^1], CultureInfo.InvariantCulture);
    }

    private async Task DeliverAsync()
    {
        await using var delivery = new OutboxDelivery(Database.DataSource, App.App.Services.GetRequiredService<EmailSettings>(), NullLogger<OutboxDelivery>.Instance);
        await delivery.RunAsync(CancellationToken.None);
    }

    private async Task<long> RequestIdAsync(long roundId, long organisationId)
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>("select id from signoff_request where round_id = @roundId and organisation_id = @organisationId", new { roundId, organisationId });
    }

    private static string LinkTo(IEnumerable<MimeKit.MimeMessage> received, string email)
    {
        var message = received.Last(m => m.To.Mailboxes.Any(a => a.Address == email) && (m.Subject ?? "").StartsWith("Please sign off:", StringComparison.Ordinal));
        var text = message.TextBody ?? throw new InvalidOperationException("No text body.");
        // The mail carries an absolute link on the configured public address; the test app listens elsewhere on loopback.
        Assert.Matches(UrlPattern(), text);
        return SignOffScene.LinkPath(text);
    }

    /// <summary>The organisations listed in one state column of a round board.</summary>
    internal static IReadOnlyList<string> Column(string html, string state)
    {
        var start = html.IndexOf($"data-state=\"{state}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No {state} column.");
        var end = html.IndexOf("data-state=\"", start + 12, StringComparison.Ordinal);
        var section = end < 0 ? html[start..] : html[start..end];
        return OrganisationPattern().Matches(section).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();
    }

    [GeneratedRegex(@"https?://\S+/sign/[A-Za-z0-9_\-%]+")]
    private static partial Regex UrlPattern();

    [GeneratedRegex("data-organisation=\"([^\"]+)\"")]
    private static partial Regex OrganisationPattern();
}
