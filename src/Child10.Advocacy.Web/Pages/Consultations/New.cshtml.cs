using Child10.Advocacy.Web.Features.Consultations;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Consultations;

[Authorize(Policy = Policies.CanEdit)]
public sealed class NewModel(NpgsqlDataSource dataSource) : PageModel
{
    [BindProperty]
    public ConsultationInput Input { get; set; } = new();

    public ConsultationChoices Choices { get; private set; } = null!;

    [TempData]
    public string? Flash { get; set; }

    public async Task OnGetAsync(long? campaign, CancellationToken ct)
    {
        Input.CampaignId = campaign;
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Choices = await ConsultationForm.LoadChoicesAsync(db, Input, ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Choices = await ConsultationForm.LoadChoicesAsync(db, Input, ct);
        var (opensAt, closesAt) = ConsultationForm.Validate(Input, Choices, ModelState, isNew: true, DateTimeOffset.UtcNow);
        if (!ModelState.IsValid)
        {
            return Page();
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        var id = await ConsultationForm.InsertAsync(db, tx, Input, opensAt, closesAt, Actor.From(User), ct);
        await tx.CommitAsync(ct);
        Flash = "Consultation added.";
        return LocalRedirect($"/consultations/{id}");
    }
}
