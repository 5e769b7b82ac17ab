using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Stakeholders;
using Dapper;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using MimeKit;

namespace Child10.Advocacy.Tests.Email;

/// <summary>The real email engine wired to the test database and a loopback SMTP server.</summary>
public sealed class EmailParts
{
    public EmailParts(TestDatabase database, LoopbackSmtpServer smtp)
    {
        Database = database;
        Settings = new EmailSettings(
            TemplatesPath: Path.Combine(Repository.Root, "email-templates"),
            From: new MailboxAddress("Child10 Advocacy", "advocacy@child10.example"),
            PublicBaseUrl: new Uri("https://advocacy.child10.example"),
            SmtpHost: "127.0.0.1",
            SmtpPort: smtp.Port,
            SmtpSecurity: SecureSocketOptions.None,
            SmtpUsername: null,
            SmtpPassword: null,
            PoolSize: 2,
            MessagesPerSecond: 0,
            BatchSize: 50,
            Lease: TimeSpan.FromMinutes(5),
            RetryBase: TimeSpan.FromSeconds(30),
            MaxAttempts: 5);
        Templates = EmailTemplates.Load(Settings.TemplatesPath);
        Outbox = new Outbox(Templates, Settings);
        Delivery = new OutboxDelivery(database.DataSource, Settings, NullLogger<OutboxDelivery>.Instance);
    }

    public TestDatabase Database { get; }

    public EmailSettings Settings { get; }

    public EmailTemplates Templates { get; }

    public Outbox Outbox { get; }

    public OutboxDelivery Delivery { get; }

    public static MailRequest Request(string key, string to, MailCategory category = MailCategory.Bulk, long? personId = null) =>
        new(key, category, "test", "test", "en", to, "Recipient " + key, personId, new { Name = "Ana <b>", SentBy = "Ben", MailLogUrl = "https://advocacy.child10.example/mail" });

    public async Task<IReadOnlyList<EnqueueResult>> EnqueueAsync(params MailRequest[] requests)
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        await using var tx = await db.BeginTransactionAsync();
        var results = await Outbox.EnqueueManyAsync(db, tx, requests, CancellationToken.None);
        await tx.CommitAsync();
        return results;
    }

    public async Task SuppressAsync(string address, string reason)
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync("insert into suppression (email_hash, reason) values (@hash, @reason)", new { hash = Rules.EmailHash(address), reason });
    }

    public sealed record MessageRow(long Id, string IdempotencyKey, string Status, int Attempts, DateTime NextAttemptAt, string? LastError, string? SmtpReply, string MessageId, string Headers, DateTime? SentAt);

    public async Task<MessageRow> MessageAsync(string key)
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        return await db.QuerySingleAsync<MessageRow>(
            """
            select id, idempotency_key, status, attempts, next_attempt_at, last_error, smtp_reply, message_id, headers::text as headers, sent_at
            from outbox_message where idempotency_key = @key
            """, new { key });
    }

    /// <summary>Makes retries due now, as if their backoff had passed.</summary>
    public async Task SkipBackoffAsync()
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync("update outbox_message set next_attempt_at = now() where status = 'pending'");
    }
}
