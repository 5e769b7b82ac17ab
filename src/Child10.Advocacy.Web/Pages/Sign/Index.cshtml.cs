using Child10.Advocacy.Web.Features.SignOff;
using Child10.Advocacy.Web.Features.Statements;
using Child10.Advocacy.Web.Infrastructure.Hosting;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.RateLimiting;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Sign;

/// <summary>
/// A signatory's personal link. GET and HEAD only show the text and the choices (mail scanners open links); only a
/// POST from this page's form records an answer. A link that does not resolve, or whose round has ended, shows a
/// neutral page: 404 for an unknown link, 410 for an ended round.
/// </summary>
[AllowAnonymous]
[EnableRateLimiting(PublicRateLimit.Policy)]
public sealed class IndexModel(NpgsqlDataSource dataSource, SignOffRounds rounds) : PageModel
{
    public const int MaxCommentLength = 4000;

    private const string ApprovedBeforeSql = """
        select v.number, v.title, v.body
        from signoff_request q
        join signoff_round r on r.id = q.round_id
        join statement_version v on v.id = r.version_id
        where q.organisation_id = @OrganisationId and r.statement_id = @StatementId and r.id < @RoundId
          and q.decision = 'approve' and r.version_id <> @VersionId
        order by r.id desc
        limit 1
        """;

    private const string NetworkContactSql = """
        select display_name, email from staff_user
        where is_active and role in ('lead', 'admin') and email is not null
        order by role = 'admin', id
        limit 1
        """;

    public enum State
    {
        Open,
        Ended,
        Unknown,
    }

    public sealed class AnswerInput
    {
        public string? Decision { get; set; }

        public string? Comment { get; set; }
    }

    [BindProperty]
    public AnswerInput Input { get; set; } = new();

    public State Shown { get; private set; }

    public SignOffLink? Link { get; private set; }

    public (int Number, VersionDiffResult Diff)? SinceApproved { get; private set; }

    public sealed record ContactRow(string DisplayName, string? Email);

    private sealed record PriorVersion(int Number, string Title, string Body);

    public ContactRow? Contact { get; private set; }

    public bool JustAnswered { get; private set; }

    public string EndedReason { get; private set; } = "";

    public async Task<IActionResult> OnGetAsync(string token, bool answered, CancellationToken ct)
    {
        NoReferrer();
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await LoadAsync(db, null, token, ct);
        JustAnswered = answered && Link?.Decision is not null;
        return Result();
    }

    public async Task<IActionResult> OnPostAsync(string token, CancellationToken ct)
    {
        NoReferrer();
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        await LoadAsync(db, tx, token, ct);
        if (Shown != State.Open || Link is null)
        {
            return Result();
        }

        var decision = Input.Decision;
        var comment = string.IsNullOrWhiteSpace(Input.Comment) ? null : Input.Comment.Trim();
        if (decision is not ("approve" or "request_changes" or "decline"))
        {
            ModelState.AddModelError("Input.Decision", "Choose an answer: approve, request changes or decline.");
        }
        if (decision == "request_changes" && comment is null)
        {
            ModelState.AddModelError("Input.Comment", "Say which changes your organisation needs: the comment is required when you request changes.");
        }
        if (comment is { Length: > MaxCommentLength })
        {
            ModelState.AddModelError("Input.Comment", $"The comment is too long: at most {MaxCommentLength} characters.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }

        var ip = HttpContext.Connection.RemoteIpAddress?.ToString();
        var userAgent = Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua[..Math.Min(ua.Length, 500)] : null;
        await rounds.AnswerAsync(db, tx, Link, token, decision!, comment, ip, userAgent, ct);
        await tx.CommitAsync(ct);
        return Redirect($"/sign/{Uri.EscapeDataString(token)}?answered=true");
    }

    private async Task LoadAsync(NpgsqlConnection db, NpgsqlTransaction? tx, string token, CancellationToken ct)
    {
        Link = await SignOffLinks.FindAsync(db, tx, token, ct);
        if (Link is null)
        {
            Shown = State.Unknown;
            Contact = await db.QuerySingleOrDefaultAsync<ContactRow>(new CommandDefinition(NetworkContactSql, transaction: tx, cancellationToken: ct));
            return;
        }
        if (!Link.Open(DateTime.UtcNow))
        {
            Shown = State.Ended;
            EndedReason = Link.RoundStatus switch
            {
                "superseded" => "A newer version of this statement has replaced the one this link was for. A new link has been sent by email.",
                "cancelled" => "The lead has cancelled this sign-off round.",
                "closed" => "This sign-off round has closed.",
                _ => "The deadline for answering has passed.",
            };
            return;
        }
        Shown = State.Open;
        var before = await db.QuerySingleOrDefaultAsync<PriorVersion>(new CommandDefinition(ApprovedBeforeSql, Link, tx, cancellationToken: ct));
        if (before is not null)
        {
            SinceApproved = (before.Number, VersionDiff.Compute(before.Title + "\n\n" + before.Body, Link.VersionTitle + "\n\n" + Link.VersionBody));
        }
        if (Request.Method != "POST")
        {
            Input.Decision = Link.Decision;
        }
    }

    private PageResult Result()
    {
        if (Shown == State.Open)
        {
            return Page();
        }
        Response.StatusCode = Shown == State.Unknown ? StatusCodes.Status404NotFound : StatusCodes.Status410Gone;
        return Page();
    }

    // The token is in the URL: it must not leak to another site through a Referer header, or sit in a cache.
    private void NoReferrer()
    {
        Response.Headers["Referrer-Policy"] = "no-referrer";
        Response.Headers.CacheControl = "no-store";
    }
}
