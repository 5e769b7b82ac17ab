using Child10.Advocacy.Web.Features.Campaigns;
using Child10.Advocacy.Web.Features.Interactions;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Campaigns;

/// <summary>The campaign page: the campaign, its targets (with the stance × influence chart and progress bar), interactions, consultations, milestones and timeline; editors add targets and milestones here.</summary>
public sealed class DetailsModel(NpgsqlDataSource dataSource, IAuthorizationService authorization) : PageModel
{
    public const int InteractionsShown = 50;
    public const int FindLimit = 10;
    public const int MaxNotesLength = 4000;

    private const string Sql = """
        select c.id, c.title, c.objective, c.key_asks, c.scope, c.status, c.starts_on, c.ends_on, c.updated_at,
               s.display_name as lead_name, r.name as region_name
        from campaign c
        left join staff_user s on s.id = c.lead_id
        left join region r on r.id = c.region_id
        where c.id = @id;

        select cc.country_code as code, co.name
        from campaign_country cc join country co on co.code = cc.country_code
        where cc.campaign_id = @id
        order by co.name_sort_key, co.code;

        select o.id, o.name
        from campaign_member cm join organisation o on o.id = cm.organisation_id
        where cm.campaign_id = @id
        order by o.name_sort_key, o.id;

        select t.id, t.person_id, case when p.erased_at is null then p.full_name else 'Erased person' end as full_name,
               p.position, o.name as organisation_name, t.stance, t.influence, t.progress, t.notes
        from campaign_target t
        join person p on p.id = t.person_id
        left join organisation o on o.id = p.organisation_id
        where t.campaign_id = @id
        order by t.influence desc, p.name_sort_key, t.id;

        select m.id, m.title, m.due_on, m.done_at
        from milestone m
        where m.campaign_id = @id
        order by m.due_on, m.id;

        select k.id, k.title, o.name as institution, k.closes_at, k.status
        from consultation k join organisation o on o.id = k.institution_id
        where k.campaign_id = @id
        order by k.closes_at, k.id;
        """;

    // Open sign-off rounds on the campaign's statements (core and variants).
    private const string SignOffRoundsSql = """
        select r.id, s.title, r.deadline, count(q.decision)::int as answered, count(q.id)::int as invited
        from signoff_round r
        join statement s on s.id = r.statement_id
        left join signoff_request q on q.round_id = r.id
        where s.campaign_id = @id and r.status = 'open'
        group by r.id, s.title
        order by r.deadline, r.id
        """;

    private const string CampaignExistsSql = """
        select exists (select 1 from campaign where id = @id)
        """;

    private const string PersonSql = """
        select id, full_name as name from person where id = @personId and erased_at is null
        """;

    private const string InsertTargetSql = """
        insert into campaign_target (campaign_id, person_id, stance, influence, progress, notes)
        values (@campaignId, @PersonId, @Stance, @Influence, @Progress, @Notes)
        on conflict (campaign_id, person_id) do nothing
        returning id
        """;

    private const string InsertStanceSql = """
        insert into campaign_target_stance (target_id, stance, changed_by)
        values (@targetId, @stance, @changedBy)
        """;

    private const string InsertMilestoneSql = """
        insert into milestone (campaign_id, title, due_on)
        values (@campaignId, @title, @dueOn)
        returning id
        """;

    private const string MilestoneDoneSql = """
        update milestone
        set done_at = case when @done then coalesce(done_at, now()) end
        where id = @milestoneId and campaign_id = @campaignId
        returning title
        """;

    private const string DeleteMilestoneSql = """
        delete from milestone
        where id = @milestoneId and campaign_id = @campaignId
        returning title
        """;

    public sealed record CampaignRow(
        long Id, string Title, string? Objective, string? KeyAsks, string Scope, string Status, DateOnly? StartsOn, DateOnly? EndsOn,
        DateTime UpdatedAt, string? LeadName, string? RegionName);

    public sealed record CountryRow(string Code, string Name);

    public sealed record TargetRow(
        long Id, long PersonId, string FullName, string? Position, string? OrganisationName, string Stance, short Influence, string Progress, string? Notes);

    public sealed record MilestoneRow(long Id, string Title, DateOnly DueOn, DateTime? DoneAt);

    public sealed record ConsultationRow(long Id, string Title, string Institution, DateTime ClosesAt, string Status);

    /// <summary>One dated thing on the campaign timeline.</summary>
    public sealed record TimelineEntry(DateOnly Date, string Kind, string Title, string? Href, string? Detail);

    public sealed record SignOffRoundRow(long Id, string Title, DateTime Deadline, int Answered, int Invited);

    public IReadOnlyList<SignOffRoundRow> SignOffRounds { get; private set; } = [];

    public sealed record TargetInputModel
    {
        public long? PersonId { get; set; }
        public string Stance { get; set; } = "unknown";
        public short Influence { get; set; } = 3;
        public string Progress { get; set; } = "not_contacted";
        public string? Notes { get; set; }
    }

    public sealed record MilestoneInputModel
    {
        public string? Title { get; set; }
        public DateOnly? DueOn { get; set; }
    }

    [BindProperty]
    public TargetInputModel Target { get; set; } = new();

    [BindProperty]
    public MilestoneInputModel Milestone { get; set; } = new();

    /// <summary>Filters of the targets table, from the query string.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Stance { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Progress { get; set; }

    /// <summary>A name to find people to add as targets.</summary>
    [BindProperty(SupportsGet = true)]
    public string? Find { get; set; }

    public CampaignRow Campaign { get; private set; } = null!;

    public IReadOnlyList<CountryRow> Countries { get; private set; } = [];

    public IReadOnlyList<NamedOption> Members { get; private set; } = [];

    public IReadOnlyList<TargetRow> Targets { get; private set; } = [];

    public IReadOnlyList<TargetRow> ShownTargets { get; private set; } = [];

    public IReadOnlyList<MilestoneRow> Milestones { get; private set; } = [];

    public IReadOnlyList<ConsultationRow> Consultations { get; private set; } = [];

    public IReadOnlyList<TimelineItem> Interactions { get; private set; } = [];

    public IReadOnlyList<TimelineEntry> TimelineEntries { get; private set; } = [];

    public IReadOnlyList<PeopleRow> Found { get; private set; } = [];

    public string? FindProblem { get; private set; }

    public DateOnly Today { get; private set; }

    public bool CanEdit { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await LoadAsync(db, id, ct))
        {
            return NotFound();
        }
        if (CanEdit)
        {
            await FindPeopleAsync(db, ct);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAddTargetAsync(long id, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await db.ExecuteScalarAsync<bool>(new CommandDefinition(CampaignExistsSql, new { id }, cancellationToken: ct)))
        {
            return NotFound();
        }
        var person = Target.PersonId is long personId
            ? await db.QuerySingleOrDefaultAsync<NamedOption>(new CommandDefinition(PersonSql, new { personId }, cancellationToken: ct))
            : null;
        if (person is null)
        {
            ModelState.AddModelError("Target.PersonId", "Find the person by name and choose them from the matches.");
        }
        ValidateTarget(Target, ModelState);
        if (ModelState.IsValid)
        {
            var actor = Actor.From(User);
            await using var tx = await db.BeginTransactionAsync(ct);
            var targetId = await db.ExecuteScalarAsync<long?>(new CommandDefinition(
                InsertTargetSql, new { campaignId = id, Target.PersonId, Target.Stance, Target.Influence, Target.Progress, Target.Notes }, tx, cancellationToken: ct));
            if (targetId is long created)
            {
                await db.ExecuteAsync(new CommandDefinition(InsertStanceSql, new { targetId = created, stance = Target.Stance, changedBy = actor.StaffId }, tx, cancellationToken: ct));
                await db.RecordAsync(tx, actor, "campaign_target.create", "campaign_target", created, new
                {
                    campaign_id = id, person_id = Target.PersonId, stance = Target.Stance, influence = Target.Influence, progress = Target.Progress,
                }, ct);
                await tx.CommitAsync(ct);
                Flash = $"{person!.Name} added as a target.";
                return LocalRedirect($"/campaigns/{id}#targets");
            }
            ModelState.AddModelError("Target.PersonId", $"{person!.Name} is already a target of this campaign. Change their stance or progress from the targets table instead.");
        }
        await LoadAsync(db, id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAddMilestoneAsync(long id, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await db.ExecuteScalarAsync<bool>(new CommandDefinition(CampaignExistsSql, new { id }, cancellationToken: ct)))
        {
            return NotFound();
        }
        Milestone.Title = Milestone.Title?.Trim();
        if (string.IsNullOrEmpty(Milestone.Title))
        {
            ModelState.AddModelError("Milestone.Title", "Enter what the milestone is.");
        }
        else if (Milestone.Title.Length > EditModel.MaxTitleLength)
        {
            ModelState.AddModelError("Milestone.Title", $"Keep the milestone to {EditModel.MaxTitleLength} characters.");
        }
        if (Milestone.DueOn is null && ModelState.GetFieldValidationState("Milestone.DueOn") != ModelValidationState.Invalid)
        {
            ModelState.AddModelError("Milestone.DueOn", "Enter the due date.");
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(db, id, ct);
            return Page();
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        var milestoneId = await db.ExecuteScalarAsync<long>(new CommandDefinition(
            InsertMilestoneSql, new { campaignId = id, title = Milestone.Title, dueOn = Milestone.DueOn }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, Actor.From(User), "milestone.create", "milestone", milestoneId, new { campaign_id = id, title = Milestone.Title, due_on = Milestone.DueOn }, ct);
        await tx.CommitAsync(ct);
        Flash = "Milestone added.";
        return LocalRedirect($"/campaigns/{id}#milestones");
    }

    public Task<IActionResult> OnPostMilestoneDoneAsync(long id, long milestoneId, bool done, CancellationToken ct) =>
        ChangeMilestoneAsync(id, milestoneId, MilestoneDoneSql, done ? "milestone.done" : "milestone.reopen", new { campaignId = id, milestoneId, done },
            done ? "Milestone marked done." : "Milestone reopened.", ct);

    public Task<IActionResult> OnPostDeleteMilestoneAsync(long id, long milestoneId, CancellationToken ct) =>
        ChangeMilestoneAsync(id, milestoneId, DeleteMilestoneSql, "milestone.delete", new { campaignId = id, milestoneId }, "Milestone deleted.", ct);

    private async Task<IActionResult> ChangeMilestoneAsync(long id, long milestoneId, string sql, string action, object args, string flash, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var title = await db.ExecuteScalarAsync<string?>(new CommandDefinition(sql, args, tx, cancellationToken: ct));
        if (title is null)
        {
            return NotFound();
        }
        await db.RecordAsync(tx, Actor.From(User), action, "milestone", milestoneId, new { campaign_id = id, title }, ct);
        await tx.CommitAsync(ct);
        Flash = flash;
        return LocalRedirect($"/campaigns/{id}#milestones");
    }

    /// <summary>Field errors for the stance, influence, progress and notes of a target; the target edit page shares it.</summary>
    internal static void ValidateTarget(TargetInputModel target, ModelStateDictionary modelState)
    {
        if (!Vocabulary.Contains(CampaignVocabulary.Stances, target.Stance))
        {
            modelState.AddModelError("Target.Stance", "Choose a stance from the list.");
        }
        if (target.Influence is < CampaignVocabulary.MinInfluence or > CampaignVocabulary.MaxInfluence)
        {
            modelState.AddModelError("Target.Influence", $"Influence is from {CampaignVocabulary.MinInfluence} (little) to {CampaignVocabulary.MaxInfluence} (decisive).");
        }
        if (!Vocabulary.Contains(CampaignVocabulary.Progress, target.Progress))
        {
            modelState.AddModelError("Target.Progress", "Choose a progress step from the list.");
        }
        target.Notes = string.IsNullOrWhiteSpace(target.Notes) ? null : target.Notes.Trim();
        if (target.Notes?.Length > MaxNotesLength)
        {
            modelState.AddModelError("Target.Notes", $"Notes can hold up to {MaxNotesLength:N0} characters (these have {target.Notes.Length:N0}).");
        }
    }

    /// <summary>How many targets hold the stance with the influence: the cells of the stance × influence chart.</summary>
    public int CountAt(string stance, int influence) => Targets.Count(t => t.Stance == stance && t.Influence == influence);

    public int CountAtProgress(string progress) => Targets.Count(t => t.Progress == progress);

    private async Task<bool> LoadAsync(NpgsqlConnection db, long id, CancellationToken ct)
    {
        await using (var reader = await db.QueryMultipleAsync(new CommandDefinition(Sql, new { id }, cancellationToken: ct)))
        {
            var campaign = await reader.ReadSingleOrDefaultAsync<CampaignRow>();
            if (campaign is null)
            {
                return false;
            }
            Campaign = campaign;
            Countries = (await reader.ReadAsync<CountryRow>()).ToList();
            Members = (await reader.ReadAsync<NamedOption>()).ToList();
            Targets = (await reader.ReadAsync<TargetRow>()).ToList();
            Milestones = (await reader.ReadAsync<MilestoneRow>()).ToList();
            Consultations = (await reader.ReadAsync<ConsultationRow>()).ToList();
        }
        Interactions = await Timeline.ForCampaignAsync(db, id, InteractionsShown, ct);
        SignOffRounds = (await db.QueryAsync<SignOffRoundRow>(new CommandDefinition(SignOffRoundsSql, new { id }, cancellationToken: ct))).ToList();
        Stance = Vocabulary.Contains(CampaignVocabulary.Stances, Stance) ? Stance : null;
        Progress = Vocabulary.Contains(CampaignVocabulary.Progress, Progress) ? Progress : null;
        ShownTargets = Targets.Where(t => (Stance is null || t.Stance == Stance) && (Progress is null || t.Progress == Progress)).ToList();
        Today = FollowUp.Today(User);
        var zone = TimeDisplay.ZoneOf(User);
        TimelineEntries = Milestones
            .Select(m => new TimelineEntry(m.DueOn, "milestone", m.Title, null, m.DoneAt is null ? null : "done"))
            .Concat(Consultations.Select(k => new TimelineEntry(
                DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(k.ClosesAt, DateTimeKind.Utc)), zone).DateTime),
                "consultation", $"Consultation closes: {k.Title}", $"/consultations/{k.Id}", k.Institution)))
            .Concat(SignOffRounds.Select(r => new TimelineEntry(
                DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(new DateTimeOffset(DateTime.SpecifyKind(r.Deadline, DateTimeKind.Utc)), zone).DateTime),
                "sign-off", $"Sign-off deadline: {r.Title}", $"/signoff/rounds/{r.Id}", $"{r.Answered} of {r.Invited} answered")))
            .Concat(Interactions.Select(i => new TimelineEntry(i.OccurredOn, "interaction", i.Subject, $"/interactions/{i.Id}", i.Kind)))
            .OrderBy(e => e.Date)
            .ThenBy(e => e.Kind, StringComparer.Ordinal)
            .ToList();
        CanEdit = (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        return true;
    }

    private async Task FindPeopleAsync(NpgsqlConnection db, CancellationToken ct)
    {
        var text = Find?.Trim() ?? "";
        if (text.Length == 0)
        {
            return;
        }
        if (text.Length < InteractionForm.MinFindLength)
        {
            FindProblem = $"Type at least {InteractionForm.MinFindLength} letters of a name.";
            return;
        }
        var page = await PeopleQuery.SearchAsync(db, new PeopleFilter { Q = text }, FindLimit, ct);
        var targeted = Targets.Select(t => t.PersonId).ToHashSet();
        Found = page.Rows.Where(r => !targeted.Contains(r.Id)).ToList();
        if (Found.Count == 0)
        {
            FindProblem = page.Rows.Count == 0 ? $"No person matches “{text}”." : $"Everyone matching “{text}” is already a target.";
        }
    }
}
