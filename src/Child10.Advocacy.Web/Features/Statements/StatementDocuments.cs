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
    IReadOnlyList<string> Signatories);

/// <summary>
/// Exports of a statement as HTML and as PDF, with its signatory list. A singleton service; the briefing
/// feature uses <see cref="LoadFinalAsync"/> and <see cref="RenderPdf"/> to attach a final statement.
/// </summary>
public sealed class StatementDocuments
{
    /// <summary>The latest final or published version of the statement with its signatories, or null if it has none.</summary>
    public Task<StatementDocument?> LoadFinalAsync(NpgsqlConnection db, long statementId, CancellationToken ct)
    {
        // Filled in by the statements feature.
        _ = (db, statementId, ct);
        return Task.FromResult<StatementDocument?>(null);
    }

    /// <summary>The document as a PDF you would send to a ministry.</summary>
    public byte[] RenderPdf(StatementDocument document)
    {
        // Filled in by the statements feature.
        _ = document;
        return [];
    }
}
