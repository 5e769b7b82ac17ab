using Child10.Advocacy.Web.Features.Interactions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Interactions;

/// <summary>People and organisations by name, as JSON, for the participant picker in interactions.js.</summary>
public sealed class LookupModel(NpgsqlDataSource dataSource) : PageModel
{
    public async Task<IActionResult> OnGetAsync(string? q, CancellationToken ct)
    {
        var text = q?.Trim() ?? "";
        if (text.Length < InteractionForm.MinFindLength)
        {
            return new JsonResult(new { people = Array.Empty<object>(), organisations = Array.Empty<object>() });
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var (people, organisations) = await InteractionForm.FindAsync(db, text, [], [], ct);
        return new JsonResult(new
        {
            people = people.Select(p => new { p.Id, p.FullName, p.Position, p.OrganisationId, p.OrganisationName }),
            organisations = organisations.Select(o => new { o.Id, o.Name, o.CountryCode }),
        });
    }
}
