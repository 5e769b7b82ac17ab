using Child10.Advocacy.Web.Features.Consultations;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Consultations;

public sealed class IndexModel(NpgsqlDataSource dataSource, IAuthorizationService authorizationService) : PageModel
{
    private const string ListSql = """
        select c.id, c.title, c.status, c.closes_at, c.institution_time_zone, o.name as institution, s.display_name as responsible
        from consultation c
        join organisation o on o.id = c.institution_id
        left join staff_user s on s.id = c.responsible_id
        where c.status = any(@statuses)
        order by c.closes_at, c.id
        limit 500
        """;

    public sealed record ConsultationRow(long Id, string Title, string Status, DateTime ClosesAt, string InstitutionTimeZone, string Institution, string? Responsible);

    /// <summary>"active" (the default: upcoming, open, in preparation), "all", or one status.</summary>
    public string Status { get; private set; } = "active";

    public IReadOnlyList<ConsultationRow> Rows { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public DateTimeOffset Now { get; } = DateTimeOffset.UtcNow;

    public async Task OnGetAsync(string? status, CancellationToken ct)
    {
        var known = ConsultationVocabulary.Statuses.Select(s => s.Value).ToList();
        Status = status == "all" || (status is not null && known.Contains(status)) ? status : "active";
        var statuses = Status switch
        {
            "all" => known,
            "active" => ConsultationVocabulary.Active.ToList(),
            _ => [Status],
        };
        CanEdit = (await authorizationService.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Rows = (await db.QueryAsync<ConsultationRow>(new CommandDefinition(ListSql, new { statuses = statuses.ToArray() }, cancellationToken: ct))).ToList();
    }
}
