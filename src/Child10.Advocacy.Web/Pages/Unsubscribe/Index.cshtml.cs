using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Hosting;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Unsubscribe;

/// <summary>
/// The one-click unsubscribe link of bulk mail (RFC 8058). GET and HEAD only show a button: mail scanners open links.
/// POST unsubscribes with no cookie, login or antiforgery token, because mail providers post it on the reader's behalf.
/// </summary>
[AllowAnonymous]
[IgnoreAntiforgeryToken]
[EnableRateLimiting(PublicRateLimit.Policy)]
public sealed class IndexModel(NpgsqlDataSource dataSource) : PageModel
{
    private const string FindSql = """
        select token_hash, email_hash, person_id, outbox_message_id, used_at
        from unsubscribe_token where token_hash = @hash
        """;

    private const string LockSql = """
        select token_hash, email_hash, person_id, outbox_message_id, used_at
        from unsubscribe_token where token_hash = @hash
        for update
        """;

    // A stronger reason (erased, do not contact, hard bounce) stays as it is.
    private const string SuppressSql = """
        insert into suppression (email_hash, reason) values (@emailHash, 'unsubscribed')
        on conflict (email_hash) do nothing
        """;

    private const string UseSql = "update unsubscribe_token set used_at = now() where token_hash = @hash";

    private sealed record TokenRow(byte[] TokenHash, byte[] EmailHash, long? PersonId, long? OutboxMessageId, DateTime? UsedAt);

    public enum State
    {
        Ask,
        Done,
        Unknown,
    }

    public State Shown { get; private set; }

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken ct)
    {
        NoReferrer();
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var row = await FindAsync(db, null, FindSql, token, ct);
        Shown = row is null ? State.Unknown : row.UsedAt is null ? State.Ask : State.Done;
        return Shown == State.Unknown ? NotFoundPage() : Page();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken ct)
    {
        NoReferrer();
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var row = await FindAsync(db, tx, LockSql, token, ct);
        if (row is null)
        {
            Shown = State.Unknown;
            return NotFoundPage();
        }
        if (row.UsedAt is null)
        {
            await db.ExecuteAsync(new CommandDefinition(SuppressSql, new { emailHash = row.EmailHash }, tx, cancellationToken: ct));
            await db.ExecuteAsync(new CommandDefinition(UseSql, new { hash = row.TokenHash }, tx, cancellationToken: ct));
            await db.RecordAsync(tx, Actor.System("unsubscribe"), "suppression.unsubscribe", "person", row.PersonId,
                new { outbox_message_id = row.OutboxMessageId }, ct);
        }
        await tx.CommitAsync(ct);
        Shown = State.Done;
        return Page();
    }

    private static async Task<TokenRow?> FindAsync(NpgsqlConnection db, NpgsqlTransaction? tx, string sql, string token, CancellationToken ct) =>
        token is { Length: > 0 and <= 64 }
            ? await db.QuerySingleOrDefaultAsync<TokenRow>(new CommandDefinition(sql, new { hash = UnsubscribeTokens.Hash(token) }, tx, cancellationToken: ct))
            : null;

    private PageResult NotFoundPage()
    {
        Response.StatusCode = StatusCodes.Status404NotFound;
        return Page();
    }

    // The token is in the URL: it must not leak to another site through a Referer header, or sit in a cache.
    private void NoReferrer()
    {
        Response.Headers["Referrer-Policy"] = "no-referrer";
        Response.Headers.CacheControl = "no-store";
    }
}
