using Child10.Advocacy.Web.Features.Campaigns;
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

/// <summary>Creates (New.cshtml, /campaigns/new) and edits (Edit.cshtml) a campaign with its countries and members.</summary>
[Authorize(Policy = Policies.CanEdit)]
public sealed class EditModel(NpgsqlDataSource dataSource, Places places) : PageModel
{
    public const int MaxTitleLength = 200;

    private const string LoadSql = """
        select c.title, c.objective, c.key_asks, c.scope, c.region_id, c.status, c.lead_id, c.starts_on, c.ends_on,
               coalesce((select string_agg(cc.country_code, ', ' order by cc.country_code)
                           from campaign_country cc where cc.campaign_id = c.id), '') as country_codes,
               coalesce((select array_agg(cm.organisation_id order by cm.organisation_id)
                           from campaign_member cm where cm.campaign_id = c.id), '{}') as member_ids
        from campaign c
        where c.id = @id
        """;

    private const string LockSql = """
        select status from campaign where id = @id for update
        """;

    private const string InsertSql = """
        insert into campaign (title, objective, key_asks, scope, region_id, status, lead_id, starts_on, ends_on)
        values (@Title, @Objective, @KeyAsks, @Scope, @RegionId, @Status, @LeadId, @StartsOn, @EndsOn)
        returning id
        """;

    private const string UpdateSql = """
        update campaign
        set title = @Title, objective = @Objective, key_asks = @KeyAsks, scope = @Scope, region_id = @RegionId,
            status = @Status, lead_id = @LeadId, starts_on = @StartsOn, ends_on = @EndsOn, updated_at = now()
        where id = @Id
        """;

    private const string ReplaceLinksSql = """
        delete from campaign_country where campaign_id = @id and not (country_code = any(@countryCodes));
        insert into campaign_country (campaign_id, country_code)
        select @id, code from unnest(@countryCodes) as chosen (code) on conflict do nothing;
        delete from campaign_member where campaign_id = @id and not (organisation_id = any(@memberIds));
        insert into campaign_member (campaign_id, organisation_id)
        select @id, organisation_id from unnest(@memberIds) as chosen (organisation_id) on conflict do nothing;
        """;

    public sealed record InputModel
    {
        public string? Title { get; set; }
        public string? Objective { get; set; }
        public string? KeyAsks { get; set; }
        public string Scope { get; set; } = "national";
        public long? RegionId { get; set; }
        public string Status { get; set; } = "planning";
        public long? LeadId { get; set; }
        public DateOnly? StartsOn { get; set; }
        public DateOnly? EndsOn { get; set; }

        /// <summary>ISO 3166-1 alpha-2 codes separated by commas or spaces.</summary>
        public string? CountryCodes { get; set; }

        public IList<long> MemberIds { get; init; } = [];
    }

    // Properties, not a positional record: Dapper matches constructors by exact column types, and an array column reads as System.Array.
    private sealed record CampaignRow
    {
        public string Title { get; init; } = "";
        public string? Objective { get; init; }
        public string? KeyAsks { get; init; }
        public string Scope { get; init; } = "national";
        public long? RegionId { get; init; }
        public string Status { get; init; } = "planning";
        public long? LeadId { get; init; }
        public DateOnly? StartsOn { get; init; }
        public DateOnly? EndsOn { get; init; }
        public string CountryCodes { get; init; } = "";
        public long[] MemberIds { get; init; } = [];
    }

    private sealed record CampaignValues(
        long Id, string Title, string? Objective, string? KeyAsks, string Scope, long? RegionId, string Status, long? LeadId,
        DateOnly? StartsOn, DateOnly? EndsOn);

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public long? Id { get; private set; }

    /// <summary>The stored status: the status select offers only the moves allowed from it.</summary>
    public string CurrentStatus { get; private set; } = "planning";

    public Lookups Lookups { get; private set; } = null!;

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Lookups = await Lookups.LoadAsync(db, places, ct);
        if (id is null)
        {
            Input.LeadId = Actor.From(User).StaffId;
            return Page();
        }
        var row = await db.QuerySingleOrDefaultAsync<CampaignRow>(new CommandDefinition(LoadSql, new { id }, cancellationToken: ct));
        if (row is null)
        {
            return NotFound();
        }
        Id = id;
        CurrentStatus = row.Status;
        Input = new InputModel
        {
            Title = row.Title, Objective = row.Objective, KeyAsks = row.KeyAsks, Scope = row.Scope, RegionId = row.RegionId,
            Status = row.Status, LeadId = row.LeadId, StartsOn = row.StartsOn, EndsOn = row.EndsOn,
            CountryCodes = row.CountryCodes, MemberIds = row.MemberIds.ToList(),
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Lookups = await Lookups.LoadAsync(db, places, ct);
        Id = id;
        await using var tx = await db.BeginTransactionAsync(ct);
        if (id is not null)
        {
            var status = await db.ExecuteScalarAsync<string?>(new CommandDefinition(LockSql, new { id }, tx, cancellationToken: ct));
            if (status is null)
            {
                return NotFound();
            }
            CurrentStatus = status;
        }
        var countries = Validate(ModelState, Input, Lookups, id is null ? null : CurrentStatus);
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var values = new CampaignValues(id ?? 0, Input.Title!, Input.Objective, Input.KeyAsks, Input.Scope, Input.RegionId,
            Input.Status, Input.LeadId, Input.StartsOn, Input.EndsOn);
        var actor = Actor.From(User);
        var campaignId = id ?? await db.ExecuteScalarAsync<long>(new CommandDefinition(InsertSql, values, tx, cancellationToken: ct));
        if (id is not null)
        {
            await db.ExecuteAsync(new CommandDefinition(UpdateSql, values, tx, cancellationToken: ct));
        }
        var memberIds = Input.MemberIds.Distinct().Order().ToArray();
        await db.ExecuteAsync(new CommandDefinition(ReplaceLinksSql, new { id = campaignId, countryCodes = countries, memberIds }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, actor, id is null ? "campaign.create" : "campaign.update", "campaign", campaignId, new
        {
            title = values.Title,
            scope = values.Scope,
            region_id = values.RegionId,
            status = values.Status,
            previous_status = id is null ? null : CurrentStatus,
            lead_id = values.LeadId,
            starts_on = values.StartsOn,
            ends_on = values.EndsOn,
            countries,
            members = memberIds,
        }, ct);
        await tx.CommitAsync(ct);
        Flash = id is null ? "Campaign created." : "Campaign saved.";
        return LocalRedirect($"/campaigns/{campaignId}");
    }

    /// <summary>Adds field errors and tidies the input; returns the chosen country codes, upper case, without repeats.</summary>
    private static string[] Validate(ModelStateDictionary modelState, InputModel input, Lookups lookups, string? currentStatus)
    {
        input.Title = input.Title?.Trim();
        if (string.IsNullOrEmpty(input.Title))
        {
            modelState.AddModelError("Input.Title", "Enter a title.");
        }
        else if (input.Title.Length > MaxTitleLength)
        {
            modelState.AddModelError("Input.Title", $"Keep the title to {MaxTitleLength} characters (it has {input.Title.Length}).");
        }
        input.Objective = Blank(input.Objective);
        input.KeyAsks = Blank(input.KeyAsks);
        if (!Vocabulary.Contains(Vocabulary.Jurisdictions, input.Scope))
        {
            modelState.AddModelError("Input.Scope", "Choose national, regional or international.");
        }
        if (!Vocabulary.Contains(CampaignVocabulary.Statuses, input.Status))
        {
            modelState.AddModelError("Input.Status", "Choose a status from the list.");
        }
        else if (currentStatus is not null && !CampaignVocabulary.CanMove(currentStatus, input.Status))
        {
            modelState.AddModelError("Input.Status",
                $"A campaign cannot go back from {Vocabulary.Label(CampaignVocabulary.Statuses, currentStatus).ToLowerInvariant()} to {Vocabulary.Label(CampaignVocabulary.Statuses, input.Status).ToLowerInvariant()}: it only moves forward, or to archived.");
        }
        if (input.RegionId is long regionId && lookups.Regions.All(r => r.Id != regionId))
        {
            modelState.AddModelError("Input.RegionId", "Choose a region from the list.");
        }
        if (input.LeadId is long leadId && lookups.Staff.All(s => s.Id != leadId))
        {
            modelState.AddModelError("Input.LeadId", "Choose a lead from the list of active staff.");
        }
        if (input.StartsOn is DateOnly starts && input.EndsOn is DateOnly ends && ends < starts)
        {
            modelState.AddModelError("Input.EndsOn", "The end date is before the start date. Pick the start date or later.");
        }
        foreach (var memberId in input.MemberIds.Distinct().Where(m => lookups.Members.All(o => o.Id != m)))
        {
            modelState.AddModelError("Input.MemberIds", $"There is no member organisation with id {memberId}.");
        }

        var codes = (input.CountryCodes ?? "")
            .Split([',', ' ', ';', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries)
            .Select(c => c.ToUpperInvariant())
            .Distinct()
            .ToArray();
        var unknown = codes.Where(c => !lookups.IsCountry(c)).ToList();
        if (unknown.Count > 0)
        {
            modelState.AddModelError("Input.CountryCodes", $"Not a country code: {string.Join(", ", unknown)}. Use two-letter ISO codes such as MD or SE.");
        }
        input.CountryCodes = string.Join(", ", codes);
        return codes;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}
