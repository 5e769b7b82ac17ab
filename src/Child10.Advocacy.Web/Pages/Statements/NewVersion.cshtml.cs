using Child10.Advocacy.Web.Features.SignOff;
using Child10.Advocacy.Web.Features.Statements;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Statements;

/// <summary>Writes the next immutable version of a statement; an open sign-off round on the old text is superseded.</summary>
[Authorize(Policy = Policies.CanEdit)]
public sealed class NewVersionModel(NpgsqlDataSource dataSource, RoundSupersession supersession) : PageModel
{
    private const string LockSql = "select status from statement where id = @id for update";

    public sealed record InputModel
    {
        public string? Title { get; set; }
        public string? Body { get; set; }
        public string? ChangeNote { get; set; }

        /// <summary>For a variant: this version brings it up to date with the core's latest version.</summary>
        public bool FollowsCore { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public StatementHead Statement { get; private set; } = null!;

    public VersionRow Latest { get; private set; } = null!;

    public VersionRow? CoreLatest { get; private set; }

    public int? AdaptedFromNumber { get; private set; }

    public bool HasOpenRound { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await LoadAsync(db, id, ct))
        {
            return NotFound();
        }
        Input = new InputModel { Title = Latest.Title, Body = Latest.Body };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await LoadAsync(db, id, ct))
        {
            return NotFound();
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        var status = await db.ExecuteScalarAsync<string>(new CommandDefinition(LockSql, new { id }, tx, cancellationToken: ct));
        if (!StatementVocabulary.TakesNewVersions(status!))
        {
            ModelState.AddModelError(string.Empty, $"This statement is {status}: its text can no longer change. Draft a new statement instead.");
        }
        Input.Title = StatementInput.Title(ModelState, "Input.Title", Input.Title);
        Input.Body = StatementInput.Body(ModelState, "Input.Body", Input.Body);
        Input.ChangeNote = StatementInput.ChangeNote(ModelState, "Input.ChangeNote", Input.ChangeNote);
        if (ModelState.IsValid && StatementText.ContentHash(Input.Title!, Input.Body!).SequenceEqual(Latest.ContentHash) && !(Input.FollowsCore && CoreLatest is not null))
        {
            ModelState.AddModelError("Input.Body", $"The text is the same as version {Latest.Number}. Change the title or text to write a new version.");
        }
        if (!ModelState.IsValid)
        {
            await tx.RollbackAsync(ct);
            return Page();
        }
        // A variant keeps pointing at the core version it was adapted from until a version says it follows a newer one.
        var coreVersionId = Statement.IsVariant
            ? Input.FollowsCore && CoreLatest is not null ? CoreLatest.Id : Latest.CoreVersionId
            : null;
        var (_, number) = await StatementVersions.WriteAsync(db, tx, supersession, Actor.From(User), id, Input.Title!, Input.Body!, Input.ChangeNote, coreVersionId, ct);
        await tx.CommitAsync(ct);
        Flash = $"Version {number} saved." + (HasOpenRound ? " The open sign-off round was superseded: signatories are asked about the new text." : "");
        return LocalRedirect($"/statements/{id}");
    }

    private async Task<bool> LoadAsync(NpgsqlConnection db, long id, CancellationToken ct)
    {
        var head = await StatementQueries.HeadAsync(db, id, ct);
        var latest = head is null ? null : await StatementVersions.LatestAsync(db, id, ct);
        if (head is null || latest is null)
        {
            return false;
        }
        Statement = head;
        Latest = latest;
        HasOpenRound = (await StatementQueries.RoundsAsync(db, [id], ct)).Any(r => r.Status == "open");
        if (head.CoreId is long coreId)
        {
            CoreLatest = await StatementVersions.LatestAsync(db, coreId, ct);
            var versions = await StatementVersions.ListAsync(db, coreId, ct);
            AdaptedFromNumber = versions.FirstOrDefault(v => v.Id == latest.CoreVersionId)?.Number;
        }
        return true;
    }
}
