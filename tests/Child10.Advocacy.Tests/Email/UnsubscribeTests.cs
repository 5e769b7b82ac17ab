using System.Net;
using System.Text.RegularExpressions;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Stakeholders;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Child10.Advocacy.Tests.Email;

[Collection(DatabaseGroup.Name)]
public sealed class UnsubscribeTests(TestDatabase database) : MailAppTest(database)
{
    [Fact]
    public async Task Post_WithoutCookiesOrAntiforgery_UnsubscribesAndAudits()
    {
        var path = await QueueBriefingAsync("ana@example.org");
        using var client = App.CreateClient();
        using var body = new StringContent("List-Unsubscribe=One-Click", System.Text.Encoding.ASCII, "application/x-www-form-urlencoded");

        using var response = await client.PostAsync(path, body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("You are unsubscribed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("unsubscribed", await ReasonAsync("ana@example.org"));
        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'suppression.unsubscribe' and actor_label = 'system:unsubscribe'"));

        // The next briefing is not sent; a transactional message still is.
        var outbox = App.App.Services.GetRequiredService<Outbox>();
        await using var tx = await db.BeginTransactionAsync();
        var bulk = await outbox.EnqueueAsync(db, tx, EmailParts.Request("next", "ana@example.org"), CancellationToken.None);
        var transactional = await outbox.EnqueueAsync(db, tx, EmailParts.Request("signoff", "ana@example.org", MailCategory.Transactional), CancellationToken.None);
        await tx.CommitAsync();
        Assert.Equal(EnqueueOutcome.Suppressed, bulk.Outcome);
        Assert.Equal(EnqueueOutcome.Queued, transactional.Outcome);
    }

    [Fact]
    public async Task GetAndHead_ShowAButtonAndChangeNothing()
    {
        var path = await QueueBriefingAsync("ana@example.org");
        using var client = App.CreateClient();

        var page = await client.GetStringAsync(path);
        using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Contains("<button type=\"submit\" class=\"button\">Unsubscribe</button>", page, StringComparison.Ordinal);
        Assert.DoesNotContain("__RequestVerificationToken", page, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Null(await ReasonAsync("ana@example.org"));
        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from audit_event"));
    }

    [Theory]
    [InlineData("/unsubscribe/not-a-real-token")]
    [InlineData("/unsubscribe/%3Cscript%3E")]
    public async Task UnknownToken_ShowsANeutralPage(string path)
    {
        using var client = App.CreateClient();

        using var get = await client.GetAsync(path);
        using var post = await client.PostAsync(path, new StringContent(""));

        Assert.Equal(HttpStatusCode.NotFound, get.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Contains("This link does not work", await post.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_ForAnErasedAddress_KeepsTheStrongerReason()
    {
        var path = await QueueBriefingAsync("ana@example.org");
        await using (var db = await Database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("insert into suppression (email_hash, reason) values (@hash, 'erased')", new { hash = Rules.EmailHash("ana@example.org") });
        }
        using var client = App.CreateClient();

        using var response = await client.PostAsync(path, new StringContent(""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("erased", await ReasonAsync("ana@example.org"));
    }

    private async Task<string> QueueBriefingAsync(string address)
    {
        var outbox = App.App.Services.GetRequiredService<Outbox>();
        await using (var db = await Database.DataSource.OpenConnectionAsync())
        await using (var tx = await db.BeginTransactionAsync())
        {
            await outbox.EnqueueAsync(db, tx, EmailParts.Request("briefing-1", address), CancellationToken.None);
            await tx.CommitAsync();
        }
        await using var delivery = new OutboxDelivery(Database.DataSource, App.App.Services.GetRequiredService<EmailSettings>(), Microsoft.Extensions.Logging.Abstractions.NullLogger<OutboxDelivery>.Instance);
        await delivery.RunAsync(CancellationToken.None);
        var header = Assert.Single(Smtp.Received).Headers["List-Unsubscribe"] ?? "";
        return new Uri(Regex.Match(header, "<([^>]+)>").Groups[1].Value).AbsolutePath;
    }

    private async Task<string?> ReasonAsync(string address)
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<string?>("select reason from suppression where email_hash = @hash", new { hash = Rules.EmailHash(address) });
    }
}
