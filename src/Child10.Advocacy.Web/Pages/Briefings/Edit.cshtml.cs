using Child10.Advocacy.Web.Features.Briefings;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Briefings;

[Authorize(Policy = Policies.CanEdit)]
public sealed class EditModel(NpgsqlDataSource dataSource) : PageModel
{
    private const string Sql = """
        select campaign_id, title, subject, body, statement_id, attach_pdf, (approved_version = content_version) as approved
        from briefing where id = @id;
        select segment_id from briefing_segment where briefing_id = @id;
        select p.email from briefing_person bp join person p on p.id = bp.person_id where bp.briefing_id = @id and p.email is not null order by p.email;
        """;

    private sealed record BriefingRow(long CampaignId, string Title, string Subject, string Body, long? StatementId, bool AttachPdf, bool? Approved);

    [BindProperty]
    public BriefingInput Input { get; set; } = new();

    public BriefingChoices Choices { get; private set; } = null!;

    public BriefingAudience? Audience { get; private set; }

    public long Id { get; private set; }

    public bool WasApproved { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        BriefingRow? row;
        List<long> segments;
        List<string> emails;
        await using (var reader = await db.QueryMultipleAsync(new CommandDefinition(Sql, new { id }, cancellationToken: ct)))
        {
            row = await reader.ReadSingleOrDefaultAsync<BriefingRow>();
            if (row is null)
            {
                return NotFound();
            }
            segments = (await reader.ReadAsync<long>()).ToList();
            emails = (await reader.ReadAsync<string>()).ToList();
        }
        Id = id;
        WasApproved = row.Approved == true;
        Input = new BriefingInput
        {
            CampaignId = row.CampaignId, Title = row.Title, Subject = row.Subject, Body = row.Body, StatementId = row.StatementId,
            AttachPdf = row.AttachPdf, SegmentIds = segments, People = string.Join('\n', emails),
        };
        Choices = await BriefingForm.LoadChoicesAsync(db, Input, ct);
        Audience = await BriefingAudience.ResolveAsync(db, id, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        Id = id;
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await BriefingForm.ResolvePeopleAsync(db, Input, ModelState, ct);
        Choices = await BriefingForm.LoadChoicesAsync(db, Input, ct);
        BriefingForm.Validate(Input, Choices, ModelState);
        if (!ModelState.IsValid)
        {
            return Page();
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        if (!await BriefingForm.UpdateAsync(db, tx, id, Input, Actor.From(User), ct))
        {
            return NotFound();
        }
        await tx.CommitAsync(ct);
        Flash = "Briefing saved. It needs another lead’s approval before it goes out.";
        return LocalRedirect($"/briefings/{id}");
    }
}
