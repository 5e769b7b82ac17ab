using System.Globalization;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using MailKit;
using MailKit.Net.Smtp;
using MimeKit;
using Npgsql;
using NpgsqlTypes;

namespace Child10.Advocacy.Web.Email;

/// <summary>What one delivery run did.</summary>
public sealed record DeliveryReport(int Sent, int Retried, int Failed, int Suppressed);

/// <summary>
/// Delivers the outbox: claims due messages in batches (FOR UPDATE SKIP LOCKED, with a lease), sends them through
/// a pool of persistent SMTP connections, and records the outcomes in one statement per batch. 4xx replies and
/// connection errors retry with exponential backoff; 5xx fails (and a rejected recipient is suppressed as a hard
/// bounce). A message whose lease expired (a worker died mid-batch) goes back to pending.
/// </summary>
public sealed class OutboxDelivery(NpgsqlDataSource dataSource, EmailSettings settings, ILogger<OutboxDelivery> logger) : IAsyncDisposable
{
    private const string RecoverSql = """
        update outbox_message set status = 'pending', lease_until = null
        where status = 'sending' and lease_until < now()
        """;

    // Suppression and the person's flags are read in the claiming statement's snapshot, so a message is checked
    // against them as they are when it is taken for sending.
    private const string ClaimSql = """
        with due as (
            select id from outbox_message
            where status = 'pending' and next_attempt_at <= now()
            order by id
            limit @batchSize
            for update skip locked
        ), claimed as (
            update outbox_message m
            set status = 'sending', lease_until = now() + make_interval(secs => @leaseSeconds), attempts = m.attempts + 1
            from due
            where m.id = due.id
            returning m.id, m.category, m.recipient_address, m.recipient_name, m.recipient_hash, m.person_id, m.subject, m.html_body,
                      m.text_body, m.headers, m.message_id, m.attempts, m.attachment_ids
        )
        select c.id, c.category, c.recipient_address, c.recipient_name, c.recipient_hash, c.subject, c.html_body, c.text_body,
               c.headers::text as headers, c.message_id, c.attempts, array_to_string(c.attachment_ids, ',') as attachment_ids,
               s.reason as suppression_reason, coalesce(p.do_not_contact, false) as do_not_contact, p.erased_at is not null as erased
        from claimed c
        left join suppression s on s.email_hash = c.recipient_hash
        left join person p on p.id = c.person_id
        order by c.id
        """;

    // Claimed messages that were never attempted (the run stopped): back to pending, the attempt not counted. Only
    // while the lease holds: once it has expired another worker may have taken them.
    private const string ReleaseSql = """
        update outbox_message set status = 'pending', lease_until = null, attempts = attempts - 1
        where id = any(@ids) and status = 'sending' and lease_until > now()
        """;

    private const string MarkSql = """
        update outbox_message m
        set status = r.status,
            sent_at = case when r.status = 'sent' then now() else m.sent_at end,
            smtp_reply = coalesce(r.reply, m.smtp_reply),
            last_error = r.error,
            next_attempt_at = case when r.status = 'pending' then now() + make_interval(secs => r.delay) else m.next_attempt_at end,
            lease_until = null
        from unnest(@ids, @statuses, @replies, @errors, @delays) as r(id, status, reply, error, delay)
        where m.id = r.id and m.status = 'sending'
        """;

    private const string BounceSql = """
        insert into suppression (email_hash, reason)
        select distinct h, 'hard_bounce' from unnest(@hashes) as h
        on conflict (email_hash) do update set reason = 'hard_bounce' where suppression.reason = 'unsubscribed'
        """;

    private readonly MailAttachments.Cache attachments = new();
    private readonly SemaphoreSlim running = new(1, 1);
    private readonly SmtpLane[] lanes = Enumerable.Range(0, settings.PoolSize).Select(_ => new SmtpLane(settings)).ToArray();
    private readonly RateLimiter? rateLimiter = settings.MessagesPerSecond > 0
        ? new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, settings.MessagesPerSecond / 10),
            TokensPerPeriod = Math.Max(1, settings.MessagesPerSecond / 10),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(Math.Max(1, settings.MessagesPerSecond / 10) * 1000.0 / settings.MessagesPerSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        })
        : null;
    private int requested;

    /// <summary>
    /// Delivers until nothing is due. Safe to call from several places at once (the recurring job, the trigger
    /// after queueing, other instances): in one process a call made while a run is going makes that run go round again.
    /// </summary>
    public async Task<DeliveryReport> RunAsync(CancellationToken ct)
    {
        Interlocked.Exchange(ref requested, 1);
        var total = new DeliveryReport(0, 0, 0, 0);
        while (Volatile.Read(ref requested) == 1)
        {
            if (!await running.WaitAsync(0, ct))
            {
                return total;
            }
            try
            {
                while (Interlocked.Exchange(ref requested, 0) == 1)
                {
                    total = Add(total, await DeliverDueAsync(ct));
                }
            }
            finally
            {
                running.Release();
            }
        }
        return total;
    }

    private sealed record Claimed(
        long Id, string Category, string RecipientAddress, string? RecipientName, byte[] RecipientHash, string Subject, string HtmlBody,
        string TextBody, string Headers, string MessageId, int Attempts, string AttachmentIds, string? SuppressionReason, bool DoNotContact, bool Erased)
    {
        public long[] Attachments => AttachmentIds.Length == 0 ? [] : AttachmentIds.Split(',').Select(id => long.Parse(id, CultureInfo.InvariantCulture)).ToArray();
    }

    private sealed record Outcome(long Id, string Status, string? Reply, string? Error, double Delay, byte[]? BouncedHash);

    private async Task<List<Claimed>> ClaimAsync(CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var recovered = await db.ExecuteAsync(new CommandDefinition(RecoverSql, cancellationToken: ct));
        if (recovered > 0)
        {
            logger.LogWarning("Returned {Count} outbox message(s) with an expired lease to pending", recovered);
        }
        var args = new { batchSize = settings.BatchSize, leaseSeconds = settings.Lease.TotalSeconds };
        var claimed = (await db.QueryAsync<Claimed>(new CommandDefinition(ClaimSql, args, cancellationToken: ct))).ToList();
        await attachments.LoadAsync(db, claimed.SelectMany(m => m.Attachments), ct);
        return claimed;
    }

    /// <summary>
    /// Claims and sends batches until none is due. The steps overlap: the next batch is claimed while this one is
    /// sent, and this one's outcomes are recorded while the next one is sent. A message stays 'sending' (leased)
    /// until its outcome is recorded, so a worker that dies leaves no more than the batches it had claimed in
    /// flight. Under a rate limit sending is the bottleneck and a batch claimed ahead would only sit on its
    /// lease, so the next batch is claimed when this one has been sent.
    /// </summary>
    private async Task<DeliveryReport> DeliverDueAsync(CancellationToken ct)
    {
        var total = new DeliveryReport(0, 0, 0, 0);
        Task<DeliveryReport> recording = Task.FromResult(total);
        Task<List<Claimed>>? next = null;
        try
        {
            var batch = await ClaimAsync(ct);
            while (batch.Count > 0)
            {
                next = rateLimiter is null ? ClaimAsync(ct) : null;
                var outcomes = await SendAsync(batch, ct);
                try
                {
                    total = Add(total, await recording);
                }
                finally
                {
                    // One batch is recorded at a time; this one is recorded even when the previous one failed to be.
                    recording = MarkAsync(outcomes);
                }
                batch = await (next ?? ClaimAsync(ct));
                next = null;
            }
        }
        finally
        {
            // Outcomes of mail that has gone are recorded whatever happened since; a batch claimed ahead and never
            // sent goes straight back to pending instead of waiting for its lease to expire.
            try
            {
                total = Add(total, await recording);
            }
            finally
            {
                if (next is not null)
                {
                    await ReleaseAsync(next);
                }
            }
        }
        return total;
    }

    private static DeliveryReport Add(DeliveryReport a, DeliveryReport b) =>
        new(a.Sent + b.Sent, a.Retried + b.Retried, a.Failed + b.Failed, a.Suppressed + b.Suppressed);

    private async Task<List<Outcome>> SendAsync(List<Claimed> batch, CancellationToken ct)
    {
        var outcomes = new List<Outcome>(batch.Count);
        var queue = Channel.CreateUnbounded<Claimed>();
        foreach (var message in batch)
        {
            var reason = Outbox.BlockReason(Outbox.ParseCategory(message.Category), message.SuppressionReason, message.DoNotContact, message.Erased);
            if (reason is null)
            {
                queue.Writer.TryWrite(message);
            }
            else
            {
                outcomes.Add(new Outcome(message.Id, "suppressed", null, $"Not sent: the address was suppressed before sending ({reason.Replace('_', ' ')}).", 0, null));
            }
        }
        queue.Writer.Complete();

        var perLane = await Task.WhenAll(lanes.Select(lane => SendLaneAsync(lane, queue.Reader, ct)));
        outcomes.AddRange(perLane.SelectMany(o => o));
        return outcomes;
    }

    private async Task ReleaseAsync(Task<List<Claimed>> claim)
    {
        try
        {
            var ids = (await claim).Select(m => m.Id).ToArray();
            if (ids.Length > 0)
            {
                await using var db = await dataSource.OpenConnectionAsync(CancellationToken.None);
                await db.ExecuteAsync(new CommandDefinition(ReleaseSql, new { ids }, cancellationToken: CancellationToken.None));
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or NpgsqlException or IOException or TimeoutException or InvalidOperationException)
        {
            // The claim itself failed (its error is the run's), or the database is away: the lease brings the messages back.
            logger.LogDebug(ex, "Outbox messages claimed ahead were left to their lease");
        }
    }

    private async Task<List<Outcome>> SendLaneAsync(SmtpLane lane, ChannelReader<Claimed> queue, CancellationToken ct)
    {
        var outcomes = new List<Outcome>();
        string? laneBroken = null;
        while (queue.TryRead(out var message))
        {
            if (laneBroken is not null)
            {
                // The server could not be reached a moment ago: the rest of this lane waits for the next attempt.
                outcomes.Add(Retry(message, laneBroken, null));
                continue;
            }
            if (rateLimiter is not null)
            {
                using var lease = await rateLimiter.AcquireAsync(1, ct);
            }
            try
            {
                await lane.EnsureConnectedAsync(ct);
            }
            catch (Exception ex) when (ex is IOException or SocketException or SmtpProtocolException or SmtpCommandException or AuthenticationException or TimeoutException or ServiceNotConnectedException)
            {
                laneBroken = $"Could not connect to the SMTP server: {ex.Message}";
                logger.LogWarning("SMTP connection to {Host}:{Port} failed: {Error}", settings.SmtpHost, settings.SmtpPort, ex.Message);
                await lane.ResetAsync();
                outcomes.Add(Retry(message, laneBroken, null));
                continue;
            }
            try
            {
                var reply = await lane.Client.SendAsync(Build(message), ct);
                outcomes.Add(new Outcome(message.Id, "sent", reply, null, 0, null));
            }
            catch (SmtpCommandException ex) when ((int)ex.StatusCode is >= 400 and < 500)
            {
                outcomes.Add(Retry(message, $"Temporary refusal: {ex.Message}", Reply(ex)));
            }
            catch (SmtpCommandException ex)
            {
                var noSuchUser = ex.ErrorCode == SmtpErrorCode.RecipientNotAccepted && (int)ex.StatusCode is 550 or 551 or 553;
                outcomes.Add(new Outcome(message.Id, "failed", Reply(ex), $"Refused: {ex.Message}", 0, noSuchUser ? message.RecipientHash : null));
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // A dropped connection, a timeout, a protocol error: the message may not have arrived, so it goes again.
                outcomes.Add(Retry(message, $"Connection problem: {ex.Message}", null));
                await lane.ResetAsync();
            }
        }
        return outcomes;
    }

    private Outcome Retry(Claimed message, string error, string? reply)
    {
        if (message.Attempts >= settings.MaxAttempts)
        {
            return new Outcome(message.Id, "failed", reply, $"Gave up after {message.Attempts} attempts. Last error: {error}", 0, null);
        }
        var backoff = Math.Min(settings.RetryBase.TotalSeconds * Math.Pow(2, message.Attempts - 1), TimeSpan.FromHours(6).TotalSeconds);
        var jitter = 0.8 + (Random.Shared.NextDouble() * 0.4);
        return new Outcome(message.Id, "pending", reply, error, backoff * jitter, null);
    }

    private static string Reply(SmtpCommandException ex) =>
        string.Create(CultureInfo.InvariantCulture, $"{(int)ex.StatusCode} {ex.Message}");

    private MimeMessage Build(Claimed message)
    {
        var mime = new MimeMessage { Subject = message.Subject, MessageId = message.MessageId, Date = DateTimeOffset.UtcNow };
        // A copy of the sender: an address list subscribes to its addresses' Changed event, so adding the one shared
        // settings.From to every message would keep every message ever sent reachable from it.
        mime.From.Add(new MailboxAddress(settings.From.Name, settings.From.Address));
        mime.To.Add(new MailboxAddress(message.RecipientName ?? "", message.RecipientAddress));
        foreach (var (name, value) in JsonSerializer.Deserialize<Dictionary<string, string>>(message.Headers) ?? [])
        {
            mime.Headers.Add(name, value);
        }
        var body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody };
        foreach (var id in message.Attachments)
        {
            var file = attachments.Get(id);
            body.Attachments.Add(file.FileName, file.Content, ContentType.Parse(file.ContentType));
        }
        mime.Body = body.ToMessageBody();
        return mime;
    }

    private async Task<DeliveryReport> MarkAsync(List<Outcome> outcomes)
    {
        // Outcomes are recorded even when the run is being cancelled: the mail has gone.
        await using var db = await dataSource.OpenConnectionAsync(CancellationToken.None);
        await using var tx = await db.BeginTransactionAsync(CancellationToken.None);
        await using (var mark = new NpgsqlCommand(MarkSql, db, tx))
        {
            mark.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = outcomes.Select(o => o.Id).ToArray() });
            mark.Parameters.Add(new NpgsqlParameter("statuses", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = outcomes.Select(o => o.Status).ToArray() });
            mark.Parameters.Add(new NpgsqlParameter("replies", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = outcomes.Select(o => o.Reply).ToArray() });
            mark.Parameters.Add(new NpgsqlParameter("errors", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = outcomes.Select(o => o.Error).ToArray() });
            mark.Parameters.Add(new NpgsqlParameter("delays", NpgsqlDbType.Array | NpgsqlDbType.Double) { Value = outcomes.Select(o => o.Delay).ToArray() });
            await mark.ExecuteNonQueryAsync(CancellationToken.None);
        }
        var bounces = outcomes.Where(o => o.BouncedHash is not null).ToList();
        if (bounces.Count > 0)
        {
            await using (var bounce = new NpgsqlCommand(BounceSql, db, tx))
            {
                bounce.Parameters.Add(new NpgsqlParameter("hashes", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = bounces.Select(o => o.BouncedHash!).ToArray() });
                await bounce.ExecuteNonQueryAsync(CancellationToken.None);
            }
            foreach (var outcome in bounces)
            {
                await db.RecordAsync(tx, Actor.System("delivery"), "suppression.hard_bounce", "outbox_message", outcome.Id, new { reply = outcome.Reply }, CancellationToken.None);
            }
        }
        await tx.CommitAsync(CancellationToken.None);
        return new DeliveryReport(
            outcomes.Count(o => o.Status == "sent"),
            outcomes.Count(o => o.Status == "pending"),
            outcomes.Count(o => o.Status == "failed"),
            outcomes.Count(o => o.Status == "suppressed"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var lane in lanes)
        {
            await lane.ResetAsync();
        }
        rateLimiter?.Dispose();
        running.Dispose();
    }

    /// <summary>One persistent SMTP connection, reconnected when it was dropped or sat idle too long.</summary>
    private sealed class SmtpLane(EmailSettings settings)
    {
        private static readonly TimeSpan IdleCheck = TimeSpan.FromSeconds(30);
        private DateTimeOffset lastUsed = DateTimeOffset.MinValue;

        public SmtpClient Client { get; private set; } = new() { Timeout = 30_000 };

        public async Task EnsureConnectedAsync(CancellationToken ct)
        {
            if (Client.IsConnected && DateTimeOffset.UtcNow - lastUsed > IdleCheck)
            {
                try
                {
                    await Client.NoOpAsync(ct);
                }
                catch (Exception ex) when (ex is IOException or SmtpProtocolException or SmtpCommandException or ServiceNotConnectedException)
                {
                    await ResetAsync();
                }
            }
            if (!Client.IsConnected)
            {
                await SmtpConnection.ConnectAsync(Client, settings.SmtpHost ?? throw new InvalidOperationException("Email:Smtp:Host is not set."), settings.SmtpPort, settings.SmtpSecurity, ct);
                if (settings.SmtpUsername is not null)
                {
                    await Client.AuthenticateAsync(settings.SmtpUsername, settings.SmtpPassword ?? "", ct);
                }
            }
            lastUsed = DateTimeOffset.UtcNow;
        }

        public async Task ResetAsync()
        {
            var old = Client;
            Client = new SmtpClient { Timeout = 30_000 };
            try
            {
                if (old.IsConnected)
                {
                    using var quick = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await old.DisconnectAsync(true, quick.Token);
                }
            }
            catch (Exception ex) when (ex is IOException or SmtpProtocolException or SmtpCommandException or OperationCanceledException or ServiceNotConnectedException)
            {
                // The connection is being thrown away; how it ends does not matter.
            }
            finally
            {
                old.Dispose();
            }
        }
    }
}
