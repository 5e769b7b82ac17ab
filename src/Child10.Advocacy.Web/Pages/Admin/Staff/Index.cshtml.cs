using Child10.Advocacy.Web.Features.Admin;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Admin.Staff;

/// <summary>Everyone who has signed in, with their role, whether they may still sign in, and what they answer for.</summary>
[Authorize(Policy = Policies.AdminOnly)]
public sealed class IndexModel(NpgsqlDataSource dataSource) : PageModel
{
    public IReadOnlyList<StaffMember> Members { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Members = await StaffAccess.ListAsync(db, ct);
    }
}
