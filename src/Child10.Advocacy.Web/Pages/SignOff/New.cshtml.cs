using System.Globalization;
using Child10.Advocacy.Web.Features.Consultations;
using Child10.Advocacy.Web.Features.SignOff;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.SignOff;

[Authorize(Policy = Policies.CanEdit)]
public sealed class NewModel(NpgsqlDataSource dataSource, SignOffRounds rounds) : PageModel
{
    public const int MaxMessageLength = 4000;

    private const string StatementSql = """
        select s.id, s.title, s.core_id, s.country_code, s.region_id, s.campaign_id, k.title as campaign, s.status,
               coalesce(s.lead_id, k.lead_id) as lead_id,
               v.id as version_id, v.number as version_number,
               (select r.id from signoff_round r where r.statement_id = s.id and r.status = 'open') as open_round_id
        from statement s
        join campaign k on k.id = s.campaign_id
        left join lateral (select id, number from statement_version where statement_id = s.id order by number desc limit 1) v on true
        where s.id = @id
        """;

    // A core statement goes to its campaign's members; a variant to the member organisations of its country or region.
    private const string CandidatesSql = """
        select o.id, o.name, o.country_code
        from organisation o
        where o.kind = 'member' and (
              (@coreId is null and o.id in (select organisation_id from campaign_member where campaign_id = @campaignId))
           or (@coreId is not null and @countryCode is not null and o.country_code = cast(@countryCode as char(2)))
           or (@coreId is not null and @countryCode is null and @regionId is not null
               and (o.region_id = @regionId or o.country_code in (select code from country where region_id = @regionId))))
        order by o.name_sort_key, o.id
        """;

    private const string PeopleSql = """
        select p.id, p.full_name, p.email, p.category, p.organisation_id
        from person p
        where p.organisation_id = any(@organisationIds) and p.email_normalised is not null
          and p.erased_at is null and not p.do_not_contact
        order by p.organisation_id, case p.category when 'signatory' then 0 when 'member_contact' then 1 else 2 end, p.name_sort_key, p.id
        """;

    private const string StatementsSql = """
        select s.id, s.title, s.core_id, coalesce(s.country_code, '') as country_code
        from statement s
        where s.status in ('draft', 'final') and exists (select 1 from statement_version v where v.statement_id = s.id)
          and not exists (select 1 from signoff_round r where r.statement_id = s.id and r.status = 'open')
        order by coalesce(s.core_id, s.id), s.core_id nulls first, sort_key(s.title)
        """;

    public sealed record StatementRow(
        long Id, string Title, long? CoreId, string? CountryCode, long? RegionId, long CampaignId, string Campaign, string Status, long? LeadId,
        long? VersionId, int? VersionNumber, long? OpenRoundId);

    public sealed record CandidateRow(long Id, string Name, string? CountryCode);

    public sealed record PersonRow(long Id, string FullName, string Email, string Category, long OrganisationId);

    public sealed record ChoiceRow(long Id, string Title, long? CoreId, string CountryCode);

    public sealed class InviteInput
    {
        public long OrganisationId { get; set; }

        public bool Include { get; set; }

        public long? SignatoryId { get; set; }

        public long? AlternateId { get; set; }
    }

    public sealed class RoundInput
    {
        public List<InviteInput> Invites { get; set; } = [];

        public DateOnly? DeadlineDate { get; set; }

        public TimeOnly? DeadlineTime { get; set; } = new(17, 0);

        public string TimeZone { get; set; } = ConsultationVocabulary.DefaultTimeZone;

        public string Rule { get; set; } = SignOffVocabulary.AllMustApprove;

        public int? FirstReminderDays { get; set; } = ChasePolicy.Default.FirstReminderDays;

        public int? RepeatEveryDays { get; set; } = ChasePolicy.Default.RepeatEveryDays;

        public int? FinalReminderHours { get; set; } = ChasePolicy.Default.FinalReminderHours;

        public int? EscalationHours { get; set; } = ChasePolicy.Default.EscalationHours;

        public string? Message { get; set; }
    }

    [BindProperty]
    public RoundInput Input { get; set; } = new();

    public StatementRow? Statement { get; private set; }

    public IReadOnlyList<CandidateRow> Candidates { get; private set; } = [];

    public IReadOnlyList<PersonRow> People { get; private set; } = [];

    public IReadOnlyList<ChoiceRow> Statements { get; private set; } = [];

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long? statementId, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (statementId is null)
        {
            Statements = (await db.QueryAsync<ChoiceRow>(new CommandDefinition(StatementsSql, cancellationToken: ct))).ToList();
            return Page();
        }
        if (!await LoadAsync(db, statementId.Value, ct))
        {
            return NotFound();
        }
        Input.DeadlineDate = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(14));
        Input.Invites = Candidates.Select(c => new InviteInput
        {
            OrganisationId = c.Id,
            Include = People.Any(p => p.OrganisationId == c.Id),
            // People come signatories first, then member contacts.
            SignatoryId = People.FirstOrDefault(p => p.OrganisationId == c.Id)?.Id,
        }).ToList();
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long statementId, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await LoadAsync(db, statementId, ct))
        {
            return NotFound();
        }
        var deadline = Validate(DateTime.UtcNow);
        if (!ModelState.IsValid || deadline is null)
        {
            return Page();
        }
        var actor = Actor.From(User);
        var spec = new RoundSpec(
            Statement!.Id, Statement.VersionId!.Value, Input.Rule, deadline.Value, Input.TimeZone,
            new ChasePolicy(Input.FirstReminderDays, Input.FirstReminderDays is null ? null : Input.RepeatEveryDays, Input.FinalReminderHours, Input.EscalationHours),
            string.IsNullOrWhiteSpace(Input.Message) ? null : Input.Message.Trim(),
            Statement.LeadId ?? actor.StaffId!.Value,
            Input.Invites.Where(i => i.Include).Select(i => new RoundInvite(i.OrganisationId, i.SignatoryId!.Value, i.AlternateId)).ToList());
        await using var tx = await db.BeginTransactionAsync(ct);
        long roundId;
        try
        {
            roundId = await rounds.OpenAsync(db, tx, spec, actor, ct);
        }
        catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.UniqueViolation && e.ConstraintName == "signoff_round_one_open_uq")
        {
            await tx.RollbackAsync(ct);
            ModelState.AddModelError("", "This statement already has an open sign-off round.");
            return Page();
        }
        await tx.CommitAsync(ct);
        Flash = $"Sign-off round opened: {spec.Invites.Count} organisation(s) invited; their links are on their way.";
        return LocalRedirect($"/signoff/rounds/{roundId}");
    }

    private async Task<bool> LoadAsync(NpgsqlConnection db, long statementId, CancellationToken ct)
    {
        Statement = await db.QuerySingleOrDefaultAsync<StatementRow>(new CommandDefinition(StatementSql, new { id = statementId }, cancellationToken: ct));
        if (Statement is null)
        {
            return false;
        }
        Candidates = (await db.QueryAsync<CandidateRow>(new CommandDefinition(CandidatesSql, new
        {
            Statement.CoreId,
            Statement.CountryCode,
            Statement.RegionId,
            Statement.CampaignId,
        }, cancellationToken: ct))).ToList();
        var ids = Candidates.Select(c => c.Id).ToArray();
        People = (await db.QueryAsync<PersonRow>(new CommandDefinition(PeopleSql, new { organisationIds = ids }, cancellationToken: ct))).ToList();
        return true;
    }

    private DateTime? Validate(DateTime now)
    {
        if (Statement!.VersionId is null)
        {
            ModelState.AddModelError("", "The statement has no version yet: write its text first.");
        }
        if (Statement.OpenRoundId is not null)
        {
            ModelState.AddModelError("", "This statement already has an open sign-off round.");
        }
        var included = Input.Invites.Select((invite, index) => (invite, index)).Where(x => x.invite.Include).ToList();
        if (included.Count == 0)
        {
            ModelState.AddModelError("Input.Invites", "Invite at least one member organisation.");
        }
        foreach (var (invite, i) in included)
        {
            var name = Candidates.FirstOrDefault(c => c.Id == invite.OrganisationId)?.Name;
            if (name is null)
            {
                ModelState.AddModelError($"Input.Invites[{i}].OrganisationId", "This organisation cannot be invited to sign this statement.");
                continue;
            }
            if (invite.SignatoryId is not { } signatory || !People.Any(p => p.Id == signatory && p.OrganisationId == invite.OrganisationId))
            {
                ModelState.AddModelError($"Input.Invites[{i}].SignatoryId", $"Choose a signatory with an email address for {name}.");
            }
            if (invite.AlternateId is { } alternate)
            {
                if (alternate == invite.SignatoryId)
                {
                    ModelState.AddModelError($"Input.Invites[{i}].AlternateId", $"The alternate for {name} must be someone other than the signatory.");
                }
                else if (!People.Any(p => p.Id == alternate && p.OrganisationId == invite.OrganisationId))
                {
                    ModelState.AddModelError($"Input.Invites[{i}].AlternateId", $"Choose an alternate from {name} with an email address.");
                }
            }
        }
        if (SignOffVocabulary.Rules.All(r => r.Value != Input.Rule))
        {
            ModelState.AddModelError("Input.Rule", "Choose a rule.");
        }
        Range("Input.FirstReminderDays", Input.FirstReminderDays, 1, 60, "days");
        Range("Input.RepeatEveryDays", Input.RepeatEveryDays, 1, 60, "days");
        Range("Input.FinalReminderHours", Input.FinalReminderHours, 1, 720, "hours");
        Range("Input.EscalationHours", Input.EscalationHours, 1, 720, "hours");
        if (Input.Message is { Length: > MaxMessageLength })
        {
            ModelState.AddModelError("Input.Message", $"The message is too long: at most {MaxMessageLength} characters.");
        }
        if (!ConsultationVocabulary.TimeZones.Contains(Input.TimeZone) || !TimeZoneInfo.TryFindSystemTimeZoneById(Input.TimeZone, out var zone))
        {
            ModelState.AddModelError("Input.TimeZone", "Choose a time zone from the list.");
            return null;
        }
        if (Input.DeadlineDate is not { } date)
        {
            ModelState.AddModelError("Input.DeadlineDate", "Enter the deadline date.");
            return null;
        }
        if (Input.DeadlineTime is not { } time)
        {
            ModelState.AddModelError("Input.DeadlineTime", "Enter the deadline time.");
            return null;
        }
        var local = date.ToDateTime(time, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            ModelState.AddModelError("Input.DeadlineTime", $"{time.ToString("HH:mm", CultureInfo.InvariantCulture)} does not exist on that day in {ConsultationVocabulary.ZoneName(zone.Id)} (clocks change): choose another time.");
            return null;
        }
        var deadline = TimeZoneInfo.ConvertTimeToUtc(local, zone);
        if (deadline <= now.AddHours(1))
        {
            ModelState.AddModelError("Input.DeadlineDate", "The deadline must be at least an hour from now.");
            return null;
        }
        return deadline;
    }

    private void Range(string key, int? value, int min, int max, string unit)
    {
        if (value is { } v && (v < min || v > max))
        {
            ModelState.AddModelError(key, $"Enter between {min} and {max} {unit}, or leave it empty for no such reminder.");
        }
    }
}
