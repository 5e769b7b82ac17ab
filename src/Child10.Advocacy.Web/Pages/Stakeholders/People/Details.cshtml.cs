using Child10.Advocacy.Web.Features.Interactions;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.People;

public sealed class DetailsModel(NpgsqlDataSource dataSource, IAuthorizationService authorization) : PageModel
{
    private const string PersonSql = """
        select p.id, p.full_name, p.position, p.category, p.organisation_id, o.name as organisation_name,
               p.email, p.phone, p.country_code, c.name as country_name, p.preferred_language, p.jurisdiction,
               p.owner_staff_id, s.display_name as owner_staff_name,
               p.owner_organisation_id, oo.name as owner_organisation_name,
               p.data_source, p.lawful_basis, p.privacy_notice_sent_on, p.do_not_contact,
               p.erased_at, p.created_at, p.updated_at
        from person p
        left join organisation o on o.id = p.organisation_id
        left join country c on c.code = p.country_code
        left join staff_user s on s.id = p.owner_staff_id
        left join organisation oo on oo.id = p.owner_organisation_id
        where p.id = @id
        """;

    private const int TimelineLength = 50;

    private const string ThemesSql = """
        select t.name
        from person_theme pt
        join theme t on t.id = pt.theme_id
        where pt.person_id = @id
        order by sort_key(t.name)
        """;

    public sealed record PersonRecord(
        long Id,
        string FullName,
        string? Position,
        string Category,
        long? OrganisationId,
        string? OrganisationName,
        string? Email,
        string? Phone,
        string? CountryCode,
        string? CountryName,
        string PreferredLanguage,
        string? Jurisdiction,
        long? OwnerStaffId,
        string? OwnerStaffName,
        long? OwnerOrganisationId,
        string? OwnerOrganisationName,
        string? DataSource,
        string? LawfulBasis,
        DateOnly? PrivacyNoticeSentOn,
        bool DoNotContact,
        DateTime? ErasedAt,
        DateTime CreatedAt,
        DateTime UpdatedAt);

    public PersonRecord Person { get; private set; } = null!;

    public IReadOnlyList<string> Themes { get; private set; } = [];

    public IReadOnlyList<TimelineItem> Interactions { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public bool IsAdmin { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        // The record, its themes and its timeline in one round trip.
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(
            PersonSql + ";\n" + ThemesSql + ";\n" + Timeline.ForPersonSql, new { id, limit = TimelineLength }, cancellationToken: ct));
        var person = await reader.ReadSingleOrDefaultAsync<PersonRecord>();
        if (person is null)
        {
            return NotFound();
        }
        Person = person;
        if (person.ErasedAt is not null)
        {
            return Page();
        }
        Themes = (await reader.ReadAsync<string>()).ToList();
        Interactions = (await reader.ReadAsync<TimelineItem>()).ToList();
        CanEdit = (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        IsAdmin = (await authorization.AuthorizeAsync(User, Policies.AdminOnly)).Succeeded;
        return Page();
    }
}
