using Child10.Advocacy.Web.Features.SignOff;
using Child10.Advocacy.Web.Features.Statements;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Statements;

/// <summary>Adds a national or regional variant of a core statement, its version 1 adapted from the core's latest version.</summary>
[Authorize(Policy = Policies.CanEdit)]
public sealed class NewVariantModel(NpgsqlDataSource dataSource, Places places, RoundSupersession supersession) : PageModel
{
    private const string LockCoreSql = "select status from statement where id = @id and core_id is null for update";

    private const string DuplicateSql = """
        select id from statement
        where core_id = @coreId and coalesce(country_code, '--') = coalesce(@CountryCode, '--')
          and coalesce(region_id, 0) = coalesce(@RegionId, 0) and language = @Language
        """;

    private const string InsertSql = """
        insert into statement (campaign_id, kind, scope, title, core_id, region_id, country_code, language, planned_release_on, lead_id, created_by)
        select campaign_id, kind, @scope, @Title, id, @RegionId, @CountryCode, @Language, @PlannedReleaseOn, lead_id, @createdBy
        from statement where id = @coreId
        returning id
        """;

    public sealed record InputModel
    {
        public string? CountryCode { get; set; }
        public long? RegionId { get; set; }
        public string? Language { get; set; }
        public string? Title { get; set; }
        public string? Body { get; set; }
        public DateOnly? PlannedReleaseOn { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public StatementHead Core { get; private set; } = null!;

    public VersionRow CoreLatest { get; private set; } = null!;

    public Lookups Lookups { get; private set; } = null!;

    /// <summary>The countries of the core's campaign, offered first.</summary>
    public IReadOnlyList<string> CampaignCountries { get; private set; } = [];

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await LoadAsync(db, id, ct))
        {
            return NotFound();
        }
        Input = new InputModel { Title = CoreLatest.Title, Body = CoreLatest.Body, PlannedReleaseOn = Core.PlannedReleaseOn };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await LoadAsync(db, id, ct))
        {
            return NotFound();
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        var coreStatus = await db.ExecuteScalarAsync<string?>(new CommandDefinition(LockCoreSql, new { id }, tx, cancellationToken: ct));
        if (coreStatus == "withdrawn")
        {
            ModelState.AddModelError(string.Empty, "The core statement is withdrawn: it takes no new variants.");
        }
        Input.CountryCode = string.IsNullOrWhiteSpace(Input.CountryCode) ? null : Input.CountryCode.Trim().ToUpperInvariant();
        if (Input.CountryCode is null == Input.RegionId is null)
        {
            ModelState.AddModelError("Input.CountryCode", "Choose either a country (a national variant) or a region (a regional variant), not both.");
        }
        else if (Input.CountryCode is not null && !Lookups.IsCountry(Input.CountryCode))
        {
            ModelState.AddModelError("Input.CountryCode", "Choose a country from the list.");
        }
        else if (Input.RegionId is long regionId && Lookups.Regions.All(r => r.Id != regionId))
        {
            ModelState.AddModelError("Input.RegionId", "Choose a region from the list.");
        }
        if (!Vocabulary.Contains(Vocabulary.Languages, Input.Language))
        {
            ModelState.AddModelError("Input.Language", "Choose the language of the variant.");
        }
        Input.Title = StatementInput.Title(ModelState, "Input.Title", Input.Title);
        Input.Body = StatementInput.Body(ModelState, "Input.Body", Input.Body);
        if (ModelState.IsValid)
        {
            var existing = await db.ExecuteScalarAsync<long?>(new CommandDefinition(DuplicateSql, new { coreId = id, Input.CountryCode, Input.RegionId, Input.Language }, tx, cancellationToken: ct));
            if (existing is not null)
            {
                var place = Input.CountryCode is not null ? Lookups.CountryName(Input.CountryCode) : Lookups.Regions.First(r => r.Id == Input.RegionId).Name;
                ModelState.AddModelError("Input.CountryCode",
                    $"This statement already has a variant for {place} in {Vocabulary.Label(Vocabulary.Languages, Input.Language)}. Write a new version of that variant instead.");
            }
        }
        if (!ModelState.IsValid)
        {
            await tx.RollbackAsync(ct);
            return Page();
        }
        var actor = Actor.From(User);
        var scope = Input.CountryCode is not null ? "national" : "regional";
        var variantId = await db.ExecuteScalarAsync<long>(new CommandDefinition(InsertSql, new
        {
            coreId = id, scope, Input.Title, Input.RegionId, Input.CountryCode, Input.Language, Input.PlannedReleaseOn, createdBy = actor.StaffId,
        }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, actor, "statement.create_variant", "statement", variantId, new
        {
            core_id = id, country_code = Input.CountryCode, region_id = Input.RegionId, language = Input.Language, title = Input.Title,
            planned_release_on = Input.PlannedReleaseOn, core_version = CoreLatest.Number,
        }, ct);
        await StatementVersions.WriteAsync(db, tx, supersession, actor, variantId, Input.Title!, Input.Body!,
            $"Adapted from core version {CoreLatest.Number}.", CoreLatest.Id, ct);
        await tx.CommitAsync(ct);
        Flash = "Variant added as version 1.";
        return LocalRedirect($"/statements/{variantId}");
    }

    private async Task<bool> LoadAsync(NpgsqlConnection db, long id, CancellationToken ct)
    {
        var head = await StatementQueries.HeadAsync(db, id, ct);
        var latest = head is null || head.IsVariant ? null : await StatementVersions.LatestAsync(db, id, ct);
        if (head is null || latest is null)
        {
            return false;
        }
        Core = head;
        CoreLatest = latest;
        Lookups = await Lookups.LoadAsync(db, places, ct);
        CampaignCountries = (await db.QueryAsync<string>(new CommandDefinition(
            "select country_code from campaign_country where campaign_id = @campaignId", new { campaignId = head.CampaignId }, cancellationToken: ct))).ToList();
        return true;
    }
}
