using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Calendar;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Calendar;

/// <summary>
/// "My calendar feed": every signed-in person, viewers included, may keep one secret feed URL. Only its hash is
/// stored, so the URL is shown once, in the answer to Create or Renew, and never again.
/// </summary>
[AnyStaffMayWrite("each staff member manages only their own calendar feed")]
public sealed class IndexModel(NpgsqlDataSource dataSource, EmailSettings settings) : PageModel
{
    private const string ActiveSql = """
        select id, created_at from calendar_feed_token
        where staff_id = @staffId and revoked_at is null
        order by id desc limit 1
        """;

    private const string RevokeSql = """
        update calendar_feed_token set revoked_at = now()
        where staff_id = @staffId and revoked_at is null
        returning id
        """;

    private const string InsertSql = """
        insert into calendar_feed_token (staff_id, token_hash) values (@staffId, @hash) returning id
        """;

    private const string LockStaffSql = "select id from staff_user where id = @staffId for update";

    public sealed record TokenRow(long Id, DateTime CreatedAt);

    public TokenRow? Active { get; private set; }

    /// <summary>Set only in the answer to Create or Renew.</summary>
    public string? NewUrl { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Active = await LoadActiveAsync(db, ct);
    }

    public Task<IActionResult> OnPostCreateAsync(CancellationToken ct) => IssueAsync("calendar_feed.create", ct);

    public Task<IActionResult> OnPostRenewAsync(CancellationToken ct) => IssueAsync("calendar_feed.renew", ct);

    public async Task<IActionResult> OnPostRevokeAsync(CancellationToken ct)
    {
        var actor = Actor.From(User);
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var revoked = (await db.QueryAsync<long>(new CommandDefinition(RevokeSql, new { staffId = actor.StaffId }, tx, cancellationToken: ct))).ToList();
        foreach (var id in revoked)
        {
            await db.RecordAsync(tx, actor, "calendar_feed.revoke", "calendar_feed_token", id, null, ct);
        }
        await tx.CommitAsync(ct);
        Flash = revoked.Count > 0 ? "Calendar feed revoked: calendar apps using it get nothing more." : "You had no calendar feed.";
        return LocalRedirect("/calendar");
    }

    private async Task<IActionResult> IssueAsync(string action, CancellationToken ct)
    {
        var actor = Actor.From(User);
        var token = CalendarFeed.NewToken();
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using (var tx = await db.BeginTransactionAsync(ct))
        {
            // One live feed per person, also when Create is pressed in two tabs at once.
            await db.ExecuteAsync(new CommandDefinition(LockStaffSql, new { staffId = actor.StaffId }, tx, cancellationToken: ct));
            var revoked = (await db.QueryAsync<long>(new CommandDefinition(RevokeSql, new { staffId = actor.StaffId }, tx, cancellationToken: ct))).ToList();
            var id = await db.ExecuteScalarAsync<long>(new CommandDefinition(InsertSql, new { staffId = actor.StaffId, hash = CalendarFeed.Hash(token) }, tx, cancellationToken: ct));
            await db.RecordAsync(tx, actor, action, "calendar_feed_token", id, new { revoked_ids = revoked }, ct);
            await tx.CommitAsync(ct);
        }
        Active = await LoadActiveAsync(db, ct);
        NewUrl = CalendarFeed.Url(settings.PublicBaseUrl, token);
        // The secret is in this answer: no caching, no Referer.
        Response.Headers.CacheControl = "private, no-store";
        Response.Headers["Referrer-Policy"] = "no-referrer";
        return Page();
    }

    private async Task<TokenRow?> LoadActiveAsync(NpgsqlConnection db, CancellationToken ct) =>
        await db.QuerySingleOrDefaultAsync<TokenRow>(new CommandDefinition(ActiveSql, new { staffId = Actor.From(User).StaffId }, cancellationToken: ct));
}
