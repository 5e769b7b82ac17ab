using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Calendar;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Calendar;

/// <summary>
/// The iCalendar feed calendar apps poll. The secret in the path is the credential (apps send no cookie), so the page
/// allows anonymous requests and answers a bare 404 to any token that is unknown, revoked, or of an inactive person.
/// </summary>
[AllowAnonymous]
public sealed class FeedModel(NpgsqlDataSource dataSource, EmailSettings settings) : PageModel
{
    private const string FindSql = """
        select t.id
        from calendar_feed_token t join staff_user s on s.id = t.staff_id
        where t.token_hash = @hash and t.revoked_at is null and s.is_active
        """;

    public async Task<IActionResult> OnGetAsync(string token, CancellationToken ct)
    {
        // The URL is a secret: keep it out of Referer headers and caches.
        Response.Headers["Referrer-Policy"] = "no-referrer";
        Response.Headers.CacheControl = "private, no-store";
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var id = await db.ExecuteScalarAsync<long?>(new CommandDefinition(FindSql, new { hash = CalendarFeed.Hash(token) }, cancellationToken: ct));
        if (id is null)
        {
            if (HttpContext.Features.Get<IStatusCodePagesFeature>() is { } statusPages)
            {
                statusPages.Enabled = false;
            }
            return NotFound();
        }
        var ics = await CalendarFeed.BuildAsync(db, settings.PublicBaseUrl, ct);
        return Content(ics, "text/calendar; charset=utf-8");
    }
}
