using Child10.Advocacy.Web.Features.Interactions;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Interactions;

[Authorize(Policy = Policies.CanEdit)]
public sealed class EditModel(NpgsqlDataSource dataSource) : PageModel
{
    private const string Sql = """
        select kind, occurred_on, subject, notes, outcome, follow_up_on, follow_up_owner_id, campaign_id
        from interaction
        where id = @id;

        select person_id from interaction_person where interaction_id = @id;

        select organisation_id from interaction_organisation where interaction_id = @id;
        """;

    private const string LockSql = """
        select id from interaction where id = @id for update
        """;

    public sealed record InteractionRow(
        string Kind, DateOnly OccurredOn, string Subject, string? Notes, string? Outcome, DateOnly? FollowUpOn, long? FollowUpOwnerId, long? CampaignId);

    [BindProperty]
    public InteractionInput Input { get; set; } = new();

    /// <summary>The text of the "Find people and organisations" field.</summary>
    [BindProperty]
    public string? Find { get; set; }

    public long Id { get; private set; }

    public string Subject { get; private set; } = "";

    public ParticipantChoices Choices { get; private set; } = null!;

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var current = await LoadAsync(db, id, ct);
        if (current is null)
        {
            return NotFound();
        }
        var (row, people, organisations) = current.Value;
        Input = new InteractionInput
        {
            Kind = row.Kind,
            OccurredOn = row.OccurredOn,
            Subject = row.Subject,
            Notes = row.Notes,
            Outcome = row.Outcome,
            FollowUpOn = row.FollowUpOn,
            FollowUpOwnerId = row.FollowUpOwnerId,
            CampaignId = row.CampaignId,
            PersonIds = people.ToList(),
            OrganisationIds = organisations.ToList(),
            ShownPersonIds = people.ToList(),
            ShownOrganisationIds = organisations.ToList(),
        };
        Choices = await InteractionForm.LoadChoicesAsync(db, Input, find: null, ct);
        return Page();
    }

    /// <summary>Lists the matches of the "Find" field; saves nothing.</summary>
    public async Task<IActionResult> OnPostFindAsync(long id, CancellationToken ct)
    {
        ModelState.Clear();
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var current = await LoadAsync(db, id, ct);
        if (current is null)
        {
            return NotFound();
        }
        Choices = await InteractionForm.LoadChoicesAsync(db, Input, Find, ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var current = await LoadAsync(db, id, ct);
        if (current is null)
        {
            return NotFound();
        }
        Choices = await InteractionForm.LoadChoicesAsync(db, Input, find: null, ct);
        InteractionForm.Validate(Input, Choices, ModelState, alreadyLinkedPeople: current.Value.People);
        if (!ModelState.IsValid)
        {
            return Page();
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        if (await db.ExecuteScalarAsync<long?>(new CommandDefinition(LockSql, new { id }, tx, cancellationToken: ct)) is null)
        {
            return NotFound();
        }
        await InteractionForm.UpdateAsync(db, tx, id, Input, Actor.From(User), ct);
        await tx.CommitAsync(ct);
        Flash = "Interaction saved.";
        return LocalRedirect($"/interactions/{id}");
    }

    private async Task<(InteractionRow Row, IReadOnlyList<long> People, IReadOnlyList<long> Organisations)?> LoadAsync(NpgsqlConnection db, long id, CancellationToken ct)
    {
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(Sql, new { id }, cancellationToken: ct));
        var row = await reader.ReadSingleOrDefaultAsync<InteractionRow>();
        if (row is null)
        {
            return null;
        }
        var people = (await reader.ReadAsync<long>()).ToList();
        var organisations = (await reader.ReadAsync<long>()).ToList();
        Id = id;
        Subject = row.Subject;
        return (row, people, organisations);
    }
}
