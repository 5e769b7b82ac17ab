using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Statements;

/// <summary>A statement as its pages show it: core or variant, with its place and campaign.</summary>
public sealed record StatementHead(
    long Id, string Title, string Kind, string Scope, string Status, long? CoreId, string? CoreTitle, long CampaignId, string CampaignTitle,
    string? CountryCode, string? CountryName, long? RegionId, string? RegionName, string Language, DateOnly? PlannedReleaseOn,
    DateTime? PublishedAt, DateTime? WithdrawnAt, string? WithdrawnReason, string? LeadName)
{
    public bool IsVariant => CoreId is not null;

    /// <summary>Where a variant is for ("Moldova", "Western Balkans"), or "Core" for a core statement.</summary>
    public string Place => CountryName ?? RegionName ?? "Core";
}

/// <summary>A sign-off round as statement pages summarise it, read from the sign-off tables.</summary>
public sealed record RoundSummary(
    long Id, long StatementId, string Status, string? Outcome, DateTime Deadline, DateTime? ClosedAt, int VersionNumber,
    long Invited, long Answered, long Approved)
{
    public string Label => Status switch
    {
        "open" => $"Open: {Approved} of {Invited} approved",
        "closed" => Outcome == "approved" ? "Closed: approved" : "Closed: not approved",
        "superseded" => "Superseded by a newer version",
        _ => "Cancelled",
    };
}

/// <summary>Reads shared by the statement pages.</summary>
public static class StatementQueries
{
    private const string HeadSql = """
        select s.id, s.title, s.kind, s.scope, s.status, s.core_id, core.title as core_title, c.id as campaign_id, c.title as campaign_title,
               s.country_code, co.name as country_name, s.region_id, r.name as region_name, s.language, s.planned_release_on,
               s.published_at, s.withdrawn_at, s.withdrawn_reason, st.display_name as lead_name
        from statement s
        join campaign c on c.id = s.campaign_id
        left join statement core on core.id = s.core_id
        left join country co on co.code = s.country_code
        left join region r on r.id = s.region_id
        left join staff_user st on st.id = s.lead_id
        where s.id = @id
        """;

    private const string RoundsSql = """
        select r.id, r.statement_id, r.status, r.outcome, r.deadline, r.closed_at, v.number as version_number,
               count(q.id) as invited, count(q.decision) as answered, count(q.id) filter (where q.decision = 'approve') as approved
        from signoff_round r
        join statement_version v on v.id = r.version_id
        left join signoff_request q on q.round_id = r.id
        where r.statement_id = any(@statementIds)
        group by r.id, v.number
        order by r.id desc
        """;

    public static Task<StatementHead?> HeadAsync(NpgsqlConnection db, long id, CancellationToken ct) =>
        db.QuerySingleOrDefaultAsync<StatementHead>(new CommandDefinition(HeadSql, new { id }, cancellationToken: ct));

    /// <summary>Every round of these statements, newest first.</summary>
    public static async Task<IReadOnlyList<RoundSummary>> RoundsAsync(NpgsqlConnection db, long[] statementIds, CancellationToken ct) =>
        (await db.QueryAsync<RoundSummary>(new CommandDefinition(RoundsSql, new { statementIds }, cancellationToken: ct))).ToList();

    public static string Date(DateOnly? date) => date?.ToString("d MMM yyyy", System.Globalization.CultureInfo.InvariantCulture) ?? "—";
}
