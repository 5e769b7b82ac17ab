using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Email;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Email;

[Collection(DatabaseGroup.Name)]
public sealed class MailLogTests(TestDatabase database) : MailAppTest(database)
{
    [Fact]
    public async Task List_ForAViewer_ShowsMessagesFilteredByStatus()
    {
        await QueueAsync(EmailParts.Request("a", "ana@example.org"), EmailParts.Request("b", "ben@example.org"));
        await using (var db = await Database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("update outbox_message set status = 'failed', last_error = 'Refused' where idempotency_key = 'b'");
        }
        using var client = await App.SignedInClientAsync(Database, "viewer");

        var all = await client.GetStringAsync("/mail");
        var failed = await client.GetStringAsync("/mail?status=failed");

        Assert.Contains("ana@example.org", all, StringComparison.Ordinal);
        Assert.Contains("ben@example.org", all, StringComparison.Ordinal);
        Assert.DoesNotContain("ana@example.org", failed, StringComparison.Ordinal);
        Assert.Contains("ben@example.org", failed, StringComparison.Ordinal);
        Assert.DoesNotContain("Send a test email", all, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Message_ShowsTheHtmlInASandboxedFrameWithItsOwnPolicy()
    {
        var id = (await QueueAsync(EmailParts.Request("a", "ana@example.org")))[0].MessageId;
        using var client = await App.SignedInClientAsync(Database, "viewer");

        var page = await client.GetStringAsync($"/mail/{id}");
        using var html = await client.GetAsync($"/mail/{id}?handler=Html");

        Assert.Contains("<iframe class=\"mail-preview\" sandbox", page, StringComparison.Ordinal);
        Assert.Contains("Hello Ana &lt;b&gt;", page, StringComparison.Ordinal);
        Assert.StartsWith("sandbox;", html.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("Ana &lt;b&gt;", await html.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RetryAndCancel_AreForAdminsAndAudited()
    {
        var results = await QueueAsync(EmailParts.Request("failed", "ana@example.org"), EmailParts.Request("pending", "ben@example.org"));
        await using var db = await Database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync("update outbox_message set status = 'failed' where idempotency_key = 'failed'");
        var (failedId, pendingId) = (results[0].MessageId, results[1].MessageId);

        using var lead = await App.SignedInClientAsync(Database, "lead");
        using var refused = await PostAsync(lead, $"/mail/{failedId}", "Retry");
        Assert.Equal(HttpStatusCode.Redirect, refused.StatusCode);
        Assert.StartsWith("/account/access-denied", refused.Headers.Location!.PathAndQuery, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("failed", await db.ExecuteScalarAsync<string>("select status from outbox_message where id = @failedId", new { failedId }));

        using var admin = await App.SignedInClientAsync(Database, "admin");
        using var retried = await PostAsync(admin, $"/mail/{failedId}", "Retry");
        using var cancelled = await PostAsync(admin, $"/mail/{pendingId}", "Cancel");

        Assert.Equal(HttpStatusCode.Redirect, retried.StatusCode);
        Assert.Equal("pending", await db.ExecuteScalarAsync<string>("select status from outbox_message where id = @failedId", new { failedId }));
        Assert.Equal("cancelled", await db.ExecuteScalarAsync<string>("select status from outbox_message where id = @pendingId", new { pendingId }));
        Assert.Equal(["mail.cancel", "mail.retry"], (await db.QueryAsync<string>("select action from audit_event where entity = 'outbox_message' order by action")).ToList());
    }

    [Fact]
    public async Task TestEmail_SentByAnAdmin_IsDeliveredToThem()
    {
        using var admin = await App.SignedInClientAsync(Database, "admin");

        using var response = await PostAsync(admin, "/mail", "Test");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var delivery = new OutboxDelivery(Database.DataSource, App.App.Services.GetRequiredService<EmailSettings>(), Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDelivery>.Instance);
        await delivery.RunAsync(CancellationToken.None);
        var received = Assert.Single(Smtp.Received);
        Assert.EndsWith("@child10.example", received.To.Mailboxes.Single().Address, StringComparison.Ordinal);
        Assert.Equal("Test email from Child10 Advocacy", received.Subject);
        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'mail.test'"));
    }

    [Fact]
    public async Task Screenshots_OfTheMailLogAndAMessage()
    {
        var results = await QueueAsync(Enumerable.Range(1, 8).Select(i => EmailParts.Request($"s{i}", $"person{i}@example.org")).ToArray());
        await using (var delivery = new OutboxDelivery(Database.DataSource, App.App.Services.GetRequiredService<EmailSettings>(), Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDelivery>.Instance))
        {
            await delivery.RunAsync(CancellationToken.None);
        }
        var cookies = await App.SignedInCookiesAsync(Database, "admin");
        await using var chromium = await Chromium.LaunchAsync();
        foreach (var (name, width) in new[] { ("desktop", 1280), ("phone", 390) })
        {
            var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
            await context.AddCookiesAsync(cookies.GetAllCookies().Select(c => new Microsoft.Playwright.Cookie { Name = c.Name, Value = c.Value, Domain = App.BaseAddress.Host, Path = "/" }));
            var page = await context.NewPageAsync();
            var errors = new List<string>();
            page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
            await page.GotoAsync(new Uri(App.BaseAddress, "/mail").ToString());
            await Chromium.ScreenshotAsync(page, $"mail-log-{name}");
            await page.GotoAsync(new Uri(App.BaseAddress, $"/mail/{results[0].MessageId}").ToString());
            var frame = page.FrameLocator("iframe.mail-preview");
            await Assertions.Expect(frame.GetByText("Open the mail log")).ToBeVisibleAsync();
            await Chromium.ScreenshotAsync(page, $"mail-message-{name}");
            Assert.Empty(errors);
            await context.CloseAsync();
        }
        var unsubscribe = await chromium.Browser.NewPageAsync();
        await unsubscribe.GotoAsync(new Uri(App.BaseAddress, "/unsubscribe/unknown").ToString());
        await Chromium.ScreenshotAsync(unsubscribe, "unsubscribe-unknown");
    }

    private async Task<IReadOnlyList<EnqueueResult>> QueueAsync(params MailRequest[] requests)
    {
        var outbox = App.App.Services.GetRequiredService<Outbox>();
        await using var db = await Database.DataSource.OpenConnectionAsync();
        await using var tx = await db.BeginTransactionAsync();
        var results = await outbox.EnqueueManyAsync(db, tx, requests, CancellationToken.None);
        await tx.CommitAsync();
        return results;
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string handler)
    {
        var page = await client.GetStringAsync(path);
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page) });
        return await client.PostAsync($"{path}?handler={handler}", form);
    }
}
