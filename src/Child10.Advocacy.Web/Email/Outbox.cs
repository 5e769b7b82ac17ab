using System.Security.Cryptography;
using System.Text.Json;
using Child10.Advocacy.Web.Features.Stakeholders;
using MimeKit;
using MimeKit.Utils;
using Npgsql;
using NpgsqlTypes;

namespace Child10.Advocacy.Web.Email;

/// <summary>Transactional mail (sign-off requests, reminders) ignores a briefing unsubscribe; bulk mail (briefings) does not.</summary>
public enum MailCategory
{
    Transactional,
    Bulk,
}

/// <summary>One email to queue: the key makes queueing it twice a no-op (e.g. "signoff:round-12:signatory-40:request").</summary>
public sealed record MailRequest(
    string IdempotencyKey,
    MailCategory Category,
    string Purpose,
    string Template,
    string? Language,
    string ToAddress,
    string? ToName,
    long? PersonId,
    object Model)
{
    /// <summary>Where replies go (e.g. the campaign lead), as "Name &lt;address&gt;" or a bare address.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>Files from mail_attachment (see MailAttachments.StoreAsync) to attach.</summary>
    public IReadOnlyList<long> AttachmentIds { get; init; } = [];

    /// <summary>
    /// Renders the message instead of Template and Model (e.g. an inline template parsed once for a whole run):
    /// receives the unsubscribe URL (null when the message gets none), runs in parallel with the other messages.
    /// </summary>
    public Func<string?, CancellationToken, RenderedEmail>? Render { get; init; }
}

public enum EnqueueOutcome
{
    Queued,
    Suppressed,
    AlreadyQueued,
}

public sealed record EnqueueResult(string IdempotencyKey, long? MessageId, EnqueueOutcome Outcome);

/// <summary>
/// Queues rendered messages inside the caller's transaction, so the business change and its mail commit together.
/// Suppressed addresses are stored as 'suppressed' (the mail log shows why); the worker checks again at send time.
/// </summary>
public sealed class Outbox(EmailTemplates templates, EmailSettings settings)
{
    public const string Channel = "outbox_message";
    private const int ChunkSize = 1000;

    private const string ExistingSql = "select idempotency_key from outbox_message where idempotency_key = any(@keys)";

    private const string BlocksSql = """
        select 'hash' as kind, encode(email_hash, 'hex') as id, reason, false as do_not_contact, false as erased
        from suppression where email_hash = any(@hashes)
        union all
        select 'person', id::text, null, do_not_contact, erased_at is not null
        from person where id = any(@personIds)
        """;

    // One statement per chunk writes the messages and the unsubscribe tokens of those actually inserted (a key
    // already queued inserts neither).
    private const string InsertSql = """
        with inserted as (
            insert into outbox_message (idempotency_key, category, purpose, recipient_address, recipient_name, recipient_hash, person_id,
                                        subject, html_body, text_body, headers, message_id, status, last_error, attachment_ids)
            select u.idempotency_key, u.category, u.purpose, u.recipient_address, u.recipient_name, u.recipient_hash, u.person_id,
                   u.subject, u.html_body, u.text_body, cast(u.headers as jsonb), u.message_id, u.status, u.last_error,
                   cast(u.attachments as bigint[])
            from unnest(@keys, @categories, @purposes, @addresses, @names, @hashes, @personIds,
                        @subjects, @htmls, @texts, @headers, @messageIds, @statuses, @errors, @attachments)
                 as u(idempotency_key, category, purpose, recipient_address, recipient_name, recipient_hash, person_id,
                      subject, html_body, text_body, headers, message_id, status, last_error, attachments)
            on conflict (idempotency_key) do nothing
            returning id, idempotency_key, recipient_hash, person_id
        ), tokens as (
            insert into unsubscribe_token (token_hash, email_hash, person_id, outbox_message_id)
            select t.token_hash, i.recipient_hash, i.person_id, i.id
            from unnest(@tokenKeys, @tokenHashes) as t(idempotency_key, token_hash)
            join inserted i on i.idempotency_key = t.idempotency_key
        )
        select id, idempotency_key from inserted
        """;

    public async Task<EnqueueResult> EnqueueAsync(NpgsqlConnection db, NpgsqlTransaction tx, MailRequest request, CancellationToken ct) =>
        (await EnqueueManyAsync(db, tx, [request], ct))[0];

    /// <summary>Queues many messages in a few round trips; each chunk is rendered (in parallel) before it is written.</summary>
    public Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(NpgsqlConnection db, NpgsqlTransaction tx, IReadOnlyList<MailRequest> requests, CancellationToken ct) =>
        EnqueueManyAsync(db, tx, requests, null, ct);

    /// <summary>
    /// As <see cref="EnqueueManyAsync(NpgsqlConnection, NpgsqlTransaction, IReadOnlyList{MailRequest}, CancellationToken)"/>;
    /// written is called in the transaction after each chunk is written, with the messages it inserted (e.g. to link
    /// them to what caused them), while the next chunk is being rendered.
    /// </summary>
    public async Task<IReadOnlyList<EnqueueResult>> EnqueueManyAsync(
        NpgsqlConnection db, NpgsqlTransaction tx, IReadOnlyList<MailRequest> requests, Func<IReadOnlyList<(MailRequest Request, long MessageId)>, CancellationToken, Task>? written,
        CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(tx);
        var replyTos = new HashSet<string>(StringComparer.Ordinal);
        foreach (var request in requests)
        {
            // A run's messages share one Reply-To: it is parsed once.
            if (request.ReplyTo is { Length: > 0 } replyTo && !replyTos.Contains(replyTo))
            {
                if (!MailboxAddress.TryParse(replyTo, out _))
                {
                    throw new ArgumentException($"'{replyTo}' is not a Reply-To address (message {request.IdempotencyKey}).", nameof(requests));
                }
                replyTos.Add(replyTo);
            }
            if (!MailboxAddress.TryParse(request.ToAddress, out _) || !request.ToAddress.Contains('@', StringComparison.Ordinal))
            {
                throw new ArgumentException($"'{request.ToAddress}' is not an email address (message {request.IdempotencyKey}).", nameof(requests));
            }
        }

        var results = new Dictionary<string, EnqueueResult>(StringComparer.Ordinal);
        var keys = requests.Select(r => r.IdempotencyKey).Distinct(StringComparer.Ordinal).ToArray();
        await using (var existing = new NpgsqlCommand(ExistingSql, db, tx))
        {
            existing.Parameters.Add(new NpgsqlParameter<string[]>("keys", keys));
            await using var reader = await existing.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var key = reader.GetString(0);
                results[key] = new EnqueueResult(key, null, EnqueueOutcome.AlreadyQueued);
            }
        }

        var fresh = requests.Where(r => !results.ContainsKey(r.IdempotencyKey)).DistinctBy(r => r.IdempotencyKey, StringComparer.Ordinal).ToList();
        if (fresh.Count > 0)
        {
            var blocks = await BlocksAsync(db, tx, fresh, ct);
            await RenderAndInsertAsync(db, tx, fresh, blocks, results, written, ct);
            await using var notify = new NpgsqlCommand($"select pg_notify('{Channel}', '')", db, tx);
            await notify.ExecuteNonQueryAsync(ct);
        }
        return requests.Select(r => results[r.IdempotencyKey]).ToList();
    }

    /// <summary>Why an address must not get a message of this category now, or null. Used at queueing and at sending.</summary>
    public static string? BlockReason(MailCategory category, string? suppression, bool personDoNotContact, bool personErased) =>
        personErased ? "erased"
        : personDoNotContact ? "do_not_contact"
        : suppression switch
        {
            null => null,
            "unsubscribed" => category == MailCategory.Bulk ? suppression : null,
            _ => suppression,
        };

    public static string CategoryName(MailCategory category) => category == MailCategory.Bulk ? "bulk" : "transactional";

    public static MailCategory ParseCategory(string value) => value == "bulk" ? MailCategory.Bulk : MailCategory.Transactional;

    /// <summary>
    /// Renders in chunks on the thread pool (each chunk in parallel) and writes each chunk as soon as it is rendered,
    /// so the database writes one chunk while the next is being rendered. Nothing is written before its chunk has
    /// rendered completely; a rendering error stops the rest and surfaces here, inside the caller's transaction.
    /// </summary>
    private async Task RenderAndInsertAsync(
        NpgsqlConnection db, NpgsqlTransaction tx, List<MailRequest> fresh, Blocks blocks, Dictionary<string, EnqueueResult> results,
        Func<IReadOnlyList<(MailRequest Request, long MessageId)>, CancellationToken, Task>? written, CancellationToken ct)
    {
        var prepared = new Prepared[fresh.Count];
        var chunks = (fresh.Count + ChunkSize - 1) / ChunkSize;
        void Render(int chunk, CancellationToken token) =>
            Parallel.For(chunk * ChunkSize, Math.Min((chunk + 1) * ChunkSize, fresh.Count), new ParallelOptions { CancellationToken = token },
                i => prepared[i] = Prepare(fresh[i], blocks, token));
        async Task WriteAsync(Prepared[] chunk)
        {
            var inserted = await InsertAsync(db, tx, chunk, results, ct);
            if (written is not null && inserted.Count > 0)
            {
                await written(inserted, ct);
            }
        }
        if (chunks == 1)
        {
            Render(0, ct);
            await WriteAsync(prepared);
            return;
        }

        var rendered = Enumerable.Range(0, chunks).Select(_ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).ToArray();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var renderer = Task.Run(() =>
        {
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                try
                {
                    Render(chunk, stop.Token);
                    rendered[chunk].SetResult();
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested && !ct.IsCancellationRequested)
                {
                    // Writing failed: nobody waits for the rest.
                    return;
                }
                catch (Exception ex)
                {
                    foreach (var waiting in rendered.Skip(chunk))
                    {
                        waiting.TrySetException(ex);
                    }
                    return;
                }
            }
        }, CancellationToken.None);
        try
        {
            for (var chunk = 0; chunk < chunks; chunk++)
            {
                await rendered[chunk].Task;
                var start = chunk * ChunkSize;
                var length = Math.Min(ChunkSize, fresh.Count - start);
                await WriteAsync(prepared[start..(start + length)]);
                // A written chunk's bodies are not needed any more: a large run keeps one or two chunks in memory, not all.
                Array.Clear(prepared, start, length);
            }
        }
        finally
        {
            await stop.CancelAsync();
            await renderer;
        }
    }

    private sealed record Prepared(MailRequest Request, byte[] Hash, RenderedEmail Content, string Headers, string MessageId, string Status, string? Error, byte[]? TokenHash);

    private sealed record Blocks(Dictionary<string, string> Suppressions, Dictionary<long, (bool DoNotContact, bool Erased)> People);

    private Prepared Prepare(MailRequest request, Blocks blocks, CancellationToken ct)
    {
        var hash = Rules.EmailHash(request.ToAddress);
        var person = request.PersonId is { } id && blocks.People.TryGetValue(id, out var flags) ? flags : (false, false);
        var reason = BlockReason(request.Category, blocks.Suppressions.GetValueOrDefault(Convert.ToHexStringLower(hash)), person.Item1, person.Item2);

        string? token = null;
        string? unsubscribeUrl = null;
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.ReplyTo is { Length: > 0 } replyTo)
        {
            headers["Reply-To"] = replyTo;
        }
        if (request.Category == MailCategory.Bulk && reason is null)
        {
            token = UnsubscribeTokens.NewToken();
            unsubscribeUrl = UnsubscribeTokens.Url(settings.PublicBaseUrl, token);
            headers["List-Unsubscribe"] = $"<{unsubscribeUrl}>";
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
        }
        var content = request.Render is { } render
            ? render(unsubscribeUrl, ct)
            : templates.Render(request.Template, request.Language, request.Model, unsubscribeUrl, ct);
        return new Prepared(
            request,
            hash,
            content,
            JsonSerializer.Serialize(headers),
            MimeUtils.GenerateMessageId(settings.From.Domain),
            reason is null ? "pending" : "suppressed",
            reason is null ? null : $"Not sent: the address is suppressed ({reason.Replace('_', ' ')}).",
            token is null ? null : UnsubscribeTokens.Hash(token));
    }

    private static async Task<Blocks> BlocksAsync(NpgsqlConnection db, NpgsqlTransaction tx, List<MailRequest> requests, CancellationToken ct)
    {
        var blocks = new Blocks(new Dictionary<string, string>(StringComparer.Ordinal), []);
        await using var command = new NpgsqlCommand(BlocksSql, db, tx);
        command.Parameters.Add(new NpgsqlParameter<byte[][]>("hashes", requests.Select(r => Rules.EmailHash(r.ToAddress)).ToArray()));
        command.Parameters.Add(new NpgsqlParameter<long[]>("personIds", requests.Where(r => r.PersonId is not null).Select(r => r.PersonId!.Value).Distinct().ToArray()));
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (reader.GetString(0) == "hash")
            {
                blocks.Suppressions[reader.GetString(1)] = reader.GetString(2);
            }
            else
            {
                blocks.People[long.Parse(reader.GetString(1), System.Globalization.CultureInfo.InvariantCulture)] = (reader.GetBoolean(3), reader.GetBoolean(4));
            }
        }
        return blocks;
    }

    /// <summary>Writes one chunk; returns the messages it inserted (not those whose key was already queued).</summary>
    private static async Task<List<(MailRequest Request, long MessageId)>> InsertAsync(
        NpgsqlConnection db, NpgsqlTransaction tx, Prepared[] chunk, Dictionary<string, EnqueueResult> results, CancellationToken ct)
    {
        var inserted = new Dictionary<string, long>(StringComparer.Ordinal);
        var withTokens = chunk.Where(m => m.TokenHash is not null).ToList();
        await using (var insert = new NpgsqlCommand(InsertSql, db, tx))
        {
            var p = insert.Parameters;
            p.Add(Text("keys", chunk.Select(m => m.Request.IdempotencyKey)));
            p.Add(Text("categories", chunk.Select(m => CategoryName(m.Request.Category))));
            p.Add(Text("purposes", chunk.Select(m => m.Request.Purpose)));
            p.Add(Text("addresses", chunk.Select(m => m.Request.ToAddress.Trim())));
            p.Add(Text("names", chunk.Select(m => m.Request.ToName)));
            p.Add(new NpgsqlParameter("hashes", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = chunk.Select(m => m.Hash).ToArray() });
            p.Add(new NpgsqlParameter("personIds", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = chunk.Select(m => m.Request.PersonId).ToArray() });
            p.Add(Text("subjects", chunk.Select(m => m.Content.Subject)));
            p.Add(Text("htmls", chunk.Select(m => m.Content.Html)));
            p.Add(Text("texts", chunk.Select(m => m.Content.Text)));
            p.Add(Text("headers", chunk.Select(m => m.Headers)));
            p.Add(Text("messageIds", chunk.Select(m => m.MessageId)));
            p.Add(Text("statuses", chunk.Select(m => m.Status)));
            p.Add(Text("errors", chunk.Select(m => m.Error)));
            // unnest cannot take a two-dimensional ragged array, so each row's ids travel as a '{1,2}' literal.
            p.Add(Text("attachments", chunk.Select(m => "{" + string.Join(',', m.Request.AttachmentIds) + "}")));
            p.Add(Text("tokenKeys", withTokens.Select(m => m.Request.IdempotencyKey)));
            p.Add(new NpgsqlParameter("tokenHashes", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = withTokens.Select(m => m.TokenHash!).ToArray() });
            await using var reader = await insert.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                inserted[reader.GetString(1)] = reader.GetInt64(0);
            }
        }

        var written = new List<(MailRequest Request, long MessageId)>(inserted.Count);
        foreach (var message in chunk)
        {
            var key = message.Request.IdempotencyKey;
            if (inserted.TryGetValue(key, out var id))
            {
                results[key] = new EnqueueResult(key, id, message.Status == "pending" ? EnqueueOutcome.Queued : EnqueueOutcome.Suppressed);
                written.Add((message.Request, id));
            }
            else
            {
                results[key] = new EnqueueResult(key, null, EnqueueOutcome.AlreadyQueued);
            }
        }
        return written;
    }

    private static NpgsqlParameter Text(string name, IEnumerable<string?> values) =>
        new(name, NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = values.ToArray() };
}

/// <summary>Unsubscribe links: 128 random bits, base64url in the link, only the SHA-256 stored.</summary>
public static class UnsubscribeTokens
{
    public static string NewToken() => Base64Url(RandomNumberGenerator.GetBytes(16));

    public static byte[] Hash(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));

    public static string Url(Uri publicBaseUrl, string token) =>
        new Uri(publicBaseUrl, "/unsubscribe/" + Uri.EscapeDataString(token)).ToString();

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
