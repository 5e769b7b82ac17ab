using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Statements;

/// <summary>A statement version ready to export: its text and the organisations that signed it.</summary>
public sealed record StatementDocument(
    long StatementId,
    long VersionId,
    int VersionNumber,
    string Kind,
    string Title,
    string Body,
    string ContentHashHex,
    string Language,
    string? CountryName,
    string? RegionName,
    DateTimeOffset? PublishedAt,
    IReadOnlyList<string> Signatories)
{
    /// <summary>True when the version is not the statement's final text: exports mark it DRAFT.</summary>
    public bool IsDraft { get; init; }

    /// <summary>The label of the kind, such as "Joint statement".</summary>
    public string KindLabel => StatementVocabulary.Kinds.FirstOrDefault(k => k.Value == Kind).Label ?? Kind;

    /// <summary>The date the document carries: publication, else the version's own date.</summary>
    public DateOnly DocumentDate { get; init; }
}

/// <summary>
/// Exports of a statement as HTML and as PDF, with its signatory list. A singleton service; the briefing
/// feature uses <see cref="LoadFinalAsync"/> and <see cref="RenderPdf"/> to attach a final statement.
/// </summary>
public sealed class StatementDocuments
{
    public const string NetworkName = "Child10";

    private const string StatementSql = """
        select s.id, s.kind, s.language, s.status, s.published_at, c.name as country_name, r.name as region_name,
               (select fr.version_id from signoff_round fr
                 where fr.statement_id = s.id and fr.status = 'closed' and fr.outcome = 'approved'
                 order by fr.closed_at desc, fr.id desc limit 1) as approved_version_id
        from statement s
        left join country c on c.code = s.country_code
        left join region r on r.id = s.region_id
        where s.id = @statementId
        """;

    private const string VersionSql = """
        select id, number, title, body, content_hash, created_at
        from statement_version
        where statement_id = @statementId
          and (@number::int is null and (@versionId::bigint is null or id = @versionId) or number = @number)
        order by number desc
        limit 1
        """;

    /// <summary>Signatories: organisations marked signed in the latest round on this version that closed approved.</summary>
    private const string SignatoriesSql = """
        select o.name || coalesce(' (' || c.name || ')', '') as name
        from signoff_request q
        join organisation o on o.id = q.organisation_id
        left join country c on c.code = o.country_code
        where q.signed
          and q.round_id = (select r.id from signoff_round r
                             where r.version_id = @versionId and r.status = 'closed' and r.outcome = 'approved'
                             order by r.closed_at desc, r.id desc limit 1)
        order by c.name nulls last, o.name_sort_key
        """;

    private sealed record StatementRow(long Id, string Kind, string Language, string Status, DateTime? PublishedAt, string? CountryName, string? RegionName, long? ApprovedVersionId);

    private sealed record VersionText(long Id, int Number, string Title, string Body, byte[] ContentHash, DateTime CreatedAt);

    /// <summary>The latest final or published version of the statement with its signatories, or null if it has none.</summary>
    public async Task<StatementDocument?> LoadFinalAsync(NpgsqlConnection db, long statementId, CancellationToken ct)
    {
        var document = await LoadAsync(db, statementId, null, ct);
        return document is { IsDraft: false } ? document : null;
    }

    /// <summary>
    /// A version to export: the numbered one, or by default the final text (the version approved in the latest closed
    /// round of a final or published statement), else the latest version marked as a draft. Null when there is none.
    /// </summary>
    public async Task<StatementDocument?> LoadAsync(NpgsqlConnection db, long statementId, int? versionNumber, CancellationToken ct)
    {
        var statement = await db.QuerySingleOrDefaultAsync<StatementRow>(new CommandDefinition(StatementSql, new { statementId }, cancellationToken: ct));
        if (statement is null)
        {
            return null;
        }
        var isFinal = statement.Status is "final" or "published";
        long? finalVersionId = isFinal ? statement.ApprovedVersionId : null;
        var version = await db.QuerySingleOrDefaultAsync<VersionText>(new CommandDefinition(VersionSql,
            new { statementId, number = versionNumber, versionId = versionNumber is null ? finalVersionId : null }, cancellationToken: ct));
        if (version is null)
        {
            return null;
        }
        // A final statement whose approval predates rounds (or was recorded by hand) counts its latest version as final.
        var isDraft = !isFinal || (finalVersionId is long approved ? version.Id != approved : versionNumber is not null && version.Number != await LatestNumberAsync(db, statementId, ct));
        var signatories = (await db.QueryAsync<string>(new CommandDefinition(SignatoriesSql, new { versionId = version.Id }, cancellationToken: ct))).ToList();
        DateTimeOffset? published = statement.PublishedAt is DateTime p ? new DateTimeOffset(DateTime.SpecifyKind(p, DateTimeKind.Utc)) : null;
        return new StatementDocument(statement.Id, version.Id, version.Number, statement.Kind, version.Title, version.Body,
            StatementText.Hex(version.ContentHash), statement.Language, statement.CountryName, statement.RegionName, published, signatories)
        {
            IsDraft = isDraft,
            DocumentDate = DateOnly.FromDateTime(published?.UtcDateTime ?? DateTime.SpecifyKind(version.CreatedAt, DateTimeKind.Utc)),
        };
    }

    /// <summary>The document as a PDF you would send to a ministry.</summary>
    public byte[] RenderPdf(StatementDocument document) => StatementPdf.Render(document);

    private static Task<int> LatestNumberAsync(NpgsqlConnection db, long statementId, CancellationToken ct) =>
        db.ExecuteScalarAsync<int>(new CommandDefinition("select coalesce(max(number), 0) from statement_version where statement_id = @statementId", new { statementId }, cancellationToken: ct));
}
