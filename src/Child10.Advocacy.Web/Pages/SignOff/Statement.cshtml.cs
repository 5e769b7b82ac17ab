using Child10.Advocacy.Web.Features.SignOff;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.SignOff;

/// <summary>A core statement and all its variants: for each, its latest round and the organisations by state.</summary>
public sealed class StatementModel(NpgsqlDataSource dataSource) : PageModel
{
    private const string Sql = """
        select s.id as statement_id, s.title, s.core_id, s.country_code, c.name as country, s.language, s.status,
               r.id as round_id, r.status as round_status, r.outcome, r.deadline, v.number as version_number
        from statement s
        left join country c on c.code = s.country_code
        left join lateral (select * from signoff_round x where x.statement_id = s.id and x.status <> 'superseded' order by x.id desc limit 1) r on true
        left join statement_version v on v.id = r.version_id
        where s.id = @coreId or s.core_id = @coreId
        order by s.core_id nulls first, c.name_sort_key, s.language
        """;

    public sealed record StatementRow(
        long StatementId, string Title, long? CoreId, string? CountryCode, string? Country, string Language, string Status,
        long? RoundId, string? RoundStatus, string? Outcome, DateTime? Deadline, int? VersionNumber);

    public IReadOnlyList<StatementRow> Statements { get; private set; } = [];

    public IReadOnlyList<BoardRow> Rows { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync(long coreId, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Statements = (await db.QueryAsync<StatementRow>(new CommandDefinition(Sql, new { coreId }, cancellationToken: ct))).ToList();
        if (Statements.Count == 0 || Statements[0].CoreId is not null)
        {
            return NotFound();
        }
        Rows = await SignOffBoard.RowsAsync(db, Statements.Where(s => s.RoundId is not null).Select(s => s.RoundId!.Value).ToArray(), ct);
        return Page();
    }
}
