using Child10.Advocacy.Web.Features.Admin;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Admin.Staff;

/// <summary>One staff member: their access (role, deactivation), what they lead and own, and what they did lately.</summary>
[Authorize(Policy = Policies.AdminOnly)]
public sealed class DetailsModel(NpgsqlDataSource dataSource, StaffSessionCheck sessions) : PageModel
{
    public const int ActivityShown = 10;

    public StaffMember Member { get; private set; } = null!;

    public IReadOnlyList<StaffResponsibility> Responsibilities { get; private set; } = [];

    public IReadOnlyList<StaffActivity> Activity { get; private set; } = [];

    /// <summary>The active leads and admins who could take over what the staff member answers for.</summary>
    public IReadOnlyList<(long Id, string DisplayName)> Successors { get; private set; } = [];

    /// <summary>The admin is looking at themselves: their own access is not theirs to change.</summary>
    public bool IsSelf { get; private set; }

    public string? Problem { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct) =>
        await LoadAsync(id, ct) ? Page() : NotFound();

    public Task<IActionResult> OnPostRoleAsync(long id, string? expectedRole, string? role, CancellationToken ct) =>
        ChangeAsync(id, (db, actor) => StaffAccess.ChangeRoleAsync(db, actor, id, expectedRole ?? "", role ?? "", ct), ct);

    public Task<IActionResult> OnPostDeactivateAsync(long id, CancellationToken ct) =>
        ChangeAsync(id, (db, actor) => StaffAccess.SetActiveAsync(db, actor, id, active: false, ct), ct);

    public Task<IActionResult> OnPostReactivateAsync(long id, CancellationToken ct) =>
        ChangeAsync(id, (db, actor) => StaffAccess.SetActiveAsync(db, actor, id, active: true, ct), ct);

    public Task<IActionResult> OnPostHandOverAsync(long id, long? to, CancellationToken ct) =>
        ChangeAsync(id, (db, actor) => to is long successor
            ? StaffAccess.HandOverAsync(db, actor, id, successor, ct)
            : Task.FromResult(new StaffChange(false, "Choose who takes over.")), ct);

    public static string KindLabel(string kind) => kind switch
    {
        "campaign" => "Campaign",
        "consultation" => "Consultation",
        "statement" => "Statement",
        "signoff_round" => "Sign-off round",
        _ => kind,
    };

    public static string Href(StaffResponsibility item) => item.Kind switch
    {
        "campaign" => $"/campaigns/{item.Id}",
        "statement" => $"/statements/{item.Id}",
        "consultation" => $"/consultations/{item.Id}",
        _ => $"/signoff/rounds/{item.Id}",
    };

    private async Task<IActionResult> ChangeAsync(long id, Func<NpgsqlConnection, Actor, Task<StaffChange>> change, CancellationToken ct)
    {
        StaffChange result;
        await using (var db = await dataSource.OpenConnectionAsync(ct))
        {
            result = await change(db, Actor.From(User));
        }
        if (result.Done)
        {
            // Their next request on this instance reads the new access; other instances within Auth:AccessCheckSeconds.
            sessions.Forget(id);
            Flash = result.Message;
            return RedirectToPage(new { id });
        }
        if (!await LoadAsync(id, ct))
        {
            return NotFound();
        }
        Problem = result.Message;
        return Page();
    }

    private async Task<bool> LoadAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (await StaffAccess.FindAsync(db, id, ct) is not { } member)
        {
            return false;
        }
        Member = member;
        Responsibilities = await StaffAccess.ResponsibilitiesAsync(db, id, ct);
        Activity = await StaffAccess.ActivityAsync(db, id, ActivityShown, ct);
        Successors = await StaffAccess.SuccessorsAsync(db, id, ct);
        IsSelf = Actor.From(User).StaffId == id;
        return true;
    }
}
