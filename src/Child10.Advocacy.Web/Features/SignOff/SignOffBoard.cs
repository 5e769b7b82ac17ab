using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.SignOff;

/// <summary>One invited organisation on a board: its latest answer, or pending, or bounced when its latest link mails all failed.</summary>
public sealed record BoardRow(
    long RequestId, long RoundId, long OrganisationId, string Organisation, string? CountryCode, string? Decision, DateTime? AnsweredAt,
    bool? IsSigned, long SignatoryId, string Signatory, string? SignatoryEmail, long? AlternateId, string? Alternate, string? AlternateEmail,
    bool? Bounced, string? Comment)
{
    public string State => Decision ?? (Bounced == true ? "bounced" : "pending");
}

public sealed record AnswerRow(long Id, long RequestId, string Decision, string? Comment, string? Person, DateTime AnsweredAt, int VersionNumber);

public sealed record ChaseRow(long RequestId, string Organisation, string Step, DateTime SentAt, string? Recipient, string? MailStatus, long? OutboxMessageId);

/// <summary>The boards' shared reads: organisations by state, answer history and the chase log.</summary>
public static class SignOffBoard
{
    public static readonly IReadOnlyList<(string State, string Label)> States =
    [
        ("approve", "Approved"),
        ("request_changes", "Changes requested"),
        ("decline", "Declined"),
        ("pending", "Pending"),
        ("bounced", "Bounced"),
    ];

    private const string RowsSql = """
        select q.id as request_id, q.round_id, q.organisation_id, o.name as organisation, o.country_code, q.decision, q.answered_at, q.signed as is_signed,
               q.signatory_id, p.full_name as signatory, p.email as signatory_email, q.alternate_id, a.full_name as alternate, a.email as alternate_email,
               -- Bounced: the latest link mail to each of the organisation's recipients failed.
               (select bool_and(x.status = 'failed')
                from (select distinct on (m.person_id) m.status
                      from outbox_message m
                      where m.idempotency_key like 'signoff:' || q.round_id || ':' || q.id || ':%' and m.purpose in ('signoff-request', 'signoff-reminder')
                      order by m.person_id, m.id desc) x) as bounced,
               (select x.comment from signoff_answer x where x.request_id = q.id order by x.id desc limit 1) as comment
        from signoff_request q
        join organisation o on o.id = q.organisation_id
        join person p on p.id = q.signatory_id
        left join person a on a.id = q.alternate_id
        where q.round_id = any(@roundIds)
        order by o.name_sort_key, q.id
        """;

    private const string AnswersSql = """
        select x.id, x.request_id, x.decision, x.comment, p.full_name as person, x.answered_at, v.number as version_number
        from signoff_answer x
        join signoff_request q on q.id = x.request_id
        join statement_version v on v.id = x.version_id
        left join person p on p.id = x.person_id
        where q.round_id = @roundId
        order by x.id
        """;

    private const string ChasesSql = """
        select c.request_id, o.name as organisation, c.step, c.sent_at, m.recipient_address as recipient, m.status as mail_status, c.outbox_message_id
        from signoff_chase c
        join signoff_request q on q.id = c.request_id
        join organisation o on o.id = q.organisation_id
        left join outbox_message m on m.id = c.outbox_message_id
        where q.round_id = @roundId
        order by c.sent_at desc, o.name_sort_key
        """;

    public static async Task<IReadOnlyList<BoardRow>> RowsAsync(NpgsqlConnection db, long[] roundIds, CancellationToken ct) =>
        (await db.QueryAsync<BoardRow>(new CommandDefinition(RowsSql, new { roundIds }, cancellationToken: ct))).ToList();

    public static async Task<IReadOnlyList<AnswerRow>> AnswersAsync(NpgsqlConnection db, long roundId, CancellationToken ct) =>
        (await db.QueryAsync<AnswerRow>(new CommandDefinition(AnswersSql, new { roundId }, cancellationToken: ct))).ToList();

    public static async Task<IReadOnlyList<ChaseRow>> ChasesAsync(NpgsqlConnection db, long roundId, CancellationToken ct) =>
        (await db.QueryAsync<ChaseRow>(new CommandDefinition(ChasesSql, new { roundId }, cancellationToken: ct))).ToList();

    public static string StepLabel(string step) => step switch
    {
        ChaseSchedule.Request => "Request",
        ChaseSchedule.Final => "Final reminder",
        ChaseSchedule.Escalation => "Escalation to the lead",
        _ when step.StartsWith("reminder-", StringComparison.Ordinal) => "Reminder " + step["reminder-".Length..],
        _ when step.StartsWith("resend-", StringComparison.Ordinal) => "Link sent again",
        _ => step,
    };
}
