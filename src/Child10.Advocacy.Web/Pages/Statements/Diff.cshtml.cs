using Child10.Advocacy.Web.Features.Statements;
using Child10.Advocacy.Web.Infrastructure;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Statements;

/// <summary>What changed between any two versions of a statement.</summary>
public sealed class DiffModel(NpgsqlDataSource dataSource) : PageModel
{
    public StatementHead Statement { get; private set; } = null!;

    public IReadOnlyList<VersionRow> Versions { get; private set; } = [];

    public VersionRow? From { get; private set; }

    public VersionRow? To { get; private set; }

    public VersionDiffResult? Result { get; private set; }

    public string? Problem { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, int? from, int? to, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var head = await StatementQueries.HeadAsync(db, id, ct);
        if (head is null)
        {
            return NotFound();
        }
        Statement = head;
        Versions = await StatementVersions.ListAsync(db, id, ct);
        if (Versions.Count == 0)
        {
            return NotFound();
        }
        var newest = Versions[0].Number;
        var toNumber = to ?? newest;
        var fromNumber = from ?? Math.Max(1, toNumber - 1);
        From = Versions.FirstOrDefault(v => v.Number == fromNumber);
        To = Versions.FirstOrDefault(v => v.Number == toNumber);
        if (From is null || To is null)
        {
            Problem = $"This statement has versions 1 to {newest}. Choose two of them.";
            Response.StatusCode = StatusCodes.Status404NotFound;
            return Page();
        }
        Result = VersionDiff.Compute(StatementVersions.DiffText(From), StatementVersions.DiffText(To));
        return Page();
    }

    public string When(DateTime utc) => TimeDisplay.Format(utc, User);
}
