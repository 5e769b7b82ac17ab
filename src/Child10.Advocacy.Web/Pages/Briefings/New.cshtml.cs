using Child10.Advocacy.Web.Features.Briefings;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Briefings;

[Authorize(Policy = Policies.CanEdit)]
public sealed class NewModel(NpgsqlDataSource dataSource) : PageModel
{
    [BindProperty]
    public BriefingInput Input { get; set; } = new();

    public BriefingChoices Choices { get; private set; } = null!;

    [TempData]
    public string? Flash { get; set; }

    public async Task OnGetAsync(long? campaign, CancellationToken ct)
    {
        Input.CampaignId = campaign;
        Input.Body = "Dear {{ recipient.name }},\n\n";
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Choices = await BriefingForm.LoadChoicesAsync(db, Input, ct);
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await BriefingForm.ResolvePeopleAsync(db, Input, ModelState, ct);
        Choices = await BriefingForm.LoadChoicesAsync(db, Input, ct);
        BriefingForm.Validate(Input, Choices, ModelState);
        if (!ModelState.IsValid)
        {
            return Page();
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        var id = await BriefingForm.InsertAsync(db, tx, Input, Actor.From(User), ct);
        await tx.CommitAsync(ct);
        Flash = "Briefing saved. Preview it, then ask another lead to approve it.";
        return LocalRedirect($"/briefings/{id}");
    }
}
