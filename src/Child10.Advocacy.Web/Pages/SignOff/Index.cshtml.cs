using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.SignOff;

public sealed class IndexModel(NpgsqlDataSource dataSource, IAuthorizationService authorizationService) : PageModel
{
    private const string Sql = """
        select r.id, r.statement_id, s.title as statement_title, s.core_id, s.country_code, v.number as version_number, r.rule,
               r.deadline, r.time_zone, r.status, r.outcome, r.closed_at,
               count(q.id)::int as invited,
               count(q.decision)::int as answered,
               count(*) filter (where q.decision = 'approve')::int as approved,
               count(*) filter (where q.decision in ('request_changes', 'decline'))::int as objections
        from signoff_round r
        join statement s on s.id = r.statement_id
        join statement_version v on v.id = r.version_id
        left join signoff_request q on q.round_id = r.id
        where r.status = 'open' or (r.status = 'closed' and r.closed_at > now() - interval '90 days')
        group by r.id, s.id, v.id
        order by r.status = 'open' desc, case when r.status = 'open' then r.deadline end, r.closed_at desc
        """;

    public sealed record RoundRow(
        long Id, long StatementId, string StatementTitle, long? CoreId, string? CountryCode, int VersionNumber, string Rule, DateTime Deadline,
        string TimeZone, string Status, string? Outcome, DateTime? ClosedAt, int Invited, int Answered, int Approved, int Objections);

    public IReadOnlyList<RoundRow> Open { get; private set; } = [];

    public IReadOnlyList<RoundRow> Closed { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var rows = (await db.QueryAsync<RoundRow>(new CommandDefinition(Sql, cancellationToken: ct))).ToList();
        Open = rows.Where(r => r.Status == "open").ToList();
        Closed = rows.Where(r => r.Status == "closed").ToList();
        CanEdit = (await authorizationService.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
    }
}
