using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Briefings;

public sealed class IndexModel(NpgsqlDataSource dataSource, IAuthorizationService authorizationService) : PageModel
{
    private const string ListSql = """
        select b.id, b.title, b.state, b.next_run_at, b.schedule_kind, b.cron, b.time_zone, k.id as campaign_id, k.title as campaign,
               a.display_name as author, (b.approved_version = b.content_version) as approved,
               (select max(r.created_at) from briefing_run r where r.briefing_id = b.id) as last_run_at
        from briefing b
        join campaign k on k.id = b.campaign_id
        join staff_user a on a.id = b.author_id
        order by case b.state when 'scheduled' then 0 when 'paused' then 1 when 'draft' then 2 else 3 end, b.next_run_at nulls last, b.updated_at desc
        limit 500
        """;

    public sealed record BriefingRow(
        long Id, string Title, string State, DateTime? NextRunAt, string? ScheduleKind, string? Cron, string? TimeZone, long CampaignId, string Campaign,
        string Author, bool? Approved, DateTime? LastRunAt);

    public IReadOnlyList<BriefingRow> Rows { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        CanEdit = (await authorizationService.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Rows = (await db.QueryAsync<BriefingRow>(new CommandDefinition(ListSql, cancellationToken: ct))).ToList();
    }
}
