using Child10.Advocacy.Web.Email;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.SignOff;

/// <summary>What a personal sign-off link resolves to: the request, round, version and the person it was sent to.</summary>
public sealed record SignOffLink(
    byte[] TokenHash, DateTime ExpiresAt, long RequestId, long RoundId, long OrganisationId, string Organisation,
    long PersonId, string PersonName, long VersionId, int VersionNumber, string VersionTitle, string VersionBody, byte[] ContentHash,
    long StatementId, string StatementTitle, string RoundStatus, string Rule, DateTime Deadline, string TimeZone, string? Message,
    string LeadName, string? LeadEmail, string? Decision, DateTime? AnsweredAt, string? LatestComment)
{
    public bool Open(DateTime now) => RoundStatus == "open" && Deadline > now && ExpiresAt > now;
}

/// <summary>
/// Sign-off links: 128 random bits from a CSPRNG, base64url in the link, only the SHA-256 stored (the same scheme
/// as unsubscribe links), bound to one request, person and version, expiring at the round's deadline.
/// </summary>
public static class SignOffLinks
{
    public const int MaxTokenLength = 64;

    private const string FindSql = """
        select t.token_hash, t.expires_at, q.id as request_id, q.round_id, q.organisation_id, o.name as organisation,
               p.id as person_id, p.full_name as person_name, v.id as version_id, v.number as version_number,
               v.title as version_title, v.body as version_body, v.content_hash, s.id as statement_id, s.title as statement_title,
               r.status as round_status, r.rule, r.deadline, r.time_zone, r.message,
               l.display_name as lead_name, l.email as lead_email, q.decision, q.answered_at,
               (select a.comment from signoff_answer a where a.request_id = q.id order by a.id desc limit 1) as latest_comment
        from signoff_token t
        join signoff_request q on q.id = t.request_id
        join signoff_round r on r.id = q.round_id
        join statement s on s.id = r.statement_id
        join statement_version v on v.id = t.version_id
        join organisation o on o.id = q.organisation_id
        join person p on p.id = t.person_id
        join staff_user l on l.id = r.lead_id
        where t.token_hash = @hash
        """;

    public static string NewToken() => UnsubscribeTokens.NewToken();

    public static byte[] Hash(string token) => UnsubscribeTokens.Hash(token);

    public static string Url(Uri publicBaseUrl, string token) =>
        new Uri(publicBaseUrl, "/sign/" + Uri.EscapeDataString(token)).ToString();

    /// <summary>The link's request, or null for an unknown or malformed token. With a transaction, the request row is locked.</summary>
    public static async Task<SignOffLink?> FindAsync(NpgsqlConnection db, NpgsqlTransaction? tx, string? token, CancellationToken ct)
    {
        if (token is not { Length: > 0 and <= MaxTokenLength })
        {
            return null;
        }
        var sql = tx is null ? FindSql : FindSql + " for update of q";
        return await db.QuerySingleOrDefaultAsync<SignOffLink>(new CommandDefinition(sql, new { hash = Hash(token) }, tx, cancellationToken: ct));
    }
}
