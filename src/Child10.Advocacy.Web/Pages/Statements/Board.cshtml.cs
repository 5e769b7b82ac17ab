using System.Globalization;
using Child10.Advocacy.Web.Features.Statements;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Statements;

/// <summary>
/// The coordination board of a core statement: every variant with its divergence from the core, its sign-off state
/// and its planned release date, so that all countries release together.
/// </summary>
public sealed class BoardModel(NpgsqlDataSource dataSource, IAuthorizationService authorization) : PageModel
{
    private const string MembersSql = """
        select s.id, s.title, s.status, s.language, s.core_id, coalesce(co.name, r.name) as place, s.country_code, s.planned_release_on
        from statement s
        left join country co on co.code = s.country_code
        left join region r on r.id = s.region_id
        where s.id = @id or s.core_id = @id
        order by s.core_id nulls first, coalesce(co.name_sort_key, r.name_sort_key), s.language
        """;

    private const string LockAllSql = """
        select id, planned_release_on from statement where id = @id or core_id = @id order by id for update
        """;

    private const string SetReleaseSql = """
        update statement set planned_release_on = @releaseOn, updated_at = now() where id = @id or core_id = @id
        """;

    private sealed record MemberRow(long Id, string Title, string Status, string Language, long? CoreId, string? Place, string? CountryCode, DateOnly? PlannedReleaseOn);

    public sealed record BoardRow(
        long Id, string Title, bool IsCore, string Place, string Language, string Status, VersionRow? Latest, int? AdaptedFromNumber,
        bool Stale, VersionDiffResult? Divergence, RoundSummary? Round, DateOnly? PlannedReleaseOn);

    public StatementHead Core { get; private set; } = null!;

    public VersionRow? CoreLatest { get; private set; }

    public IReadOnlyList<BoardRow> Rows { get; private set; } = [];

    /// <summary>The distinct planned release dates; more than one (or some missing) means the countries would not release together.</summary>
    public IReadOnlyList<DateOnly> ReleaseDates { get; private set; } = [];

    public int MissingReleaseDates { get; private set; }

    public bool CanEdit { get; private set; }

    [BindProperty]
    public DateOnly? ReleaseOn { get; set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await LoadAsync(db, id, ct))
        {
            return NotFound();
        }
        ReleaseOn = ReleaseDates.Count > 0 ? ReleaseDates.Max() : null;
        return Page();
    }

    public async Task<IActionResult> OnPostReleaseAsync(long id, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var head = await StatementQueries.HeadAsync(db, id, ct);
        if (head is null || head.IsVariant)
        {
            return NotFound();
        }
        if (ReleaseOn is null)
        {
            ModelState.AddModelError(nameof(ReleaseOn), "Enter the date on which the core statement and every variant are released.");
        }
        else if (ReleaseOn < DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-1)))
        {
            ModelState.AddModelError(nameof(ReleaseOn), "That date has passed. Choose today or a later date.");
        }
        if (!ModelState.IsValid)
        {
            await LoadAsync(db, id, ct);
            return Page();
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        var before = (await db.QueryAsync<(long Id, DateOnly? On)>(new CommandDefinition(LockAllSql, new { id }, tx, cancellationToken: ct))).ToList();
        await db.ExecuteAsync(new CommandDefinition(SetReleaseSql, new { id, releaseOn = ReleaseOn }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, Actor.From(User), "statement.set_release_date", "statement", id, new
        {
            planned_release_on = ReleaseOn,
            statements = before.Select(b => new { id = b.Id, previous = b.On }).ToArray(),
        }, ct);
        await tx.CommitAsync(ct);
        Flash = $"Planned release set to {ReleaseOn!.Value.ToString("d MMM yyyy", CultureInfo.InvariantCulture)} for the core statement and {before.Count - 1} variants.";
        return LocalRedirect($"/statements/{id}/board");
    }

    public string When(DateTime utc) => TimeDisplay.Format(utc, User);

    private async Task<bool> LoadAsync(NpgsqlConnection db, long id, CancellationToken ct)
    {
        var head = await StatementQueries.HeadAsync(db, id, ct);
        if (head is null || head.IsVariant)
        {
            return false;
        }
        Core = head;
        CanEdit = (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        var members = (await db.QueryAsync<MemberRow>(new CommandDefinition(MembersSql, new { id }, cancellationToken: ct))).ToList();
        var rounds = await StatementQueries.RoundsAsync(db, members.Select(m => m.Id).ToArray(), ct);
        var coreVersions = await StatementVersions.ListAsync(db, id, ct);
        CoreLatest = coreVersions.Count > 0 ? coreVersions[0] : null;
        var rows = new List<BoardRow>();
        foreach (var m in members)
        {
            var latest = m.CoreId is null ? CoreLatest : await StatementVersions.LatestAsync(db, m.Id, ct);
            var round = rounds.FirstOrDefault(r => r.StatementId == m.Id);
            if (m.CoreId is null)
            {
                rows.Add(new BoardRow(m.Id, m.Title, true, "Core", m.Language, m.Status, latest, null, false, null, round, m.PlannedReleaseOn));
                continue;
            }
            // The latest core version any of the variant's versions was adapted from.
            var adaptedId = latest?.CoreVersionId
                ?? (await StatementVersions.ListAsync(db, m.Id, ct)).Select(v => v.CoreVersionId).FirstOrDefault(v => v is not null);
            var adapted = coreVersions.FirstOrDefault(v => v.Id == adaptedId)?.Number;
            var stale = CoreLatest is not null && (adapted is null || adapted < CoreLatest.Number);
            var divergence = CoreLatest is not null && latest is not null
                ? VersionDiff.Compute(StatementVersions.DiffText(CoreLatest), StatementVersions.DiffText(latest))
                : null;
            rows.Add(new BoardRow(m.Id, m.Title, false, m.Place ?? m.CountryCode ?? "—", m.Language, m.Status, latest, adapted, stale, divergence, round, m.PlannedReleaseOn));
        }
        Rows = rows;
        ReleaseDates = rows.Where(r => r.PlannedReleaseOn is not null).Select(r => r.PlannedReleaseOn!.Value).Distinct().Order().ToList();
        MissingReleaseDates = rows.Count(r => r.PlannedReleaseOn is null);
        return true;
    }
}
