using System.Globalization;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.Organisations;

/// <summary>Creates (New.cshtml, /stakeholders/organisations/new) and edits (Edit.cshtml) an organisation with its themes.</summary>
[Authorize(Policy = Policies.CanEdit)]
public sealed class EditModel(NpgsqlDataSource dataSource, Places places) : PageModel
{
    private const int MaxWebsiteLength = 500;

    private const string LoadSql = """
        select o.name, o.kind, o.award_year, o.country_code, o.region_id, o.website, o.notes,
               coalesce((select array_agg(ot.theme_id order by ot.theme_id)
                           from organisation_theme ot where ot.organisation_id = o.id), '{}') as theme_ids
        from organisation o
        where o.id = @id
        """;

    private const string DuplicateSql = """
        select exists (
            select 1 from organisation
            where lower(name) = lower(@name) and coalesce(country_code, '--') = coalesce(cast(@countryCode as char(2)), '--')
              and id <> coalesce(@id, 0))
        """;

    private const string InsertSql = """
        insert into organisation (name, kind, award_year, country_code, region_id, website, notes)
        values (@name, @kind, @awardYear, @countryCode, @regionId, @website, @notes)
        returning id
        """;

    private const string UpdateSql = """
        update organisation
        set name = @name, kind = @kind, award_year = @awardYear, country_code = @countryCode, region_id = @regionId,
            website = @website, notes = @notes, updated_at = now()
        where id = @id
        returning id
        """;

    private const string ReplaceThemesSql = """
        delete from organisation_theme where organisation_id = @id and not (theme_id = any(@themeIds));
        insert into organisation_theme (organisation_id, theme_id)
        select @id, theme_id from unnest(@themeIds) as chosen (theme_id)
        on conflict do nothing;
        """;

    public sealed record InputModel
    {
        public string? Name { get; set; }
        public string? Kind { get; set; }
        public int? AwardYear { get; set; }
        public string? CountryCode { get; set; }
        public long? RegionId { get; set; }
        public List<long> ThemeIds { get; set; } = [];
        public string? Website { get; set; }
        public string? Notes { get; set; }
    }

    // Settable properties: Dapper cannot match Npgsql's array columns (System.Array) to a constructor.
    private sealed record Stored
    {
        public string Name { get; init; } = "";
        public string Kind { get; init; } = "";
        public int? AwardYear { get; init; }
        public string? CountryCode { get; init; }
        public long? RegionId { get; init; }
        public string? Website { get; init; }
        public string? Notes { get; init; }
        public long[] ThemeIds { get; init; } = [];
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public long? Id { get; private set; }

    public Lookups Lookups { get; private set; } = null!;

    public static int LatestAwardYear => DateTime.UtcNow.Year + 1;

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        Id = id;
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Lookups = await Lookups.LoadAsync(db, places, ct);
        if (id is null)
        {
            Input = new InputModel { Kind = "member" };
            return Page();
        }
        var stored = await db.QuerySingleOrDefaultAsync<Stored>(new CommandDefinition(LoadSql, new { id }, cancellationToken: ct));
        if (stored is null)
        {
            return NotFound();
        }
        Input = new InputModel
        {
            Name = stored.Name,
            Kind = stored.Kind,
            AwardYear = stored.AwardYear,
            CountryCode = stored.CountryCode,
            RegionId = stored.RegionId,
            ThemeIds = [.. stored.ThemeIds],
            // Older records and imports may hold a bare host name; offer it as a full address.
            Website = stored.Website is { } w && !w.Contains("://", StringComparison.Ordinal) ? "https://" + w : stored.Website,
            Notes = stored.Notes,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        Id = id;
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Lookups = await Lookups.LoadAsync(db, places, ct);

        var name = Input.Name?.Trim() ?? "";
        var countryCode = Rules.NormaliseCountry(Input.CountryCode);
        var website = string.IsNullOrWhiteSpace(Input.Website) ? null : Input.Website.Trim();
        var notes = string.IsNullOrWhiteSpace(Input.Notes) ? null : Input.Notes.Trim();
        var themeIds = Input.ThemeIds.Distinct().ToArray();
        long? regionId = Input.RegionId;

        if (name.Length == 0)
        {
            ModelState.AddModelError("Input.Name", "Enter the organisation's name.");
        }
        else if (name.Length > Rules.MaxNameLength)
        {
            ModelState.AddModelError("Input.Name", $"The name is {name.Length} characters long; at most {Rules.MaxNameLength} are allowed.");
        }
        if (!Vocabulary.Contains(Vocabulary.OrganisationKinds, Input.Kind))
        {
            ModelState.AddModelError("Input.Kind", "Choose the kind of organisation.");
        }
        if (Input.AwardYear is int year)
        {
            if (Input.Kind != "member")
            {
                ModelState.AddModelError("Input.AwardYear", "Only awarded member organisations have an award year: leave it blank, or choose the kind \"Awarded member organisation\".");
            }
            else if (year < 2000 || year > LatestAwardYear)
            {
                ModelState.AddModelError("Input.AwardYear", $"The award year must be between 2000 and {LatestAwardYear}.");
            }
        }
        if (countryCode is not null && !Lookups.IsCountry(countryCode))
        {
            ModelState.AddModelError("Input.CountryCode", $"'{countryCode}' is not a known country code (ISO 3166-1 alpha-2).");
        }
        if (regionId is long chosenRegion && Lookups.Regions.All(r => r.Id != chosenRegion))
        {
            ModelState.AddModelError("Input.RegionId", "Choose one of the listed regions.");
        }
        regionId ??= Lookups.Countries.FirstOrDefault(c => c.Code == countryCode)?.RegionId;
        if (themeIds.Any(t => Lookups.Themes.All(known => known.Id != t)))
        {
            ModelState.AddModelError("Input.ThemeIds", "One of the chosen themes no longer exists; reload the page and choose again.");
        }
        if (website is not null && WebsiteProblem(website) is { } websiteProblem)
        {
            ModelState.AddModelError("Input.Website", websiteProblem);
        }
        if (notes is { Length: > Rules.MaxTextLength })
        {
            ModelState.AddModelError("Input.Notes", $"The notes are {notes.Length} characters long; at most {Rules.MaxTextLength} are allowed.");
        }
        if (!ModelState.IsValid)
        {
            return Page();
        }
        if (await db.ExecuteScalarAsync<bool>(new CommandDefinition(DuplicateSql, new { name, countryCode, id }, cancellationToken: ct)))
        {
            AddDuplicateError(name, countryCode);
            return Page();
        }

        var args = new { id, name, kind = Input.Kind, awardYear = Input.AwardYear, countryCode, regionId, website, notes };
        await using var tx = await db.BeginTransactionAsync(ct);
        long savedId;
        try
        {
            var saved = await db.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(id is null ? InsertSql : UpdateSql, args, tx, cancellationToken: ct));
            if (saved is null)
            {
                return NotFound();
            }
            savedId = saved.Value;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == "organisation_name_country_uq")
        {
            // Someone saved the same name in the same country between the check and the write.
            await tx.RollbackAsync(ct);
            AddDuplicateError(name, countryCode);
            return Page();
        }
        await db.ExecuteAsync(new CommandDefinition(ReplaceThemesSql, new { id = savedId, themeIds }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, Actor.From(User), id is null ? "organisation.create" : "organisation.update", "organisation", savedId,
            new { name, kind = Input.Kind, award_year = Input.AwardYear, country_code = countryCode, region_id = regionId, theme_ids = themeIds, website }, ct);
        await tx.CommitAsync(ct);

        Flash = id is null ? $"{name} was added." : $"Changes to {name} were saved.";
        return Redirect($"/stakeholders/organisations/{savedId.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Null when the address is an absolute http or https URL, else why not.</summary>
    public static string? WebsiteProblem(string website)
    {
        if (website.Length > MaxWebsiteLength)
        {
            return $"The website address is longer than {MaxWebsiteLength} characters.";
        }
        return Uri.TryCreate(website, UriKind.Absolute, out var uri)
               && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
               && uri.Host.Length > 0
            ? null
            : $"'{website}' is not a web address: enter a full address starting with https:// (or http://), or leave it blank.";
    }

    private void AddDuplicateError(string name, string? countryCode) =>
        ModelState.AddModelError("Input.Name", countryCode is null
            ? $"An organisation called '{name}' without a country already exists."
            : $"An organisation called '{name}' already exists in {Lookups.CountryName(countryCode)}.");
}
