using Child10.Advocacy.Web.Features.SignOff;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.SignOff;

public sealed class RoundModel(NpgsqlDataSource dataSource, SignOffRounds rounds, IAuthorizationService authorizationService) : PageModel
{
    private const string RoundSql = """
        select r.id, r.statement_id, s.title as statement_title, s.core_id, s.country_code, r.version_id, v.number as version_number,
               v.content_hash, r.rule, r.opens_at, r.deadline, r.time_zone, r.first_reminder_days, r.repeat_every_days,
               r.final_reminder_hours, r.escalation_hours, r.message, r.status, r.outcome, r.closed_at, r.superseded_by,
               l.display_name as lead_name,
               (select p.id from signoff_round p where p.superseded_by = r.id) as supersedes
        from signoff_round r
        join statement s on s.id = r.statement_id
        join statement_version v on v.id = r.version_id
        join staff_user l on l.id = r.lead_id
        where r.id = @id
        """;

    public sealed record RoundRow(
        long Id, long StatementId, string StatementTitle, long? CoreId, string? CountryCode, long VersionId, int VersionNumber, byte[] ContentHash,
        string Rule, DateTime OpensAt, DateTime Deadline, string TimeZone, int? FirstReminderDays, int? RepeatEveryDays, int? FinalReminderHours,
        int? EscalationHours, string? Message, string Status, string? Outcome, DateTime? ClosedAt, long? SupersededBy, string LeadName, long? Supersedes);

    public RoundRow Round { get; private set; } = null!;

    public IReadOnlyList<BoardRow> Rows { get; private set; } = [];

    public IReadOnlyList<AnswerRow> Answers { get; private set; } = [];

    public IReadOnlyList<ChaseRow> Chases { get; private set; } = [];

    public bool CanEdit { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var round = await db.QuerySingleOrDefaultAsync<RoundRow>(new CommandDefinition(RoundSql, new { id }, cancellationToken: ct));
        if (round is null)
        {
            return NotFound();
        }
        Round = round;
        Rows = await SignOffBoard.RowsAsync(db, [id], ct);
        Answers = await SignOffBoard.AnswersAsync(db, id, ct);
        Chases = await SignOffBoard.ChasesAsync(db, id, ct);
        CanEdit = (await authorizationService.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        return Page();
    }

    /// <summary>A new link to the signatory or the alternate: useful when the mail bounced or went astray.</summary>
    public async Task<IActionResult> OnPostResendAsync(long id, long requestId, long personId, CancellationToken ct)
    {
        if (!(await authorizationService.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var open = await db.QuerySingleOrDefaultAsync<bool>(new CommandDefinition("""
            select true from signoff_request q join signoff_round r on r.id = q.round_id
            where q.id = @requestId and q.round_id = @id and r.status = 'open' and r.deadline > now()
              and @personId in (q.signatory_id, coalesce(q.alternate_id, 0))
            for update of q
            """, new { id, requestId, personId }, tx, cancellationToken: ct));
        if (!open)
        {
            Flash = "The link can only be sent again while the round is open, to the organisation's signatory or alternate.";
            return LocalRedirect($"/signoff/rounds/{id}");
        }
        var step = "resend-" + DateTime.UtcNow.ToString("yyyyMMddHHmmssfff", System.Globalization.CultureInfo.InvariantCulture);
        var sent = await rounds.SendLinksAsync(db, tx, id, [requestId], [personId], step, null, ct);
        await SignOffRounds.RecordChaseAsync(db, tx, sent, step, ct);
        await db.RecordAsync(tx, Actor.From(User), "signoff.resend", "signoff_request", requestId, new { person_id = personId, outbox_message_id = sent.Count > 0 ? sent[0].MessageId : null }, ct);
        await tx.CommitAsync(ct);
        Flash = sent.Count == 0 ? "Nothing sent: that person has no email address." : "A new link is on its way.";
        return LocalRedirect($"/signoff/rounds/{id}");
    }

    public async Task<IActionResult> OnPostCancelAsync(long id, CancellationToken ct)
    {
        if (!(await authorizationService.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var cancelled = await SignOffRounds.CancelAsync(db, tx, id, Actor.From(User), ct);
        await tx.CommitAsync(ct);
        Flash = cancelled ? "Round cancelled. Its links now show that the round was cancelled." : "Only an open round can be cancelled.";
        return LocalRedirect($"/signoff/rounds/{id}");
    }

    public async Task<IActionResult> OnPostCloseAsync(long id, CancellationToken ct)
    {
        if (!(await authorizationService.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var closed = await rounds.CloseAsync(db, tx, id, force: true, Actor.From(User), ct);
        await tx.CommitAsync(ct);
        Flash = closed ? "Round closed. The lead and the signatories are told the outcome by email." : "Only an open round can be closed.";
        return LocalRedirect($"/signoff/rounds/{id}");
    }
}
