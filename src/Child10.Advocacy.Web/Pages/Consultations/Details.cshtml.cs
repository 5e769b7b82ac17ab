using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Consultations;

public sealed class DetailsModel(NpgsqlDataSource dataSource, IAuthorizationService authorizationService) : PageModel
{
    private const string Sql = """
        select c.id, c.title, c.url, c.scope, c.opens_at, c.closes_at, c.institution_time_zone, c.status,
               c.institution_id, o.name as institution, s.display_name as responsible,
               c.campaign_id, k.title as campaign, c.submitted_version_id, c.submitted_on, c.submission_reference,
               c.outcome_notes, c.created_at, c.updated_at
        from consultation c
        join organisation o on o.id = c.institution_id
        left join staff_user s on s.id = c.responsible_id
        left join campaign k on k.id = c.campaign_id
        where c.id = @id;

        select o.id, o.name
        from consultation_member m join organisation o on o.id = m.organisation_id
        where m.consultation_id = @id
        order by o.name_sort_key, o.id;
        """;

    public sealed record ConsultationRow(
        long Id, string Title, string? Url, string Scope, DateTime? OpensAt, DateTime ClosesAt, string InstitutionTimeZone, string Status,
        long InstitutionId, string Institution, string? Responsible, long? CampaignId, string? Campaign, long? SubmittedVersionId,
        DateOnly? SubmittedOn, string? SubmissionReference, string? OutcomeNotes, DateTime CreatedAt, DateTime UpdatedAt);

    public sealed record MemberRow(long Id, string Name);

    public ConsultationRow Consultation { get; private set; } = null!;

    public IReadOnlyList<MemberRow> Members { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public DateTimeOffset Now { get; } = DateTimeOffset.UtcNow;

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(Sql, new { id }, cancellationToken: ct));
        var row = await reader.ReadSingleOrDefaultAsync<ConsultationRow>();
        if (row is null)
        {
            return NotFound();
        }
        Consultation = row;
        Members = (await reader.ReadAsync<MemberRow>()).ToList();
        CanEdit = (await authorizationService.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        return Page();
    }
}
