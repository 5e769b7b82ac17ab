using Child10.Advocacy.Web.Features.Statements;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Statements;

/// <summary>The statements list: core statements with their variants, filtered by campaign, kind, status and text.</summary>
public sealed class IndexModel(NpgsqlDataSource dataSource, IAuthorizationService authorization) : PageModel
{
    private const string ListSql = """
        select s.id, s.title, s.kind, s.status, s.language, s.planned_release_on, c.id as campaign_id, c.title as campaign_title,
               lv.number as latest_number, lv.created_at as latest_at,
               (select count(*) from statement v where v.core_id = s.id) as variants,
               (select string_agg(coalesce(v.country_code, rg.name) || ' (' || v.language || ')', ', ' order by v.country_code, rg.name_sort_key)
                  from statement v left join region rg on rg.id = v.region_id where v.core_id = s.id) as variant_places
        from statement s
        join campaign c on c.id = s.campaign_id
        left join lateral (select number, created_at from statement_version where statement_id = s.id order by number desc limit 1) lv on true
        where s.core_id is null
          and (@campaignId::bigint is null or s.campaign_id = @campaignId)
          and (@kind::text is null or s.kind = @kind)
          and (@status::text is null or s.status = @status)
          and (@text::text is null or s.title ilike '%' || @text || '%'
               or exists (select 1 from statement v where v.core_id = s.id and v.title ilike '%' || @text || '%'))
        order by array_position(@order, s.status), s.planned_release_on nulls last, lower(s.title), s.id
        limit 200
        """;

    private const string CampaignsSql = "select id, title as name from campaign order by sort_key(title)";

    public sealed record StatementListRow(
        long Id, string Title, string Kind, string Status, string Language, DateOnly? PlannedReleaseOn, long CampaignId, string CampaignTitle,
        int? LatestNumber, DateTime? LatestAt, long Variants, string? VariantPlaces);

    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true)]
    public long? CampaignId { get; set; }

    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true)]
    public string? Kind { get; set; }

    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true)]
    public string? Status { get; set; }

    [Microsoft.AspNetCore.Mvc.BindProperty(SupportsGet = true)]
    public string? Q { get; set; }

    public IReadOnlyList<StatementListRow> Statements { get; private set; } = [];

    public IReadOnlyList<NamedOption> Campaigns { get; private set; } = [];

    public bool CanEdit { get; private set; }

    public bool Filtered => CampaignId is not null || Kind is not null || Status is not null || Q is not null;

    public async Task OnGetAsync(CancellationToken ct)
    {
        Kind = Vocabulary.Contains(StatementVocabulary.Kinds, Kind) ? Kind : null;
        Status = Vocabulary.Contains(StatementVocabulary.Statuses, Status) ? Status : null;
        Q = string.IsNullOrWhiteSpace(Q) ? null : Q.Trim();
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Campaigns = (await db.QueryAsync<NamedOption>(new CommandDefinition(CampaignsSql, cancellationToken: ct))).ToList();
        var order = StatementVocabulary.Statuses.Select(s => s.Value).ToArray();
        var text = Q?.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);
        Statements = (await db.QueryAsync<StatementListRow>(new CommandDefinition(ListSql,
            new { campaignId = CampaignId, kind = Kind, status = Status, text, order }, cancellationToken: ct))).ToList();
        CanEdit = (await authorization.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
    }
}
