using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.Themes;

/// <summary>The managed theme list: everyone reads it with its use counts; editors add, rename and delete unused themes.</summary>
public sealed class IndexModel(NpgsqlDataSource dataSource, IAuthorizationService authorization) : PageModel
{
    public const int MaxDescriptionLength = 1000;

    private const string ListSql = """
        select t.id, t.name, t.description,
               (select count(*) from organisation_theme ot where ot.theme_id = t.id) as organisations,
               (select count(*) from person_theme pt where pt.theme_id = t.id) as people
        from theme t
        order by sort_key(t.name), t.id
        """;

    private const string NameTakenSql = """
        select exists (select 1 from theme where lower(name) = lower(@name) and id <> coalesce(@id, 0))
        """;

    private const string InsertSql = """
        insert into theme (name, description) values (@name, @description) returning id
        """;

    private const string UpdateSql = """
        update theme set name = @name, description = @description where id = @id returning name
        """;

    // The row lock waits for links being added right now (their foreign key locks the theme row),
    // so the counts below see every link that exists when the theme goes.
    private const string LockForDeleteSql = """
        select name from theme where id = @id for update
        """;

    private const string UsageSql = """
        select (select count(*) from organisation_theme where theme_id = @id) as organisations,
               (select count(*) from person_theme where theme_id = @id) as people
        """;

    private const string DeleteSql = "delete from theme where id = @id";

    public sealed record ThemeRow(long Id, string Name, string? Description, long Organisations, long People);

    public sealed record Usage(long Organisations, long People);

    public sealed record ThemeInput
    {
        public long? Id { get; set; }
        public string? Name { get; set; }
        public string? Description { get; set; }
    }

    [BindProperty]
    public ThemeInput NewTheme { get; set; } = new();

    [BindProperty]
    public ThemeInput Changed { get; set; } = new();

    public IReadOnlyList<ThemeRow> Themes { get; private set; } = [];

    public bool CanEdit { get; private set; }

    /// <summary>The theme whose inline form failed validation, shown open with its errors.</summary>
    public long? EditingId { get; private set; }

    public string? Problem { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await LoadAsync(db, ct);
    }

    public async Task<IActionResult> OnPostCreateAsync(CancellationToken ct)
    {
        if (!await CanEditAsync())
        {
            return Forbid();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var (name, description) = await ValidateAsync(db, NewTheme, nameof(NewTheme), ct);
        if (!ModelState.IsValid)
        {
            await LoadAsync(db, ct);
            return Page();
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        try
        {
            var id = await db.ExecuteScalarAsync<long>(new CommandDefinition(InsertSql, new { name, description }, tx, cancellationToken: ct));
            await db.RecordAsync(tx, Actor.From(User), "theme.create", "theme", id, new { name, description }, ct);
            await tx.CommitAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync(ct);
            ModelState.AddModelError($"{nameof(NewTheme)}.Name", NameTaken(name));
            await LoadAsync(db, ct);
            return Page();
        }
        Flash = $"Theme \"{name}\" was added.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostUpdateAsync(CancellationToken ct)
    {
        if (!await CanEditAsync())
        {
            return Forbid();
        }
        if (Changed.Id is not long id)
        {
            return BadRequest("Which theme? The form carried no theme id.");
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var (name, description) = await ValidateAsync(db, Changed, nameof(Changed), ct);
        if (!ModelState.IsValid)
        {
            EditingId = id;
            await LoadAsync(db, ct);
            return Page();
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        try
        {
            var updated = await db.QuerySingleOrDefaultAsync<string>(new CommandDefinition(UpdateSql, new { id, name, description }, tx, cancellationToken: ct));
            if (updated is null)
            {
                return NotFound();
            }
            await db.RecordAsync(tx, Actor.From(User), "theme.update", "theme", id, new { name, description }, ct);
            await tx.CommitAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            await tx.RollbackAsync(ct);
            ModelState.AddModelError($"{nameof(Changed)}.Name", NameTaken(name));
            EditingId = id;
            await LoadAsync(db, ct);
            return Page();
        }
        Flash = $"Theme \"{name}\" was saved.";
        return RedirectToPage();
    }

    public async Task<IActionResult> OnPostDeleteAsync(long id, CancellationToken ct)
    {
        if (!await CanEditAsync())
        {
            return Forbid();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var name = await db.QuerySingleOrDefaultAsync<string>(new CommandDefinition(LockForDeleteSql, new { id }, tx, cancellationToken: ct));
        if (name is null)
        {
            return NotFound();
        }
        var usage = await db.QuerySingleAsync<Usage>(new CommandDefinition(UsageSql, new { id }, tx, cancellationToken: ct));
        if (usage.Organisations > 0 || usage.People > 0)
        {
            await tx.RollbackAsync(ct);
            Problem = $"\"{name}\" was not deleted: {Plural.Of(usage.Organisations, "organisation")} and {Plural.Of(usage.People, "person", "people")} use it. "
                + "Remove the theme from them first, or rename it instead.";
            await LoadAsync(db, ct);
            return Page();
        }
        await db.ExecuteAsync(new CommandDefinition(DeleteSql, new { id }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, Actor.From(User), "theme.delete", "theme", id, new { name }, ct);
        await tx.CommitAsync(ct);
        Flash = $"Theme \"{name}\" was deleted.";
        return RedirectToPage();
    }

    private async Task<(string Name, string? Description)> ValidateAsync(NpgsqlConnection db, ThemeInput input, string prefix, CancellationToken ct)
    {
        var name = input.Name?.Trim() ?? "";
        var description = string.IsNullOrWhiteSpace(input.Description) ? null : input.Description.Trim();
        if (name.Length == 0)
        {
            ModelState.AddModelError($"{prefix}.Name", "Enter the theme's name.");
        }
        else if (name.Length > Rules.MaxNameLength)
        {
            ModelState.AddModelError($"{prefix}.Name", $"The name is {name.Length} characters long; at most {Rules.MaxNameLength} are allowed.");
        }
        else if (await db.ExecuteScalarAsync<bool>(new CommandDefinition(NameTakenSql, new { name, id = input.Id }, cancellationToken: ct)))
        {
            ModelState.AddModelError($"{prefix}.Name", NameTaken(name));
        }
        if (description is { Length: > MaxDescriptionLength })
        {
            ModelState.AddModelError($"{prefix}.Description", $"The description is {description.Length} characters long; at most {MaxDescriptionLength} are allowed.");
        }
        return (name, description);
    }

    private static string NameTaken(string name) => $"A theme called \"{name}\" already exists.";

    private async Task<bool> CanEditAsync() => (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;

    private async Task LoadAsync(NpgsqlConnection db, CancellationToken ct)
    {
        CanEdit = await CanEditAsync();
        Themes = (await db.QueryAsync<ThemeRow>(new CommandDefinition(ListSql, cancellationToken: ct))).ToList();
    }
}
