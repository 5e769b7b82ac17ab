using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Briefings;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Hangfire;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Briefings;

/// <summary>A briefing: preview as any recipient, test to oneself, approval, schedule, pause/resume/cancel, runs.</summary>
public sealed class DetailsModel(
    NpgsqlDataSource dataSource, IAuthorizationService authorization, EmailTemplates templates, Outbox outbox, EmailSettings settings,
    IBackgroundJobClient jobs) : PageModel
{
    private const int PreviewChoices = 200;

    private const string Sql = """
        select b.id, b.campaign_id, k.title as campaign, b.title, b.subject, b.body, b.statement_id, st.title as statement, b.attach_pdf, b.state,
               b.schedule_kind, b.send_at, b.cron, b.time_zone, b.next_run_at, b.author_id, a.display_name as author, b.content_version,
               b.approved_version, b.approved_at, ap.display_name as approver, b.updated_at
        from briefing b
        join campaign k on k.id = b.campaign_id
        join staff_user a on a.id = b.author_id
        left join staff_user ap on ap.id = b.approved_by
        left join statement st on st.id = b.statement_id
        where b.id = @id;

        select r.id, r.scheduled_for, r.recipients, r.excluded::text as excluded,
               count(*) filter (where o.status = 'sent') as sent,
               count(*) filter (where o.status in ('pending', 'sending')) as queued,
               count(*) filter (where o.status = 'failed') as failed
        from briefing_run r
        left join briefing_message m on m.run_id = r.id
        left join outbox_message o on o.id = m.outbox_message_id
        where r.briefing_id = @id
        group by r.id
        order by r.scheduled_for desc
        limit 100;
        """;

    public sealed record BriefingRow(
        long Id, long CampaignId, string Campaign, string Title, string Subject, string Body, long? StatementId, string? Statement, bool AttachPdf,
        string State, string? ScheduleKind, DateTime? SendAt, string? Cron, string? TimeZone, DateTime? NextRunAt, long AuthorId, string Author,
        int ContentVersion, int? ApprovedVersion, DateTime? ApprovedAt, string? Approver, DateTime UpdatedAt)
    {
        public bool Approved => ApprovedVersion == ContentVersion;
    }

    public sealed record RunRow(long Id, DateTime ScheduledFor, int Recipients, string Excluded, long Sent, long Queued, long Failed);

    public sealed class ScheduleInput
    {
        public string? Kind { get; set; }

        public DateTime? SendAt { get; set; }

        public string? Cron { get; set; }

        public string? TimeZone { get; set; }
    }

    public BriefingRow Briefing { get; private set; } = null!;

    public IReadOnlyList<RunRow> Runs { get; private set; } = [];

    public BriefingAudience Audience { get; private set; } = null!;

    public BriefingRecipient? PreviewRecipient { get; private set; }

    public RenderedEmail? Preview { get; private set; }

    public string? PreviewError { get; private set; }

    public bool CanEdit { get; private set; }

    public long StaffId { get; private set; }

    [BindProperty]
    public ScheduleInput Schedule { get; set; } = new();

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, long? recipient, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        return await LoadAsync(db, id, recipient, ct) ? Page() : NotFound();
    }

    /// <summary>The HTML version for the preview frame, in a sandbox with its own strict policy.</summary>
    public async Task<IActionResult> OnGetHtmlAsync(long id, long? recipient, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await LoadAsync(db, id, recipient, ct) || Preview is null)
        {
            return NotFound();
        }
        Response.Headers.ContentSecurityPolicy = "sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; frame-ancestors 'self'";
        Response.Headers.XFrameOptions = "SAMEORIGIN";
        return Content(Preview.Html, "text/html; charset=utf-8");
    }

    public Task<IActionResult> OnPostApproveAsync(long id, int version, CancellationToken ct) =>
        ActAsync(id, async (db, actor) =>
        {
            var result = await BriefingActions.ApproveAsync(db, id, version, actor, ct);
            if (result.Done)
            {
                Kick(id);
            }
            return result.Message;
        }, ct);

    public async Task<IActionResult> OnPostScheduleAsync(long id, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var (result, errors) = await BriefingActions.ScheduleAsync(db, id, Schedule.Kind, Schedule.SendAt, Schedule.Cron, Schedule.TimeZone,
            Actor.From(User), DateTimeOffset.UtcNow, ct);
        if (!result.Done)
        {
            foreach (var (key, message) in errors)
            {
                ModelState.AddModelError(key, message);
            }
            return await LoadAsync(db, id, null, ct) ? Page() : NotFound();
        }
        Kick(id);
        Flash = result.Message;
        return LocalRedirect($"/briefings/{id}");
    }

    public Task<IActionResult> OnPostPauseAsync(long id, CancellationToken ct) =>
        ActAsync(id, async (db, actor) => (await BriefingActions.PauseAsync(db, id, actor, ct)).Message, ct);

    public Task<IActionResult> OnPostResumeAsync(long id, CancellationToken ct) =>
        ActAsync(id, async (db, actor) =>
        {
            var result = await BriefingActions.ResumeAsync(db, id, actor, ct);
            Kick(id);
            return result.Message;
        }, ct);

    public Task<IActionResult> OnPostCancelAsync(long id, CancellationToken ct) =>
        ActAsync(id, async (db, actor) => (await BriefingActions.CancelAsync(db, id, actor, ct)).Message, ct);

    /// <summary>Sends the briefing, as a chosen recipient would get it, to the signed-in lead's own address.</summary>
    public Task<IActionResult> OnPostTestAsync(long id, long? recipient, CancellationToken ct) =>
        ActAsync(id, async (db, actor) =>
        {
            var email = await db.ExecuteScalarAsync<string?>(new CommandDefinition("select email from staff_user where id = @id", new { id = actor.StaffId }, cancellationToken: ct));
            if (string.IsNullOrWhiteSpace(email) || !email.Contains('@', StringComparison.Ordinal))
            {
                return "Your staff record has no email address to send a test to.";
            }
            if (!await LoadAsync(db, id, recipient, ct) || PreviewRecipient is null)
            {
                return PreviewError ?? "The audience is empty: there is nobody to preview the briefing as.";
            }
            var prepared = await PreparedBriefing.LoadAsync(db, templates, Draft, ct);
            var who = PreviewRecipient;
            await using var tx = await db.BeginTransactionAsync(ct);
            await outbox.EnqueueAsync(db, tx, new MailRequest($"briefing-test:{id}:{actor.StaffId}:{Guid.NewGuid():N}", MailCategory.Transactional,
                "briefing-test", BriefingPlaceholders.FileTemplate, who.Language, email.Trim(), actor.Label, null, new { })
            {
                ReplyTo = prepared.ReplyTo,
                Render = (unsubscribeUrl, token) =>
                {
                    var rendered = prepared.Render(who, ExampleUnsubscribeUrl, token);
                    return rendered with { Subject = "[Test] " + rendered.Subject };
                },
            }, ct);
            await db.RecordAsync(tx, actor, "briefing.test", "briefing", id, new { as_person = who.PersonId, to = email }, ct);
            await tx.CommitAsync(ct);
            return $"A test, as {who.Name} would get it, is on its way to {email}.";
        }, ct);

    private BriefingDraft Draft => new(Briefing.Id, Briefing.CampaignId, Briefing.Subject, Briefing.Body, Briefing.StatementId, Briefing.AttachPdf);

    private string ExampleUnsubscribeUrl => new Uri(settings.PublicBaseUrl, "/unsubscribe/example").ToString();

    private void Kick(long id) => jobs.Enqueue<BriefingDispatch>(dispatch => dispatch.RunIfDueAsync(id, CancellationToken.None));

    private async Task<IActionResult> ActAsync(long id, Func<NpgsqlConnection, Actor, Task<string>> action, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (await db.ExecuteScalarAsync<long?>(new CommandDefinition("select id from briefing where id = @id", new { id }, cancellationToken: ct)) is null)
        {
            return NotFound();
        }
        Flash = await action(db, Actor.From(User));
        return LocalRedirect($"/briefings/{id}");
    }

    private async Task<bool> LoadAsync(NpgsqlConnection db, long id, long? recipient, CancellationToken ct)
    {
        await using (var reader = await db.QueryMultipleAsync(new CommandDefinition(Sql, new { id }, cancellationToken: ct)))
        {
            var row = await reader.ReadSingleOrDefaultAsync<BriefingRow>();
            if (row is null)
            {
                return false;
            }
            Briefing = row;
            Runs = (await reader.ReadAsync<RunRow>()).ToList();
        }
        CanEdit = (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        StaffId = long.TryParse(User.FindFirst(StaffClaims.StaffId)?.Value, out var staffId) ? staffId : 0;
        Audience = await BriefingAudience.ResolveAsync(db, id, ct);
        PreviewRecipient = recipient is long wanted ? Audience.Recipients.FirstOrDefault(r => r.PersonId == wanted) : Audience.Recipients.Count > 0 ? Audience.Recipients[0] : null;
        if (PreviewRecipient is not null)
        {
            try
            {
                var prepared = await PreparedBriefing.LoadAsync(db, templates, Draft, ct);
                Preview = prepared.Render(PreviewRecipient, ExampleUnsubscribeUrl, ct);
            }
            catch (TemplateRenderException ex)
            {
                PreviewError = "The briefing cannot be rendered: " + ex.Message;
            }
        }
        if (Schedule.TimeZone is null)
        {
            Schedule.TimeZone = Briefing.TimeZone ?? User.FindFirst(StaffClaims.TimeZone)?.Value ?? "Europe/Brussels";
            Schedule.Kind = Briefing.ScheduleKind ?? BriefingSchedule.Now;
            Schedule.Cron = Briefing.Cron;
        }
        return true;
    }

    /// <summary>The first few recipients, to choose whom to preview as.</summary>
    public IEnumerable<BriefingRecipient> PreviewChoicesList =>
        Audience.Recipients.Take(PreviewChoices).Concat(PreviewRecipient is { } r && Audience.Recipients.Take(PreviewChoices).All(x => x.PersonId != r.PersonId) ? [r] : []);
}
