using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.People;

/// <summary>Creates (/stakeholders/people/new, New.cshtml) and edits (/stakeholders/people/{id}/edit) a person.</summary>
[Authorize(Policy = Policies.CanEdit)]
public sealed class EditModel(NpgsqlDataSource dataSource, Places places) : PageModel
{
    private const string PersonSql = """
        select full_name, position, category, organisation_id, email, phone, country_code, preferred_language,
               jurisdiction, owner_staff_id, owner_organisation_id, data_source, lawful_basis,
               privacy_notice_sent_on, do_not_contact, erased_at is not null as erased
        from person
        where id = @id
        """;

    private const string LockPersonSql = PersonSql + " for update";

    private const string ThemeIdsSql = "select theme_id from person_theme where person_id = @id order by theme_id";

    private const string OrganisationsSql = "select id, name from organisation order by name_sort_key, id";

    private const string OrganisationExistsSql = "select exists (select 1 from organisation where id = @id)";

    private const string EmailOwnerSql = """
        select id, full_name
        from person
        where email_normalised = @email and id is distinct from @id
        limit 1
        """;

    // Someone of the same name (ignoring case and accents) at the same organisation, or with no organisation on either
    // side: most likely the person being added again. person_name_sort_idx finds them.
    private const string SameNameSql = """
        select p.id, p.full_name, p.position, o.name as organisation_name, p.email
        from person p
        left join organisation o on o.id = p.organisation_id
        where p.name_sort_key = sort_key(@name) and p.erased_at is null
          and p.organisation_id is not distinct from @organisationId
        order by p.id
        limit 5
        """;

    private const string InsertSql = """
        insert into person (full_name, position, category, organisation_id, email, phone, country_code,
                            preferred_language, jurisdiction, owner_staff_id, owner_organisation_id, data_source,
                            lawful_basis, privacy_notice_sent_on, do_not_contact)
        values (@FullName, @Position, @Category, @OrganisationId, @Email, @Phone, @CountryCode,
                @PreferredLanguage, @Jurisdiction, @OwnerStaffId, @OwnerOrganisationId, @DataSource,
                @LawfulBasis, @PrivacyNoticeSentOn, @DoNotContact)
        returning id
        """;

    private const string UpdateSql = """
        update person
        set full_name = @FullName, position = @Position, category = @Category, organisation_id = @OrganisationId,
            email = @Email, phone = @Phone, country_code = @CountryCode, preferred_language = @PreferredLanguage,
            jurisdiction = @Jurisdiction, owner_staff_id = @OwnerStaffId, owner_organisation_id = @OwnerOrganisationId,
            data_source = @DataSource, lawful_basis = @LawfulBasis, privacy_notice_sent_on = @PrivacyNoticeSentOn,
            do_not_contact = @DoNotContact, updated_at = now()
        where id = @Id and erased_at is null
        """;

    private const string ReplaceThemesSql = """
        delete from person_theme where person_id = @id;
        insert into person_theme (person_id, theme_id)
        select @id, theme_id from unnest(@themeIds) as theme_id;
        """;

    /// <summary>The form; strings stay nullable so blank fields reach the rules below instead of model binding.</summary>
    public sealed record PersonInput
    {
        public string? FullName { get; init; }

        public string? Position { get; init; }

        public string? Category { get; init; } = "decision_maker";

        public long? OrganisationId { get; init; }

        public string? Email { get; init; }

        public string? Phone { get; init; }

        public string? CountryCode { get; init; }

        public string? PreferredLanguage { get; init; } = "en";

        public string? Jurisdiction { get; init; }

        public long[] ThemeIds { get; init; } = [];

        public long? OwnerStaffId { get; init; }

        public long? OwnerOrganisationId { get; init; }

        public string? DataSource { get; init; }

        public string? LawfulBasis { get; init; }

        public DateOnly? PrivacyNoticeSentOn { get; init; }

        public bool DoNotContact { get; init; }

        /// <summary>The user has seen the people of the same name and says this is someone else.</summary>
        public bool DifferentPerson { get; init; }
    }

    public sealed record PossibleDuplicate(long Id, string FullName, string? Position, string? OrganisationName, string? Email);

    /// <summary>A person as stored; also what the form compares against to name the changed fields.</summary>
    public sealed record Stored(
        string FullName,
        string? Position,
        string Category,
        long? OrganisationId,
        string? Email,
        string? Phone,
        string? CountryCode,
        string PreferredLanguage,
        string? Jurisdiction,
        long? OwnerStaffId,
        long? OwnerOrganisationId,
        string? DataSource,
        string? LawfulBasis,
        DateOnly? PrivacyNoticeSentOn,
        bool DoNotContact,
        bool Erased)
    {
        public long[] ThemeIds { get; init; } = [];
    }

    public sealed record OrganisationOption(long Id, string Name);

    public sealed record EmailOwner(long Id, string FullName);

    [BindProperty]
    public PersonInput Input { get; set; } = new();

    public long? PersonId { get; private set; }

    public string? StoredName { get; private set; }

    public Lookups Lists { get; private set; } = null!;

    public IReadOnlyList<OrganisationOption> Organisations { get; private set; } = [];

    /// <summary>People already on record whom a new person may duplicate; the form asks before adding them.</summary>
    public IReadOnlyList<PossibleDuplicate> PossibleDuplicates { get; private set; } = [];

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long? id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (id is long personId)
        {
            var stored = await LoadAsync(db, null, personId, lockRow: false, ct);
            if (stored is null)
            {
                return NotFound();
            }
            if (stored.Erased)
            {
                return LocalRedirect($"/stakeholders/people/{personId}");
            }
            PersonId = personId;
            StoredName = stored.FullName;
            Input = FromStored(stored);
        }
        await LoadListsAsync(db, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long? id, CancellationToken ct)
    {
        PersonId = id;
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await LoadListsAsync(db, ct);
        var person = await ValidateAsync(db, id, ct);
        if (person is null)
        {
            return await RedisplayAsync(db, id, ct);
        }
        if (id is null && !Input.DifferentPerson)
        {
            PossibleDuplicates = (await db.QueryAsync<PossibleDuplicate>(new CommandDefinition(
                SameNameSql, new { name = person.FullName, organisationId = person.OrganisationId }, cancellationToken: ct))).ToList();
            if (PossibleDuplicates.Count > 0)
            {
                ModelState.AddModelError("Input.DifferentPerson", PossibleDuplicates.Count == 1
                    ? $"{PossibleDuplicates[0].FullName} is already on record{At(PossibleDuplicates[0])}. Open the record to check it is not the same person, or tick \"This is a different person\"."
                    : $"{PossibleDuplicates.Count} people called {person.FullName} are already on record{At(PossibleDuplicates[0])}. Check they are not the same person, or tick \"This is a different person\".");
                return await RedisplayAsync(db, id, ct);
            }
        }

        await using var tx = await db.BeginTransactionAsync(ct);
        var actor = Actor.From(User);
        long personId;
        try
        {
            if (id is long existingId)
            {
                var before = await LoadAsync(db, tx, existingId, lockRow: true, ct);
                if (before is null)
                {
                    return NotFound();
                }
                if (before.Erased)
                {
                    return LocalRedirect($"/stakeholders/people/{existingId}");
                }
                var changed = ChangedFields(before, person);
                await db.ExecuteAsync(new CommandDefinition(UpdateSql, Arguments(person, existingId), tx, cancellationToken: ct));
                await db.ExecuteAsync(new CommandDefinition(ReplaceThemesSql, new { id = existingId, themeIds = person.ThemeIds }, tx, cancellationToken: ct));
                await db.RecordAsync(tx, actor, "person.update", "person", existingId, new { changed }, ct);
                personId = existingId;
            }
            else
            {
                personId = await db.ExecuteScalarAsync<long>(new CommandDefinition(InsertSql, Arguments(person, null), tx, cancellationToken: ct));
                await db.ExecuteAsync(new CommandDefinition(ReplaceThemesSql, new { id = personId, themeIds = person.ThemeIds }, tx, cancellationToken: ct));
                var fields = ChangedFields(null, person);
                await db.RecordAsync(tx, actor, "person.create", "person", personId, new { fields }, ct);
            }
            await tx.CommitAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation && ex.ConstraintName == "person_email_uq")
        {
            // Someone else saved the address between the check and the write.
            await tx.RollbackAsync(ct);
            ModelState.AddModelError("Input.Email", $"Another person already has the address {person.Email}.");
            return await RedisplayAsync(db, id, ct);
        }
        Flash = id is null ? $"{person.FullName} added." : "Changes saved.";
        return LocalRedirect($"/stakeholders/people/{personId}");
    }

    private static string At(PossibleDuplicate duplicate) =>
        duplicate.OrganisationName is { } organisation ? $" at {organisation}" : " with no organisation";

    private async Task<IActionResult> RedisplayAsync(NpgsqlConnection db, long? id, CancellationToken ct)
    {
        if (id is long personId)
        {
            var stored = await LoadAsync(db, null, personId, lockRow: false, ct);
            if (stored is null)
            {
                return NotFound();
            }
            if (stored.Erased)
            {
                return LocalRedirect($"/stakeholders/people/{personId}");
            }
            StoredName = stored.FullName;
        }
        return Page();
    }

    /// <summary>The cleaned values, or null after adding a message at every field that is wrong.</summary>
    private async Task<Stored?> ValidateAsync(NpgsqlConnection db, long? id, CancellationToken ct)
    {
        var input = Input;
        var name = Clean(input.FullName);
        if (name is null)
        {
            ModelState.AddModelError("Input.FullName", "Enter the person's name.");
        }
        else if (name.Length > Rules.MaxNameLength)
        {
            ModelState.AddModelError("Input.FullName", $"Keep the name to {Rules.MaxNameLength} characters.");
        }
        var position = Clean(input.Position);
        if (position is { Length: > Rules.MaxNameLength })
        {
            ModelState.AddModelError("Input.Position", $"Keep the position to {Rules.MaxNameLength} characters.");
        }
        var category = Clean(input.Category) ?? "other";
        if (!Vocabulary.Contains(Vocabulary.PersonCategories, category))
        {
            ModelState.AddModelError("Input.Category", "Choose a category from the list.");
        }

        var email = Clean(input.Email);
        if (Rules.EmailProblem(email) is { } emailProblem)
        {
            ModelState.AddModelError("Input.Email", char.ToUpperInvariant(emailProblem[0]) + emailProblem[1..] + ".");
        }
        else if (Rules.NormaliseEmail(email) is { } normalised)
        {
            var owner = await db.QuerySingleOrDefaultAsync<EmailOwner>(
                new CommandDefinition(EmailOwnerSql, new { email = normalised, id }, cancellationToken: ct));
            if (owner is not null)
            {
                ModelState.AddModelError("Input.Email", $"{owner.FullName} (person {owner.Id}) already has this address.");
            }
        }
        var phone = Clean(input.Phone);
        if (phone is { Length: > 50 })
        {
            ModelState.AddModelError("Input.Phone", "Keep the phone number to 50 characters.");
        }

        var country = Rules.NormaliseCountry(input.CountryCode);
        if (country is not null && !Lists.IsCountry(country))
        {
            ModelState.AddModelError("Input.CountryCode", $"'{country}' is not a known ISO 3166-1 country code.");
        }
        var language = Clean(input.PreferredLanguage)?.ToLowerInvariant() ?? "en";
        if (!Rules.IsLanguageCode(language))
        {
            ModelState.AddModelError("Input.PreferredLanguage", "Choose a language from the list.");
        }
        var jurisdiction = Clean(input.Jurisdiction);
        if (jurisdiction is not null && !Vocabulary.Contains(Vocabulary.Jurisdictions, jurisdiction))
        {
            ModelState.AddModelError("Input.Jurisdiction", "Choose national, regional or international, or leave it blank.");
        }
        var lawfulBasis = Clean(input.LawfulBasis);
        if (lawfulBasis is not null && !Vocabulary.Contains(Vocabulary.LawfulBases, lawfulBasis))
        {
            ModelState.AddModelError("Input.LawfulBasis", "Choose a lawful basis from the list, or leave it blank.");
        }
        var dataSource = Clean(input.DataSource);
        if (dataSource is { Length: > Rules.MaxNameLength })
        {
            ModelState.AddModelError("Input.DataSource", $"Keep the source to {Rules.MaxNameLength} characters.");
        }

        if (input.OrganisationId is long organisationId
            && !await db.ExecuteScalarAsync<bool>(new CommandDefinition(OrganisationExistsSql, new { id = organisationId }, cancellationToken: ct)))
        {
            ModelState.AddModelError("Input.OrganisationId", $"There is no organisation {organisationId}; choose one from the list.");
        }
        if (input.OwnerStaffId is not null && input.OwnerOrganisationId is not null)
        {
            ModelState.AddModelError("Input.OwnerOrganisationId", "Choose a staff member or a member organisation as relationship owner, not both.");
        }
        else if (input.OwnerStaffId is long staffId && Lists.Staff.All(s => s.Id != staffId))
        {
            ModelState.AddModelError("Input.OwnerStaffId", "Choose an active staff member from the list.");
        }
        else if (input.OwnerOrganisationId is long memberId && Lists.Members.All(m => m.Id != memberId))
        {
            ModelState.AddModelError("Input.OwnerOrganisationId", "Choose a member organisation from the list.");
        }
        var themeIds = (input.ThemeIds ?? []).Distinct().ToArray();
        if (themeIds.Any(t => Lists.Themes.All(theme => theme.Id != t)))
        {
            ModelState.AddModelError("Input.ThemeIds", "One of the policy areas no longer exists; reload the page.");
        }

        if (!ModelState.IsValid)
        {
            return null;
        }
        return new Stored(name!, position, category, input.OrganisationId, email, phone, country, language, jurisdiction,
            input.OwnerStaffId, input.OwnerOrganisationId, dataSource, lawfulBasis, input.PrivacyNoticeSentOn,
            input.DoNotContact, Erased: false) { ThemeIds = themeIds };
    }

    private static async Task<Stored?> LoadAsync(NpgsqlConnection db, NpgsqlTransaction? tx, long id, bool lockRow, CancellationToken ct)
    {
        var stored = await db.QuerySingleOrDefaultAsync<Stored>(new CommandDefinition(lockRow ? LockPersonSql : PersonSql, new { id }, tx, cancellationToken: ct));
        return stored is null
            ? null
            : stored with { ThemeIds = (await db.QueryAsync<long>(new CommandDefinition(ThemeIdsSql, new { id }, tx, cancellationToken: ct))).ToArray() };
    }

    private async Task LoadListsAsync(NpgsqlConnection db, CancellationToken ct)
    {
        Lists = await Lookups.LoadAsync(db, places, ct);
        // A plain select is fine for a few thousand organisations; past that this wants a type-ahead.
        Organisations = (await db.QueryAsync<OrganisationOption>(new CommandDefinition(OrganisationsSql, cancellationToken: ct))).ToList();
    }

    private static PersonInput FromStored(Stored s) => new()
    {
        FullName = s.FullName,
        Position = s.Position,
        Category = s.Category,
        OrganisationId = s.OrganisationId,
        Email = s.Email,
        Phone = s.Phone,
        CountryCode = s.CountryCode,
        PreferredLanguage = s.PreferredLanguage,
        Jurisdiction = s.Jurisdiction,
        ThemeIds = s.ThemeIds,
        OwnerStaffId = s.OwnerStaffId,
        OwnerOrganisationId = s.OwnerOrganisationId,
        DataSource = s.DataSource,
        LawfulBasis = s.LawfulBasis,
        PrivacyNoticeSentOn = s.PrivacyNoticeSentOn,
        DoNotContact = s.DoNotContact,
    };

    private static object Arguments(Stored p, long? id) => new
    {
        Id = id,
        p.FullName,
        p.Position,
        p.Category,
        p.OrganisationId,
        p.Email,
        p.Phone,
        p.CountryCode,
        p.PreferredLanguage,
        p.Jurisdiction,
        p.OwnerStaffId,
        p.OwnerOrganisationId,
        p.DataSource,
        p.LawfulBasis,
        p.PrivacyNoticeSentOn,
        p.DoNotContact,
    };

    /// <summary>The names (never the values) of the fields that differ; for a new person, the fields given.</summary>
    private static List<string> ChangedFields(Stored? before, Stored after)
    {
        var changed = new List<string>();
        void Compare<T>(string field, T? old, T? now, bool given)
        {
            if (before is null ? given : !EqualityComparer<T>.Default.Equals(old, now))
            {
                changed.Add(field);
            }
        }
        Compare("full_name", before?.FullName, after.FullName, true);
        Compare("position", before?.Position, after.Position, after.Position is not null);
        Compare("category", before?.Category, after.Category, true);
        Compare("organisation_id", before?.OrganisationId, after.OrganisationId, after.OrganisationId is not null);
        Compare("email", before?.Email, after.Email, after.Email is not null);
        Compare("phone", before?.Phone, after.Phone, after.Phone is not null);
        Compare("country_code", before?.CountryCode, after.CountryCode, after.CountryCode is not null);
        Compare("preferred_language", before?.PreferredLanguage, after.PreferredLanguage, true);
        Compare("jurisdiction", before?.Jurisdiction, after.Jurisdiction, after.Jurisdiction is not null);
        Compare("owner_staff_id", before?.OwnerStaffId, after.OwnerStaffId, after.OwnerStaffId is not null);
        Compare("owner_organisation_id", before?.OwnerOrganisationId, after.OwnerOrganisationId, after.OwnerOrganisationId is not null);
        Compare("data_source", before?.DataSource, after.DataSource, after.DataSource is not null);
        Compare("lawful_basis", before?.LawfulBasis, after.LawfulBasis, after.LawfulBasis is not null);
        Compare("privacy_notice_sent_on", before?.PrivacyNoticeSentOn, after.PrivacyNoticeSentOn, after.PrivacyNoticeSentOn is not null);
        Compare("do_not_contact", before?.DoNotContact, after.DoNotContact, after.DoNotContact);
        var themesBefore = before?.ThemeIds.Order().ToArray() ?? [];
        if (!themesBefore.SequenceEqual(after.ThemeIds.Order()))
        {
            changed.Add("policy_areas");
        }
        return changed;
    }

    private static string? Clean(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
