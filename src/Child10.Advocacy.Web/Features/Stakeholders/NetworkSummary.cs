using System.Text.Json;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Stakeholders;

/// <summary>The network in figures, as the home dashboard shows it.</summary>
public sealed record NetworkFigures(
    long MemberOrganisations, long MemberCountries, long MemberRegions, long DecisionMakers, long ActiveCampaigns, long PrivacyNoticesPending);

/// <summary>Awarded members of one region (RegionId null: members without a region).</summary>
public sealed record RegionMembers(long? RegionId, string Region, long Members, long Countries, int? LatestAwardYear);

public sealed record NetworkOverview(NetworkFigures Figures, IReadOnlyList<RegionMembers> Regions);

/// <summary>
/// The dashboard's network figures are counts over every person and organisation: tens of milliseconds at 100,000
/// people, on every visit to the home page. They are computed again only when the data may have changed: the answer
/// is kept with the database snapshot it was read under (pg_current_snapshot: which transactions are visible), and
/// a visit whose snapshot is the same sees exactly the same rows, so it gets the same answer. Any commit since (by
/// this instance or another) changes the snapshot, and the next visit counts afresh. Nothing is ever stale.
/// </summary>
public sealed class NetworkSummary
{
    private const string SnapshotSql = "select pg_current_snapshot()::text";

    // One statement, so the snapshot returned is the one the counts were read under.
    private const string OverviewSql = """
        select pg_current_snapshot()::text as snapshot,
            (select count(*) from organisation where kind = 'member')                               as member_organisations,
            (select count(distinct country_code) from organisation where kind = 'member')           as member_countries,
            (select count(distinct region_id) from organisation where kind = 'member')              as member_regions,
            (select count(*) from person where category = 'decision_maker' and erased_at is null)   as decision_makers,
            (select count(*) from campaign where status = 'active')                                 as active_campaigns,
            (select count(*) from person where privacy_notice_sent_on is null and erased_at is null) as privacy_notices_pending,
            (select coalesce(json_agg(g order by g.region is null, sort_key(g.region)), '[]')
               from (select o.region_id, r.name as region, count(*) as members, count(distinct o.country_code) as countries,
                            max(o.award_year) as latest_award_year
                       from organisation o left join region r on r.id = o.region_id
                      where o.kind = 'member'
                      group by o.region_id, r.name) g)::text                                       as regions
        """;

    private sealed record OverviewRow(
        string Snapshot, long MemberOrganisations, long MemberCountries, long MemberRegions, long DecisionMakers, long ActiveCampaigns,
        long PrivacyNoticesPending, string Regions);

    private sealed record RegionJson(long? RegionId, string? Region, long Members, long Countries, int? LatestAwardYear);

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    private sealed record Known(string Snapshot, NetworkOverview Overview);

    private volatile Known? latest;

    public async Task<NetworkOverview> GetAsync(NpgsqlConnection db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var known = latest;
        if (known is not null
            && await db.ExecuteScalarAsync<string>(new CommandDefinition(SnapshotSql, cancellationToken: ct)) == known.Snapshot)
        {
            return known.Overview;
        }
        var row = await db.QuerySingleAsync<OverviewRow>(new CommandDefinition(OverviewSql, cancellationToken: ct));
        var regions = (JsonSerializer.Deserialize<List<RegionJson>>(row.Regions, Json) ?? [])
            .Select(r => new RegionMembers(r.RegionId, r.Region ?? "No region", r.Members, r.Countries, r.LatestAwardYear))
            .ToList();
        var overview = new NetworkOverview(
            new NetworkFigures(row.MemberOrganisations, row.MemberCountries, row.MemberRegions, row.DecisionMakers, row.ActiveCampaigns, row.PrivacyNoticesPending),
            regions);
        latest = new Known(row.Snapshot, overview);
        return overview;
    }
}
