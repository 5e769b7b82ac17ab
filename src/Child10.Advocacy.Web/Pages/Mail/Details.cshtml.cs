using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Mail;

/// <summary>One message as the recipient saw it (HTML in a sandboxed frame, and text), its headers and delivery history.</summary>
public sealed class DetailsModel(NpgsqlDataSource dataSource, IAuthorizationService authorization) : PageModel
{
    private const string MessageSql = """
        select m.id, m.idempotency_key, m.category, m.purpose, m.recipient_address, m.recipient_name, m.person_id, p.full_name as person_name,
               m.subject, m.text_body, m.headers::text as headers, m.message_id, m.status, m.attempts, m.next_attempt_at, m.lease_until,
               m.last_error, m.smtp_reply, m.created_at, m.sent_at
        from outbox_message m
        left join person p on p.id = m.person_id
        where m.id = @id
        """;

    private const string HtmlSql = "select html_body from outbox_message where id = @id";

    private const string HistorySql = """
        select occurred_at, actor_label, action
        from audit_event
        where entity = 'outbox_message' and entity_id = @id
        order by id
        """;

    private const string RetrySql = """
        update outbox_message set status = 'pending', next_attempt_at = now(), last_error = null
        where id = @id and status = 'failed'
        """;

    private const string CancelSql = """
        update outbox_message set status = 'cancelled', last_error = 'Cancelled by ' || @by
        where id = @id and status = 'pending'
        """;

    public sealed record MessageRow(
        long Id, string IdempotencyKey, string Category, string Purpose, string RecipientAddress, string? RecipientName, long? PersonId,
        string? PersonName, string Subject, string TextBody, string Headers, string MessageId, string Status, int Attempts,
        DateTime NextAttemptAt, DateTime? LeaseUntil, string? LastError, string? SmtpReply, DateTime CreatedAt, DateTime? SentAt);

    public sealed record HistoryRow(DateTime OccurredAt, string ActorLabel, string Action);

    public MessageRow Message { get; private set; } = null!;

    public IReadOnlyDictionary<string, string> Headers { get; private set; } = new Dictionary<string, string>();

    public IReadOnlyList<HistoryRow> History { get; private set; } = [];

    public bool IsAdmin { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var message = await db.QuerySingleOrDefaultAsync<MessageRow>(new CommandDefinition(MessageSql, new { id }, cancellationToken: ct));
        if (message is null)
        {
            return NotFound();
        }
        Message = message;
        Headers = System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(message.Headers) ?? [];
        History = (await db.QueryAsync<HistoryRow>(new CommandDefinition(HistorySql, new { id = id.ToString(System.Globalization.CultureInfo.InvariantCulture) }, cancellationToken: ct))).ToList();
        IsAdmin = User.IsInRole(Roles.Admin);
        return Page();
    }

    /// <summary>
    /// The HTML version for the preview frame: no scripts, no forms, no remote content, an opaque origin
    /// (CSP sandbox), and framable only by this site's own pages.
    /// </summary>
    public async Task<IActionResult> OnGetHtmlAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var html = await db.QuerySingleOrDefaultAsync<string>(new CommandDefinition(HtmlSql, new { id }, cancellationToken: ct));
        if (html is null)
        {
            return NotFound();
        }
        Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'";
        Response.Headers.XFrameOptions = "SAMEORIGIN";
        return Content(html, "text/html; charset=utf-8");
    }

    public Task<IActionResult> OnPostRetryAsync(long id, CancellationToken ct) =>
        ChangeAsync(id, RetrySql, "mail.retry", "The message is queued again.", "Only a failed message can be retried.", ct);

    public Task<IActionResult> OnPostCancelAsync(long id, CancellationToken ct) =>
        ChangeAsync(id, CancelSql, "mail.cancel", "The message is cancelled and will not be sent.", "Only a pending message can be cancelled.", ct);

    private async Task<IActionResult> ChangeAsync(long id, string sql, string action, string done, string refused, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.AdminOnly)).Succeeded)
        {
            return Forbid();
        }
        var actor = Actor.From(User);
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var changed = await db.ExecuteAsync(new CommandDefinition(sql, new { id, by = actor.Label }, tx, cancellationToken: ct));
        if (changed == 1)
        {
            await db.RecordAsync(tx, actor, action, "outbox_message", id, null, ct);
            if (action == "mail.retry")
            {
                await db.ExecuteAsync(new CommandDefinition($"select pg_notify('{Email.Outbox.Channel}', '')", transaction: tx, cancellationToken: ct));
            }
        }
        await tx.CommitAsync(ct);
        Flash = changed == 1 ? done : refused;
        return RedirectToPage(new { id });
    }
}
