using Child10.Advocacy.Web.Features.Interactions;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Interactions;

public sealed class DetailsModel(NpgsqlDataSource dataSource, IAuthorizationService authorizationService) : PageModel
{
    private const string Sql = """
        select i.id, i.kind, i.occurred_on, i.subject, i.notes, i.outcome, i.follow_up_on,
               owner.display_name as follow_up_owner, i.follow_up_done_at,
               creator.display_name as created_by, i.created_at, i.updated_at
        from interaction i
        left join staff_user owner on owner.id = i.follow_up_owner_id
        left join staff_user creator on creator.id = i.created_by
        where i.id = @id;

        select p.id, p.full_name, p.position, p.erased_at is not null as erased, o.id as organisation_id, o.name as organisation_name
        from interaction_person ip
        join person p on p.id = ip.person_id
        left join organisation o on o.id = p.organisation_id
        where ip.interaction_id = @id
        order by p.name_sort_key, p.id;

        select o.id, o.name, o.kind, c.name as country
        from interaction_organisation io
        join organisation o on o.id = io.organisation_id
        left join country c on c.code = o.country_code
        where io.interaction_id = @id
        order by o.name_sort_key, o.id;
        """;

    public sealed record InteractionRow(
        long Id, string Kind, DateOnly OccurredOn, string Subject, string? Notes, string? Outcome, DateOnly? FollowUpOn,
        string? FollowUpOwner, DateTime? FollowUpDoneAt, string? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt);

    public sealed record PersonRow(long Id, string FullName, string? Position, bool Erased, long? OrganisationId, string? OrganisationName);

    public sealed record OrganisationRow(long Id, string Name, string Kind, string? Country);

    public InteractionRow Interaction { get; private set; } = null!;

    public IReadOnlyList<PersonRow> People { get; private set; } = [];

    public IReadOnlyList<OrganisationRow> Organisations { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public DateOnly Today { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(Sql, new { id }, cancellationToken: ct));
        var interaction = await reader.ReadSingleOrDefaultAsync<InteractionRow>();
        if (interaction is null)
        {
            return NotFound();
        }
        Interaction = interaction;
        People = (await reader.ReadAsync<PersonRow>()).ToList();
        Organisations = (await reader.ReadAsync<OrganisationRow>()).ToList();
        CanEdit = (await authorizationService.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        Today = FollowUp.Today(User);
        return Page();
    }

    public Task<IActionResult> OnPostDoneAsync(long id, CancellationToken ct) =>
        ChangeFollowUpAsync(id, FollowUp.MarkDoneAsync, "Follow-up marked done.", ct);

    public Task<IActionResult> OnPostReopenAsync(long id, CancellationToken ct) =>
        ChangeFollowUpAsync(id, FollowUp.ReopenAsync, "Follow-up reopened.", ct);

    private async Task<IActionResult> ChangeFollowUpAsync(
        long id, Func<NpgsqlDataSource, long, Actor, CancellationToken, Task<bool>> change, string done, CancellationToken ct)
    {
        if (!(await authorizationService.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        var changed = await change(dataSource, id, Actor.From(User), ct);
        Flash = changed ? done : "Nothing changed: the follow-up was already in that state.";
        return LocalRedirect($"/interactions/{id}");
    }
}
