using System.Globalization;
using System.Text.Json;
using Child10.Advocacy.Web.Features.Statements;
using Child10.Advocacy.Web.Infrastructure.Csv;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.SignOff;

/// <summary>
/// The evidence of a round: every answer given (not only the latest), with the exact version hash it approved, when,
/// from where, and through which request and link mail. CSV (formula-safe) or JSON.
/// </summary>
public sealed class EvidenceModel(NpgsqlDataSource dataSource) : PageModel
{
    private const string Sql = """
        select o.name as organisation, p.full_name as person, p.email, x.decision, x.comment, v.number as version_number, x.content_hash,
               x.answered_at, host(x.ip) as ip, x.user_agent, q.id as request_id, q.round_id,
               t.outbox_message_id,
               (x.id = (select max(y.id) from signoff_answer y where y.request_id = q.id)) as is_latest
        from signoff_answer x
        join signoff_request q on q.id = x.request_id
        join organisation o on o.id = q.organisation_id
        join statement_version v on v.id = x.version_id
        join signoff_token t on t.token_hash = x.token_hash
        left join person p on p.id = x.person_id
        where q.round_id = @id
        order by o.name_sort_key, x.id
        """;

    private sealed record EvidenceRow(
        string Organisation, string? Person, string? Email, string Decision, string? Comment, int VersionNumber, byte[] ContentHash,
        DateTime AnsweredAt, string? Ip, string? UserAgent, long RequestId, long RoundId, long? OutboxMessageId, bool IsLatest);

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public async Task<IActionResult> OnGetAsync(long id, string format, CancellationToken ct)
    {
        if (format is not ("csv" or "json"))
        {
            return NotFound();
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await db.ExecuteScalarAsync<bool>(new CommandDefinition("select exists (select 1 from signoff_round where id = @id)", new { id }, cancellationToken: ct)))
        {
            return NotFound();
        }
        var rows = (await db.QueryAsync<EvidenceRow>(new CommandDefinition(Sql, new { id }, cancellationToken: ct))).ToList();
        Response.Headers.ContentDisposition = $"attachment; filename=signoff-round-{id}-evidence.{format}";
        if (format == "json")
        {
            Response.ContentType = "application/json; charset=utf-8";
            await JsonSerializer.SerializeAsync(Response.Body, rows.Select(r => new
            {
                r.Organisation,
                r.Person,
                r.Email,
                r.Decision,
                r.Comment,
                r.VersionNumber,
                ContentHash = StatementText.Hex(r.ContentHash),
                AnsweredAt = Iso(r.AnsweredAt),
                r.Ip,
                r.UserAgent,
                r.RequestId,
                r.RoundId,
                r.OutboxMessageId,
                r.IsLatest,
            }), Json, ct);
            return new EmptyResult();
        }

        Response.ContentType = "text/csv; charset=utf-8";
        await using var writer = new StreamWriter(Response.Body, CsvWriter.Utf8WithBom);
        var csv = new CsvWriter(writer);
        await csv.WriteRowAsync(["organisation", "person", "email", "decision", "comment", "version_number", "content_hash", "answered_at", "ip", "user_agent", "request_id", "round_id", "outbox_message_id", "is_latest"]);
        foreach (var r in rows)
        {
            await csv.WriteRowAsync([r.Organisation, r.Person, r.Email, r.Decision, r.Comment, r.VersionNumber, StatementText.Hex(r.ContentHash), Iso(r.AnsweredAt), r.Ip, r.UserAgent, r.RequestId, r.RoundId, r.OutboxMessageId, r.IsLatest ? "true" : "false"]);
        }
        await writer.FlushAsync(ct);
        return new EmptyResult();
    }

    private static string Iso(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
