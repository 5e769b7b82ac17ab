using Child10.Advocacy.Web.Features.Campaigns;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Campaigns;

public sealed class IndexModel(NpgsqlDataSource dataSource, IAuthorizationService authorization) : PageModel
{
    public static readonly string[] DefaultStatuses = ["planning", "active"];

    private const string ListSql = """
        select c.id, c.title, c.scope, c.status, c.starts_on, c.ends_on, s.display_name as lead_name, r.name as region_name,
               (select string_agg(cc.country_code, ', ' order by cc.country_code) from campaign_country cc where cc.campaign_id = c.id) as countries,
               count(t.id) as targets,
               count(t.id) filter (where t.progress = 'contacted') as contacted,
               count(t.id) filter (where t.progress = 'met') as met,
               count(t.id) filter (where t.progress = 'committed') as committed
        from campaign c
        left join staff_user s on s.id = c.lead_id
        left join region r on r.id = c.region_id
        left join campaign_target t on t.campaign_id = c.id
        where c.status = any(@statuses)
        group by c.id, s.display_name, r.name
        order by array_position(@order, c.status), c.starts_on nulls last, sort_key(c.title), c.id
        """;

    public sealed record CampaignRow(
        long Id, string Title, string Scope, string Status, DateOnly? StartsOn, DateOnly? EndsOn, string? LeadName, string? RegionName,
        string? Countries, long Targets, long Contacted, long Met, long Committed);

    /// <summary>The statuses shown; none ticked means planning and active.</summary>
    public IReadOnlyList<string> Statuses { get; private set; } = DefaultStatuses;

    public IReadOnlyList<CampaignRow> Campaigns { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public async Task OnGetAsync(string[]? status, CancellationToken ct)
    {
        var chosen = (status ?? []).Where(s => Vocabulary.Contains(CampaignVocabulary.Statuses, s)).Distinct().ToArray();
        Statuses = chosen.Length == 0 ? DefaultStatuses : chosen;
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var order = CampaignVocabulary.Statuses.Select(s => s.Value).ToArray();
        Campaigns = (await db.QueryAsync<CampaignRow>(new CommandDefinition(ListSql, new { statuses = Statuses.ToArray(), order }, cancellationToken: ct))).ToList();
        CanEdit = (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
    }
}
