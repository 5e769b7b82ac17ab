using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.People;

public sealed class IndexModel(NpgsqlDataSource dataSource, Places places, IAuthorizationService authorization) : PageModel
{
    private const string OrganisationNameSql = "select name from organisation where id = @id";

    private const string SegmentNameTakenSql = "select exists (select 1 from segment where lower(name) = lower(@name))";

    private const string InsertSegmentSql = """
        insert into segment (name, description, filter, created_by)
        values (@name, @description, cast(@filter as jsonb), @createdBy)
        returning id
        """;

    public sealed record SegmentInput
    {
        public string? Name { get; init; }

        public string? Description { get; init; }
    }

    public PeopleFilter Filter { get; private set; } = new();

    public PeoplePage Results { get; private set; } = new([], 0, 1, PeopleQuery.DefaultPageSize);

    public Lookups Lists { get; private set; } = null!;

    public string? OrganisationName { get; private set; }

    public string? SortError { get; private set; }

    public bool CanEdit { get; private set; }

    [BindProperty]
    public SegmentInput Segment { get; set; } = new();

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync([FromQuery] PeopleFilter filter, CancellationToken ct) =>
        await ShowAsync(filter, ct);

    public async Task<IActionResult> OnPostSaveSegmentAsync([FromQuery] PeopleFilter filter, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        filter = filter.Normalised();
        var name = Segment.Name?.Trim();
        var description = string.IsNullOrWhiteSpace(Segment.Description) ? null : Segment.Description.Trim();
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (string.IsNullOrEmpty(name))
        {
            ModelState.AddModelError("Segment.Name", "Give the segment a name.");
        }
        else if (name.Length > Rules.MaxNameLength)
        {
            ModelState.AddModelError("Segment.Name", $"Keep the name to {Rules.MaxNameLength} characters.");
        }
        else if (await db.ExecuteScalarAsync<bool>(new CommandDefinition(SegmentNameTakenSql, new { name }, cancellationToken: ct)))
        {
            ModelState.AddModelError("Segment.Name", $"A segment called '{name}' already exists.");
        }
        if (description is { Length: > Rules.MaxTextLength })
        {
            ModelState.AddModelError("Segment.Description", $"Keep the description to {Rules.MaxTextLength} characters.");
        }
        if (!PeopleQuery.IsKnownSort(filter.Sort))
        {
            filter = filter with { Sort = null };
        }
        if (ModelState.ErrorCount == 0)
        {
            await using var tx = await db.BeginTransactionAsync(ct);
            try
            {
                var actor = Actor.From(User);
                var json = filter.ToJson();
                var id = await db.ExecuteScalarAsync<long>(new CommandDefinition(
                    InsertSegmentSql, new { name, description, filter = json, createdBy = actor.StaffId }, tx, cancellationToken: ct));
                await db.RecordAsync(tx, actor, "segment.create", "segment", id, new { name }, ct);
                await tx.CommitAsync(ct);
                Flash = $"Segment '{name}' saved.";
                return LocalRedirect("/stakeholders/segments");
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                await tx.RollbackAsync(ct);
                ModelState.AddModelError("Segment.Name", $"A segment called '{name}' already exists.");
            }
        }
        return await ShowAsync(filter, ct);
    }

    public string Link(PeopleFilter filter) => "/stakeholders/people" + filter.ToQueryString();

    /// <summary>The header link for a column: first click sorts ascending, the next one turns it round.</summary>
    public string SortLink(string sort)
    {
        var current = Filter.Sort ?? "name";
        return Link(Filter with { Sort = sort == "name" ? null : sort, Descending = current == sort && !Filter.Descending, Page = 1 });
    }

    public string? AriaSort(string sort) =>
        (Filter.Sort ?? "name") == sort ? (Filter.Descending ? "descending" : "ascending") : null;

    private async Task<IActionResult> ShowAsync(PeopleFilter filter, CancellationToken ct)
    {
        Filter = filter.Normalised();
        CanEdit = (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Lists = await Lookups.LoadPlacesAndThemesAsync(db, places, ct);
        if (Filter.OrganisationId is long organisationId)
        {
            OrganisationName = await db.QuerySingleOrDefaultAsync<string?>(
                new CommandDefinition(OrganisationNameSql, new { id = organisationId }, cancellationToken: ct));
        }
        if (!PeopleQuery.IsKnownSort(Filter.Sort))
        {
            SortError = PeopleQuery.UnknownSortMessage(Filter.Sort);
            Filter = Filter with { Sort = null };
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return Page();
        }
        Results = await PeopleQuery.SearchAsync(db, Filter, PeopleQuery.DefaultPageSize, ct);
        return Page();
    }
}
