using System.Globalization;
using Child10.Advocacy.Web.Features.Interactions;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.FollowUps;

public sealed class IndexModel(NpgsqlDataSource dataSource, IAuthorizationService authorizationService) : PageModel
{
    public const int Limit = 200;

    // Both filters match the partial index interaction_follow_up_idx (owner, due date), or for
    // everyone's list interaction_follow_up_due_idx (due date): rows come out in due-date order.
    private const string Open = "i.follow_up_on is not null and i.follow_up_done_at is null";

    private const string RowsSelect = """
        select i.id, i.kind, i.subject, i.follow_up_on, i.occurred_on, owner.display_name as owner,
               (select string_agg(case when p.erased_at is null then p.full_name else 'Erased person' end, ', ' order by p.name_sort_key)
                  from interaction_person ip join person p on p.id = ip.person_id
                 where ip.interaction_id = i.id) as people,
               (select string_agg(o.name, ', ' order by o.name_sort_key)
                  from interaction_organisation io join organisation o on o.id = io.organisation_id
                 where io.interaction_id = i.id) as organisations
        from interaction i
        join staff_user owner on owner.id = i.follow_up_owner_id
        """;

    private const string OwnerRowsSql = RowsSelect + "\nwhere " + Open + " and i.follow_up_owner_id = @ownerId\norder by i.follow_up_on, i.id\nlimit @limit";

    private const string AllRowsSql = RowsSelect + "\nwhere " + Open + "\norder by i.follow_up_on, i.id\nlimit @limit";

    private const string OwnerCountsSql = "select count(*) filter (where i.follow_up_on < @today) as overdue, count(*) as total from interaction i where " + Open + " and i.follow_up_owner_id = @ownerId";

    private const string AllCountsSql = "select count(*) filter (where i.follow_up_on < @today) as overdue, count(*) as total from interaction i where " + Open;

    private const string StaffSql = """
        select id, display_name as name
        from staff_user
        where is_active or id = @ownerId
        order by sort_key(display_name), id
        """;

    public sealed record FollowUpRow(
        long Id, string Kind, string Subject, DateOnly FollowUpOn, DateOnly OccurredOn, string Owner, string? People, string? Organisations);

    public sealed record Counts(long Overdue, long Total);

    /// <summary>Whose follow-ups: blank for the signed-in staff member, "all", or a staff id (leads and admins).</summary>
    [BindProperty(SupportsGet = true)]
    public string? Owner { get; set; }

    public IReadOnlyList<FollowUpRow> Overdue { get; private set; } = [];

    public IReadOnlyList<FollowUpRow> Upcoming { get; private set; } = [];

    public Counts Totals { get; private set; } = new(0, 0);

    public IReadOnlyList<NamedOption> Staff { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public bool IsMine { get; private set; }

    public bool IsEveryone { get; private set; }

    public string OwnerName { get; private set; } = "";

    public DateOnly Today { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        var me = Actor.From(User).StaffId!.Value;
        CanEdit = (await authorizationService.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        Today = FollowUp.Today(User);
        IsEveryone = CanEdit && Owner == "all";
        long? ownerId = IsEveryone ? null
            : CanEdit && long.TryParse(Owner, NumberStyles.None, CultureInfo.InvariantCulture, out var chosen) ? chosen
            : me;
        IsMine = ownerId == me;

        await using var db = await dataSource.OpenConnectionAsync(ct);
        var args = new { ownerId, today = Today, limit = Limit };
        var rows = (await db.QueryAsync<FollowUpRow>(new CommandDefinition(IsEveryone ? AllRowsSql : OwnerRowsSql, args, cancellationToken: ct))).ToList();
        Totals = await db.QuerySingleAsync<Counts>(new CommandDefinition(IsEveryone ? AllCountsSql : OwnerCountsSql, args, cancellationToken: ct));
        Overdue = rows.Where(r => r.FollowUpOn < Today).ToList();
        Upcoming = rows.Where(r => r.FollowUpOn >= Today).ToList();
        if (CanEdit)
        {
            Staff = (await db.QueryAsync<NamedOption>(new CommandDefinition(StaffSql, new { ownerId }, cancellationToken: ct))).ToList();
            if (!IsEveryone && Staff.All(s => s.Id != ownerId))
            {
                return NotFound();
            }
        }
        OwnerName = IsEveryone ? "Everyone" : Staff.FirstOrDefault(s => s.Id == ownerId)?.Name ?? User.Identity?.Name ?? "";
        return Page();
    }

    public async Task<IActionResult> OnPostDoneAsync(long id, CancellationToken ct)
    {
        if (!(await authorizationService.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        var changed = await FollowUp.MarkDoneAsync(dataSource, id, Actor.From(User), ct);
        Flash = changed ? "Follow-up marked done." : "That follow-up was already done.";
        return LocalRedirect(Owner is { Length: > 0 } owner ? $"/follow-ups?owner={Uri.EscapeDataString(owner)}" : "/follow-ups");
    }

    public static int DaysBetween(DateOnly from, DateOnly to) => to.DayNumber - from.DayNumber;
}
