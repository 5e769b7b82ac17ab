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
/// A statement: its current text, versions, sign-off rounds, variants (for a core) or divergence from the core
/// (for a variant); leads publish a final statement or withdraw one here.
/// </summary>
public sealed class DetailsModel(NpgsqlDataSource dataSource, IAuthorizationService authorization) : PageModel
{
    public const int MaxReasonLength = 1000;

    private const string VariantsSql = """
        select s.id, s.title, s.status, s.language, coalesce(co.name, r.name) as place, s.planned_release_on,
               (select max(number) from statement_version where statement_id = s.id) as latest_number
        from statement s
        left join country co on co.code = s.country_code
        left join region r on r.id = s.region_id
        where s.core_id = @id
        order by coalesce(co.name_sort_key, r.name_sort_key), s.language
        """;

    private const string LockSql = "select status from statement where id = @id for update";

    private const string PublishSql = """
        update statement set status = 'published', published_at = @publishedAt, updated_at = now() where id = @id
        """;

    private const string WithdrawSql = """
        update statement set status = 'withdrawn', withdrawn_at = now(), withdrawn_reason = @reason, updated_at = now() where id = @id
        """;

    public sealed record VariantRow(long Id, string Title, string Status, string Language, string? Place, DateOnly? PlannedReleaseOn, int? LatestNumber);

    public StatementHead Statement { get; private set; } = null!;

    public IReadOnlyList<VersionRow> Versions { get; private set; } = [];

    public VersionRow? Latest => Versions.Count > 0 ? Versions[0] : null;

    public IReadOnlyList<RoundSummary> Rounds { get; private set; } = [];

    public IReadOnlyList<VariantRow> Variants { get; private set; } = [];

    /// <summary>For a variant: the core's latest version, and the core version this variant's latest was adapted from.</summary>
    public VersionRow? CoreLatest { get; private set; }

    public VersionRow? AdaptedFrom { get; private set; }

    public VersionDiffResult? Divergence { get; private set; }

    public bool CanEdit { get; private set; }

    [BindProperty]
    public DateOnly? PublishedOn { get; set; }

    [BindProperty]
    public string? Reason { get; set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await LoadAsync(db, id, ct))
        {
            return NotFound();
        }
        PublishedOn = Today();
        return Page();
    }

    public async Task<IActionResult> OnPostPublishAsync(long id, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var status = await db.ExecuteScalarAsync<string?>(new CommandDefinition(LockSql, new { id }, tx, cancellationToken: ct));
        if (status is null)
        {
            return NotFound();
        }
        if (!StatementVocabulary.CanPublish(status))
        {
            ModelState.AddModelError(nameof(PublishedOn), "Only a final statement can be published: its text must first be signed off.");
        }
        if (PublishedOn is null)
        {
            ModelState.AddModelError(nameof(PublishedOn), "Enter the date the statement was published.");
        }
        else if (PublishedOn > Today())
        {
            ModelState.AddModelError(nameof(PublishedOn), "The publication date is in the future. Record it on the day it goes out; plan the date as the planned release instead.");
        }
        if (!ModelState.IsValid)
        {
            await tx.RollbackAsync(ct);
            await LoadAsync(db, id, ct);
            return Page();
        }
        var zone = TimeDisplay.ZoneOf(User);
        var publishedAt = PublishedOn == Today()
            ? DateTime.UtcNow
            : TimeZoneInfo.ConvertTimeToUtc(PublishedOn!.Value.ToDateTime(new TimeOnly(12, 0)), zone);
        await db.ExecuteAsync(new CommandDefinition(PublishSql, new { id, publishedAt }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, Actor.From(User), "statement.publish", "statement", id, new { published_on = PublishedOn, previous_status = status }, ct);
        await tx.CommitAsync(ct);
        Flash = "Statement marked as published.";
        return LocalRedirect($"/statements/{id}");
    }

    public async Task<IActionResult> OnPostWithdrawAsync(long id, CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var status = await db.ExecuteScalarAsync<string?>(new CommandDefinition(LockSql, new { id }, tx, cancellationToken: ct));
        if (status is null)
        {
            return NotFound();
        }
        Reason = Reason?.Trim();
        if (!StatementVocabulary.CanWithdraw(status))
        {
            ModelState.AddModelError(nameof(Reason), "The statement is already withdrawn.");
        }
        if (string.IsNullOrEmpty(Reason))
        {
            ModelState.AddModelError(nameof(Reason), "Say why the statement is withdrawn; members and colleagues will read it here.");
        }
        else if (Reason.Length > MaxReasonLength)
        {
            ModelState.AddModelError(nameof(Reason), $"Keep the reason to {MaxReasonLength} characters.");
        }
        if (!ModelState.IsValid)
        {
            await tx.RollbackAsync(ct);
            await LoadAsync(db, id, ct);
            return Page();
        }
        await db.ExecuteAsync(new CommandDefinition(WithdrawSql, new { id, reason = Reason }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, Actor.From(User), "statement.withdraw", "statement", id, new { reason = Reason, previous_status = status }, ct);
        await tx.CommitAsync(ct);
        Flash = "Statement withdrawn.";
        return LocalRedirect($"/statements/{id}");
    }

    public string When(DateTime utc) => TimeDisplay.Format(utc, User);

    private DateOnly Today() => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, TimeDisplay.ZoneOf(User)).DateTime);

    private async Task<bool> LoadAsync(NpgsqlConnection db, long id, CancellationToken ct)
    {
        var head = await StatementQueries.HeadAsync(db, id, ct);
        if (head is null)
        {
            return false;
        }
        Statement = head;
        Versions = await StatementVersions.ListAsync(db, id, ct);
        Rounds = await StatementQueries.RoundsAsync(db, [id], ct);
        CanEdit = (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        if (head.CoreId is long coreId)
        {
            var coreVersions = await StatementVersions.ListAsync(db, coreId, ct);
            CoreLatest = coreVersions.Count > 0 ? coreVersions[0] : null;
            var adaptedId = Versions.Select(v => v.CoreVersionId).FirstOrDefault(v => v is not null);
            AdaptedFrom = coreVersions.FirstOrDefault(v => v.Id == adaptedId);
            if (CoreLatest is not null && Latest is not null)
            {
                Divergence = VersionDiff.Compute(StatementVersions.DiffText(CoreLatest), StatementVersions.DiffText(Latest));
            }
        }
        else
        {
            Variants = (await db.QueryAsync<VariantRow>(new CommandDefinition(VariantsSql, new { id }, cancellationToken: ct))).ToList();
        }
        return true;
    }

    public static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);
}
