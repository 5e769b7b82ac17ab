using Child10.Advocacy.Web.Features.Interactions;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Interactions;

[Authorize(Policy = Policies.CanEdit)]
public sealed class NewModel(NpgsqlDataSource dataSource) : PageModel
{
    [BindProperty]
    public InteractionInput Input { get; set; } = new();

    /// <summary>The text of the "Find people and organisations" field.</summary>
    [BindProperty]
    public string? Find { get; set; }

    public ParticipantChoices Choices { get; private set; } = null!;

    [TempData]
    public string? Flash { get; set; }

    public string CancelHref { get; private set; } = "/";

    public async Task OnGetAsync(long? personId, long? organisationId, long? campaignId, CancellationToken ct)
    {
        Input.OccurredOn = FollowUp.Today(User);
        if (personId is long person)
        {
            Input.PersonIds.Add(person);
            CancelHref = $"/stakeholders/people/{person}";
        }
        else if (organisationId is long organisation)
        {
            CancelHref = $"/stakeholders/organisations/{organisation}";
        }
        if (campaignId is long campaign)
        {
            Input.CampaignId = campaign;
            if (personId is null && organisationId is null)
            {
                CancelHref = $"/campaigns/{campaign}";
            }
        }
        if (organisationId is long prefilled)
        {
            Input.OrganisationIds.Add(prefilled);
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Choices = await InteractionForm.LoadChoicesAsync(db, Input, find: null, ct);
        if (Choices.People.Count != Input.PersonIds.Count || Choices.People.Any(p => p.Erased))
        {
            // A prefilled id that matches nobody (or an erased person) is simply not offered.
            Input.PersonIds.Clear();
            Input.OrganisationIds.Clear();
            if (organisationId is long again)
            {
                Input.OrganisationIds.Add(again);
            }
            Choices = await InteractionForm.LoadChoicesAsync(db, Input, find: null, ct);
        }
        if (Input.CampaignId is long chosen && Choices.Campaigns.All(c => c.Id != chosen))
        {
            // A prefilled campaign that is unknown or archived is simply not offered.
            Input.CampaignId = null;
        }
    }

    /// <summary>Lists the matches of the "Find" field; saves nothing.</summary>
    public async Task<IActionResult> OnPostFindAsync(CancellationToken ct)
    {
        ModelState.Clear();
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Choices = await InteractionForm.LoadChoicesAsync(db, Input, Find, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Choices = await InteractionForm.LoadChoicesAsync(db, Input, find: null, ct);
        InteractionForm.Validate(Input, Choices, ModelState, alreadyLinkedPeople: []);
        if (!ModelState.IsValid)
        {
            return Page();
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        var id = await InteractionForm.CreateAsync(db, tx, Input, Actor.From(User), ct);
        await tx.CommitAsync(ct);
        Flash = "Interaction logged.";
        return LocalRedirect($"/interactions/{id}");
    }
}
