using System.Collections.Concurrent;
using System.Security.Cryptography;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Email;

/// <summary>A file attached to outgoing mail.</summary>
public sealed record MailAttachment(long Id, string FileName, string ContentType, byte[] Content);

/// <summary>
/// Files for outgoing mail, stored once (by content hash) and referenced by id from every message that
/// carries them, so a briefing to 10,000 people stores its PDF once.
/// </summary>
public static class MailAttachments
{
    /// <summary>Stores the file (or finds the identical one already stored) in the caller's transaction and returns its id.</summary>
    public static async Task<long> StoreAsync(NpgsqlConnection db, NpgsqlTransaction tx, string fileName, string contentType, byte[] content, CancellationToken ct)
    {
        const string sql = """
            with stored as (
                insert into mail_attachment (file_name, content_type, content, sha256)
                values (@fileName, @contentType, @content, @sha256)
                on conflict (sha256) do nothing
                returning id
            )
            select id from stored
            union all
            select id from mail_attachment where sha256 = @sha256
            limit 1
            """;
        var args = new { fileName, contentType, content, sha256 = SHA256.HashData(content) };
        return await db.ExecuteScalarAsync<long>(new CommandDefinition(sql, args, tx, cancellationToken: ct));
    }

    /// <summary>Attachments the delivery worker has read; files never change, so they are kept for the process's life.</summary>
    public sealed class Cache
    {
        private readonly ConcurrentDictionary<long, MailAttachment> files = new();

        public async Task LoadAsync(NpgsqlConnection db, IEnumerable<long> ids, CancellationToken ct)
        {
            var missing = ids.Distinct().Where(id => !files.ContainsKey(id)).ToArray();
            if (missing.Length == 0)
            {
                return;
            }
            const string sql = "select id, file_name, content_type, content from mail_attachment where id = any(@missing)";
            foreach (var file in await db.QueryAsync<MailAttachment>(new CommandDefinition(sql, new { missing }, cancellationToken: ct)))
            {
                files[file.Id] = file;
            }
        }

        public MailAttachment Get(long id) =>
            files.TryGetValue(id, out var file) ? file : throw new InvalidOperationException($"Mail attachment {id} is not loaded.");
    }
}
