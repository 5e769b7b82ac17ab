using Child10.Advocacy.Web.Features.SignOff;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Statements;

/// <summary>One stored version of a statement.</summary>
public sealed record VersionRow(long Id, int Number, string Title, string Body, string? ChangeNote, byte[] ContentHash, long? CoreVersionId, string? AuthorName, DateTime CreatedAt)
{
    public string HashHex => StatementText.Hex(ContentHash);

    public string ShortHash => HashHex[..12];
}

/// <summary>Writing and reading statement versions: the one path that numbers, hashes and audits a new version.</summary>
public static class StatementVersions
{
    public const int MaxTitleLength = 300;
    public const int MaxBodyLength = 100_000;
    public const int MaxNoteLength = 1000;

    private const string InsertSql = """
        insert into statement_version (statement_id, number, title, body, change_note, content_hash, core_version_id, created_by)
        values (@statementId,
                (select coalesce(max(number), 0) + 1 from statement_version where statement_id = @statementId),
                @title, @body, @changeNote, @hash, @coreVersionId, @createdBy)
        returning id, number
        """;

    // A final text that changes needs signing off again, so a final statement goes back to draft.
    private const string TouchSql = """
        update statement
        set title = @title, status = case when status = 'final' then 'draft' else status end, updated_at = now()
        where id = @statementId
        """;

    public const string VersionColumns = """
        v.id, v.number, v.title, v.body, v.change_note, v.content_hash, v.core_version_id, s.display_name as author_name, v.created_at
        """;

    private static readonly string ListSql = $"""
        select {VersionColumns}
        from statement_version v left join staff_user s on s.id = v.created_by
        where v.statement_id = @statementId
        order by v.number desc
        """;

    private static readonly string LatestSql = $"""
        select {VersionColumns}
        from statement_version v left join staff_user s on s.id = v.created_by
        where v.statement_id = @statementId
        order by v.number desc
        limit 1
        """;

    /// <summary>
    /// Writes the next version (the statement row must be locked by the caller's transaction), keeps the statement's
    /// title in step, supersedes an open sign-off round and audits. Returns the version's id and number.
    /// </summary>
    public static async Task<(long Id, int Number)> WriteAsync(
        NpgsqlConnection db, NpgsqlTransaction tx, RoundSupersession supersession, Actor actor,
        long statementId, string title, string body, string? changeNote, long? coreVersionId, CancellationToken ct)
    {
        body = StatementText.Normalise(body);
        var hash = StatementText.ContentHash(title, body);
        var (id, number) = await db.QuerySingleAsync<(long, int)>(new CommandDefinition(InsertSql,
            new { statementId, title, body, changeNote, hash, coreVersionId, createdBy = actor.StaffId }, tx, cancellationToken: ct));
        await db.ExecuteAsync(new CommandDefinition(TouchSql, new { statementId, title }, tx, cancellationToken: ct));
        var newRound = await supersession.SupersedeOpenRoundAsync(db, tx, statementId, id, actor, ct);
        await db.RecordAsync(tx, actor, "statement_version.create", "statement_version", id, new
        {
            statement_id = statementId, number, title, change_note = changeNote, content_hash = StatementText.Hex(hash),
            core_version_id = coreVersionId, new_round_id = newRound,
        }, ct);
        return (id, number);
    }

    public static async Task<IReadOnlyList<VersionRow>> ListAsync(NpgsqlConnection db, long statementId, CancellationToken ct) =>
        (await db.QueryAsync<VersionRow>(new CommandDefinition(ListSql, new { statementId }, cancellationToken: ct))).ToList();

    public static Task<VersionRow?> LatestAsync(NpgsqlConnection db, long statementId, CancellationToken ct) =>
        db.QuerySingleOrDefaultAsync<VersionRow>(new CommandDefinition(LatestSql, new { statementId }, cancellationToken: ct));

    /// <summary>The text a diff compares: the title as a heading, then the body.</summary>
    public static string DiffText(VersionRow version) => "# " + version.Title + "\n\n" + version.Body;
}
