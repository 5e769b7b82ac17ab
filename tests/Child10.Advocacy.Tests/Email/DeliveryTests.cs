using System.Reflection;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Stakeholders;
using Dapper;
using MimeKit;

namespace Child10.Advocacy.Tests.Email;

[Collection(DatabaseGroup.Name)]
public sealed class DeliveryTests(TestDatabase database) : IAsyncLifetime
{
    private LoopbackSmtpServer smtp = null!;
    private EmailParts parts = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        smtp = LoopbackSmtpServer.Start();
        parts = new EmailParts(database, smtp);
    }

    public async Task DisposeAsync()
    {
        await parts.Delivery.DisposeAsync();
        await smtp.DisposeAsync();
    }

    [Fact]
    public async Task Enqueue_SameKeyTwice_StoresOneMessage()
    {
        var first = await parts.EnqueueAsync(EmailParts.Request("k1", "ana@example.org"));
        var second = await parts.EnqueueAsync(EmailParts.Request("k1", "ana@example.org"), EmailParts.Request("k2", "ben@example.org"));

        Assert.Equal(EnqueueOutcome.Queued, first[0].Outcome);
        Assert.Equal([EnqueueOutcome.AlreadyQueued, EnqueueOutcome.Queued], second.Select(r => r.Outcome));
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("select count(*) from outbox_message"));
    }

    [Fact]
    public async Task Enqueue_SeveralChunks_WritesEachMessageOnceWithItsUnsubscribeToken()
    {
        await parts.SuppressAsync("person7@example.org", "unsubscribed");
        await parts.EnqueueAsync(EmailParts.Request("c0", "person0@example.org"));
        var requests = Enumerable.Range(0, 2500).Select(i => EmailParts.Request($"c{i}", $"person{i}@example.org")).ToArray();

        var results = await parts.EnqueueAsync(requests);

        Assert.Equal(requests.Select(r => r.IdempotencyKey), results.Select(r => r.IdempotencyKey));
        Assert.Equal(EnqueueOutcome.AlreadyQueued, results[0].Outcome);
        Assert.Equal(EnqueueOutcome.Suppressed, results[7].Outcome);
        Assert.Equal(2498, results.Count(r => r.Outcome == EnqueueOutcome.Queued));
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(2500, await db.ExecuteScalarAsync<int>("select count(*) from outbox_message"));
        // One token per bulk message that may go out (none for the suppressed one), bound to its message and address.
        Assert.Equal(2499, await db.ExecuteScalarAsync<int>("select count(*) from unsubscribe_token"));
        Assert.Equal(2499, await db.ExecuteScalarAsync<int>(
            "select count(distinct t.outbox_message_id) from unsubscribe_token t join outbox_message o on o.id = t.outbox_message_id and o.recipient_hash = t.email_hash where o.status = 'pending'"));
        var unsubscribe = await db.ExecuteScalarAsync<string>("select headers->>'List-Unsubscribe' from outbox_message where idempotency_key = 'c2400'");
        var token = unsubscribe!.Split("/unsubscribe/")[1].TrimEnd('>');
        Assert.Equal("c2400", await db.ExecuteScalarAsync<string>(
            "select o.idempotency_key from unsubscribe_token t join outbox_message o on o.id = t.outbox_message_id where t.token_hash = @hash",
            new { hash = UnsubscribeTokens.Hash(Uri.UnescapeDataString(token)) }));
    }

    [Fact]
    public async Task Enqueue_RenderingFailsInALaterChunk_ThrowsAndTheTransactionKeepsNothing()
    {
        var requests = Enumerable.Range(0, 1500)
            .Select(i => i == 1400
                ? EmailParts.Request($"f{i}", $"person{i}@example.org") with { Render = (_, _) => throw new TemplateRenderException("line 1, column 1: broken") }
                : EmailParts.Request($"f{i}", $"person{i}@example.org"))
            .ToArray();

        await using (var db = await database.DataSource.OpenConnectionAsync())
        await using (var tx = await db.BeginTransactionAsync())
        {
            var error = await Assert.ThrowsAsync<AggregateException>(() => parts.Outbox.EnqueueManyAsync(db, tx, requests, CancellationToken.None));
            Assert.IsType<TemplateRenderException>(Assert.Single(error.InnerExceptions));
        }

        await using var check = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await check.ExecuteScalarAsync<int>("select count(*) from outbox_message"));
    }

    [Fact]
    public async Task Enqueue_InARolledBackTransaction_LeavesNothing()
    {
        await using (var db = await database.DataSource.OpenConnectionAsync())
        await using (var tx = await db.BeginTransactionAsync())
        {
            await parts.Outbox.EnqueueAsync(db, tx, EmailParts.Request("k1", "ana@example.org"), CancellationToken.None);
            await tx.RollbackAsync();
        }

        await using var check = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await check.ExecuteScalarAsync<int>("select count(*) from outbox_message"));
    }

    [Fact]
    public async Task Deliver_Batch_ReachesTheServerWithMessageIdAndOneClickUnsubscribe()
    {
        var addresses = Enumerable.Range(1, 120).Select(i => $"person{i}@example.org").ToList();
        await parts.EnqueueAsync(addresses.Select((a, i) => EmailParts.Request($"b{i}", a)).ToArray());

        var report = await parts.Delivery.RunAsync(CancellationToken.None);

        Assert.Equal(120, report.Sent);
        Assert.Equal(addresses.Order(), smtp.Received.Select(m => m.To.Mailboxes.Single().Address).Order());
        var stored = await parts.MessageAsync("b0");
        Assert.Equal("sent", stored.Status);
        Assert.NotNull(stored.SentAt);
        Assert.NotNull(stored.SmtpReply);
        var received = smtp.Received.Single(m => m.To.Mailboxes.Single().Address == "person1@example.org");
        Assert.Equal("Test email from Child10 Advocacy", received.Subject);
        Assert.Equal(stored.MessageId, received.MessageId);
        Assert.Equal("advocacy@child10.example", received.From.Mailboxes.Single().Address);
        Assert.Matches(@"^<https://advocacy\.child10\.example/unsubscribe/[A-Za-z0-9_-]{22}>$", received.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", received.Headers["List-Unsubscribe-Post"]);
        Assert.Contains("Ana &lt;b&gt;", received.HtmlBody, StringComparison.Ordinal);
        Assert.Contains("Ana <b>", received.TextBody, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deliver_Batch_KeepsNoSentMessageReachableFromTheConfiguredSender()
    {
        // An address list subscribes to its addresses' Changed event. A message built on the one configured sender
        // address would stay reachable from it for the life of the app: every briefing's messages, forever.
        var changed = typeof(InternetAddress).GetField("Changed", BindingFlags.Instance | BindingFlags.NonPublic)!;
        Assert.Null(changed.GetValue(parts.Settings.From));
        await parts.EnqueueAsync(Enumerable.Range(1, 30).Select(i => EmailParts.Request($"r{i}", $"person{i}@example.org")).ToArray());

        var report = await parts.Delivery.RunAsync(CancellationToken.None);

        Assert.Equal(30, report.Sent);
        Assert.Equal(30, smtp.Received.Count(m => m.From.Mailboxes.Single().Address == parts.Settings.From.Address));
        Assert.Null(changed.GetValue(parts.Settings.From));
    }

    [Fact]
    public async Task Deliver_TransactionalMail_CarriesNoUnsubscribeHeader()
    {
        await parts.EnqueueAsync(EmailParts.Request("t1", "ana@example.org", MailCategory.Transactional));

        await parts.Delivery.RunAsync(CancellationToken.None);

        var received = Assert.Single(smtp.Received);
        Assert.Null(received.Headers["List-Unsubscribe"]);
    }

    [Theory]
    [InlineData(SmtpBehaviour.TemporaryFailure)]
    [InlineData(SmtpBehaviour.DropConnection)]
    public async Task Deliver_OnTemporaryFailureOrDroppedConnection_RetriesLaterThenDelivers(SmtpBehaviour trouble)
    {
        await parts.EnqueueAsync(EmailParts.Request("r1", "ana@example.org"));
        smtp.Behaviour = trouble;

        var first = await parts.Delivery.RunAsync(CancellationToken.None);

        Assert.Equal(1, first.Retried);
        var waiting = await parts.MessageAsync("r1");
        Assert.Equal("pending", waiting.Status);
        Assert.Equal(1, waiting.Attempts);
        Assert.NotNull(waiting.LastError);
        Assert.True(waiting.NextAttemptAt > DateTime.UtcNow.AddSeconds(20), $"next attempt at {waiting.NextAttemptAt:O} is not backed off");
        Assert.Empty(smtp.Received);

        // Not due yet: a run now sends nothing.
        smtp.Behaviour = SmtpBehaviour.Accept;
        Assert.Equal(0, (await parts.Delivery.RunAsync(CancellationToken.None)).Sent);

        await parts.SkipBackoffAsync();
        var second = await parts.Delivery.RunAsync(CancellationToken.None);

        Assert.Equal(1, second.Sent);
        Assert.Single(smtp.Received);
        var sent = await parts.MessageAsync("r1");
        Assert.Equal("sent", sent.Status);
        Assert.Equal(2, sent.Attempts);
    }

    [Fact]
    public async Task Deliver_OnRepeatedTemporaryFailures_BacksOffExponentially()
    {
        await parts.EnqueueAsync(EmailParts.Request("r1", "ana@example.org"));
        smtp.Behaviour = SmtpBehaviour.TemporaryFailure;
        var delays = new List<double>();

        for (var i = 0; i < 3; i++)
        {
            await parts.Delivery.RunAsync(CancellationToken.None);
            delays.Add((( await parts.MessageAsync("r1")).NextAttemptAt - DateTime.UtcNow).TotalSeconds);
            await parts.SkipBackoffAsync();
        }

        Assert.True(delays[1] > delays[0] * 1.3 && delays[2] > delays[1] * 1.3, string.Join(", ", delays));
    }

    [Fact]
    public async Task Deliver_OnPermanentFailure_MarksFailedWithoutSuppressing()
    {
        await parts.EnqueueAsync(EmailParts.Request("f1", "ana@example.org"));
        smtp.Behaviour = SmtpBehaviour.PermanentFailure;

        var report = await parts.Delivery.RunAsync(CancellationToken.None);

        Assert.Equal(1, report.Failed);
        var failed = await parts.MessageAsync("f1");
        Assert.Equal("failed", failed.Status);
        Assert.StartsWith("554", failed.SmtpReply, StringComparison.Ordinal);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from suppression"));
    }

    [Fact]
    public async Task Deliver_ToUnknownRecipient_FailsAndSuppressesAsHardBounce()
    {
        smtp.UnknownRecipients["gone@example.org"] = true;
        await parts.EnqueueAsync(EmailParts.Request("h1", "gone@example.org"), EmailParts.Request("h2", "ana@example.org"));

        var report = await parts.Delivery.RunAsync(CancellationToken.None);

        Assert.Equal(1, report.Failed);
        Assert.Equal(1, report.Sent);
        Assert.Equal("failed", (await parts.MessageAsync("h1")).Status);
        Assert.StartsWith("550", (await parts.MessageAsync("h1")).SmtpReply, StringComparison.Ordinal);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal("hard_bounce", await db.ExecuteScalarAsync<string>(
            "select reason from suppression where email_hash = @hash", new { hash = Rules.EmailHash("gone@example.org") }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'suppression.hard_bounce' and actor_label = 'system:delivery'"));
    }

    [Fact]
    public async Task Deliver_MessageLeftSendingByADeadWorker_IsDeliveredOnceItsLeaseExpires()
    {
        await parts.EnqueueAsync(EmailParts.Request("l1", "ana@example.org"));
        await using var db = await database.DataSource.OpenConnectionAsync();
        // A worker claimed it and died: still leased, so the next run leaves it alone ...
        await db.ExecuteAsync("update outbox_message set status = 'sending', attempts = 1, lease_until = now() + interval '5 minutes'");
        Assert.Equal(0, (await parts.Delivery.RunAsync(CancellationToken.None)).Sent);

        // ... until the lease runs out.
        await db.ExecuteAsync("update outbox_message set lease_until = now() - interval '1 second'");
        var report = await parts.Delivery.RunAsync(CancellationToken.None);

        Assert.Equal(1, report.Sent);
        Assert.Single(smtp.Received);
        Assert.Equal("sent", (await parts.MessageAsync("l1")).Status);
    }

    [Fact]
    public async Task Deliver_AddressSuppressedAfterQueueing_IsNotSent()
    {
        await parts.EnqueueAsync(EmailParts.Request("s1", "ana@example.org"), EmailParts.Request("s2", "ben@example.org"));
        await parts.SuppressAsync("Ana@Example.org", "unsubscribed");

        var report = await parts.Delivery.RunAsync(CancellationToken.None);

        Assert.Equal(1, report.Suppressed);
        Assert.Equal(1, report.Sent);
        Assert.Equal("suppressed", (await parts.MessageAsync("s1")).Status);
        Assert.Equal("ben@example.org", Assert.Single(smtp.Received).To.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task Enqueue_BulkToUnsubscribedAddress_IsStoredAsSuppressed()
    {
        await parts.SuppressAsync("ana@example.org", "unsubscribed");

        var result = await parts.EnqueueAsync(EmailParts.Request("u1", "ana@example.org"));

        Assert.Equal(EnqueueOutcome.Suppressed, result[0].Outcome);
        var stored = await parts.MessageAsync("u1");
        Assert.Equal("suppressed", stored.Status);
        Assert.Contains("unsubscribed", stored.LastError, StringComparison.Ordinal);
        await parts.Delivery.RunAsync(CancellationToken.None);
        Assert.Empty(smtp.Received);
    }

    [Fact]
    public async Task TransactionalMail_GoesToAnUnsubscribedAddress_ButNotToAnErasedOne()
    {
        await parts.SuppressAsync("unsubscribed@example.org", "unsubscribed");
        await parts.SuppressAsync("erased@example.org", "erased");
        await parts.SuppressAsync("later-erased@example.org", "unsubscribed");

        var results = await parts.EnqueueAsync(
            EmailParts.Request("t1", "unsubscribed@example.org", MailCategory.Transactional),
            EmailParts.Request("t2", "erased@example.org", MailCategory.Transactional),
            EmailParts.Request("t3", "later-erased@example.org", MailCategory.Transactional));
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("update suppression set reason = 'erased' where email_hash = @hash", new { hash = Rules.EmailHash("later-erased@example.org") });
        }
        await parts.Delivery.RunAsync(CancellationToken.None);

        Assert.Equal([EnqueueOutcome.Queued, EnqueueOutcome.Suppressed, EnqueueOutcome.Queued], results.Select(r => r.Outcome));
        Assert.Equal("unsubscribed@example.org", Assert.Single(smtp.Received).To.Mailboxes.Single().Address);
        Assert.Equal("suppressed", (await parts.MessageAsync("t3")).Status);
    }

    [Fact]
    public async Task Enqueue_ForAPersonMarkedDoNotContact_IsSuppressedEvenWhenTransactional()
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var organisationId = await db.ExecuteScalarAsync<long>("insert into organisation (name, kind) values ('Ministry', 'government') returning id");
        var personId = await db.ExecuteScalarAsync<long>(
            "insert into person (full_name, email, organisation_id, do_not_contact) values ('Ana', 'ana@example.org', @organisationId, true) returning id", new { organisationId });

        var result = await parts.EnqueueAsync(EmailParts.Request("d1", "ana@example.org", MailCategory.Transactional, personId));

        Assert.Equal(EnqueueOutcome.Suppressed, result[0].Outcome);
    }
}
