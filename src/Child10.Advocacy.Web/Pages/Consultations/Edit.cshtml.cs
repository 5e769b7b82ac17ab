using Child10.Advocacy.Web.Features.Consultations;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Consultations;

[Authorize(Policy = Policies.CanEdit)]
public sealed class EditModel(NpgsqlDataSource dataSource) : PageModel
{
    private const string Sql = """
        select institution_id, title, url, scope, opens_at, closes_at, institution_time_zone, status, responsible_id,
               campaign_id, submitted_version_id, submitted_on, submission_reference, outcome_notes
        from consultation where id = @id;

        select organisation_id from consultation_member where consultation_id = @id;
        """;

    private const string LockSql = "select id from consultation where id = @id for update";

    public sealed record ConsultationRow(
        long InstitutionId, string Title, string? Url, string Scope, DateTime? OpensAt, DateTime ClosesAt, string InstitutionTimeZone,
        string Status, long? ResponsibleId, long? CampaignId, long? SubmittedVersionId, DateOnly? SubmittedOn, string? SubmissionReference,
        string? OutcomeNotes);

    [BindProperty]
    public ConsultationInput Input { get; set; } = new();

    public ConsultationChoices Choices { get; private set; } = null!;

    public long Id { get; private set; }

    public string Title { get; private set; } = "";

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
        var members = (await reader.ReadAsync<long>()).ToList();
        static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
        Id = id;
        Title = row.Title;
        Input = new ConsultationInput
        {
            InstitutionId = row.InstitutionId,
            Title = row.Title,
            Url = row.Url,
            Scope = row.Scope,
            TimeZone = row.InstitutionTimeZone,
            OpensLocal = row.OpensAt is { } opens ? ConsultationTime.ToLocal(Utc(opens), row.InstitutionTimeZone) : null,
            ClosesLocal = ConsultationTime.ToLocal(Utc(row.ClosesAt), row.InstitutionTimeZone),
            Status = row.Status,
            ResponsibleId = row.ResponsibleId,
            CampaignId = row.CampaignId,
            MemberIds = members,
            SubmittedVersionId = row.SubmittedVersionId,
            SubmittedOn = row.SubmittedOn,
            SubmissionReference = row.SubmissionReference,
            OutcomeNotes = row.OutcomeNotes,
        };
        Choices = await ConsultationForm.LoadChoicesAsync(db, Input, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Id = id;
        Title = await db.ExecuteScalarAsync<string?>(new CommandDefinition("select title from consultation where id = @id", new { id }, cancellationToken: ct)) ?? "";
        if (Title.Length == 0)
        {
            return NotFound();
        }
        Choices = await ConsultationForm.LoadChoicesAsync(db, Input, ct);
        // An existing consultation may keep a deadline that has passed: it is being closed or its outcome recorded.
        var (opensAt, closesAt) = ConsultationForm.Validate(Input, Choices, ModelState, isNew: false, DateTimeOffset.UtcNow);
        if (!ModelState.IsValid)
        {
            return Page();
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        if (await db.ExecuteScalarAsync<long?>(new CommandDefinition(LockSql, new { id }, tx, cancellationToken: ct)) is null)
        {
            return NotFound();
        }
        await ConsultationForm.UpdateAsync(db, tx, id, Input, opensAt, closesAt, Actor.From(User), ct);
        await tx.CommitAsync(ct);
        Flash = "Consultation saved.";
        return LocalRedirect($"/consultations/{id}");
    }
}
