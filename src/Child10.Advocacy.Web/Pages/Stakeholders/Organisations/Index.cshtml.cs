using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.Organisations;

public sealed class IndexModel(NpgsqlDataSource dataSource, Places places, IAuthorizationService authorization) : PageModel
{
    public OrganisationFilter Filter { get; private set; } = new();

    public OrganisationPage Result { get; private set; } = new([], 0, 1, OrganisationQuery.PageSize);

    public Lookups Lookups { get; private set; } = null!;

    public bool CanEdit { get; private set; }

    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] OrganisationFilter filter, CancellationToken ct)
    {
        Filter = filter;
        CanEdit = (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Lookups = await Lookups.LoadPlacesAndThemesAsync(db, places, ct);
        if (!OrganisationQuery.IsKnownSort(filter.Sort))
        {
            Problem = OrganisationQuery.UnknownSortMessage(filter.Sort);
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        Result = await OrganisationQuery.PageAsync(db, filter, ct);
        return Page();
    }

    /// <summary>The link of a column header: sorts by the column, or flips the direction when it already does.</summary>
    public string SortLink(string column) =>
        Url.Content("~/stakeholders/organisations") + (Filter with
        {
            Sort = column,
            Descending = Filter.SortKey == column && !Filter.Descending,
            Page = null,
        }).ToQueryString();

    public string? AriaSort(string column) =>
        Filter.SortKey != column ? null : Filter.Descending ? "descending" : "ascending";

    public string PageLink(int page) =>
        Url.Content("~/stakeholders/organisations") + (Filter with { Page = page }).ToQueryString();

    public string ExportLink() =>
        Url.Content("~/stakeholders/organisations/export") + (Filter with { Page = null }).ToQueryString();
}
