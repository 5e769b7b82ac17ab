using System.Globalization;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Consultations;
using Child10.Advocacy.Web.Features.Statements;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using MimeKit;
using Npgsql;
using NpgsqlTypes;

namespace Child10.Advocacy.Web.Features.SignOff;

/// <summary>One organisation invited to a round, with its designated signatory and an optional alternate.</summary>
public sealed record RoundInvite(long OrganisationId, long SignatoryId, long? AlternateId);

/// <summary>Everything a round is opened with.</summary>
public sealed record RoundSpec(
    long StatementId, long VersionId, string Rule, DateTime Deadline, string TimeZone, ChasePolicy Policy, string? Message,
    long LeadId, IReadOnlyList<RoundInvite> Invites);

/// <summary>The sign-off vocabulary; the database checks hold the same values.</summary>
public static class SignOffVocabulary
{
    public const string AllMustApprove = "all_must_approve";
    public const string SilenceIsConsent = "silence_is_consent";

    public static readonly IReadOnlyList<(string Value, string Label)> Rules =
    [
        (AllMustApprove, "All must approve"),
        (SilenceIsConsent, "Silence means consent at the deadline"),
    ];

    public static readonly IReadOnlyList<(string Value, string Label)> Decisions =
    [
        ("approve", "Approved"),
        ("request_changes", "Changes requested"),
        ("decline", "Declined"),
    ];

    public static string RuleLabel(string rule) => Rules.FirstOrDefault(r => r.Value == rule).Label ?? rule;

    public static string DecisionLabel(string? decision) =>
        decision is null ? "No answer yet" : Decisions.FirstOrDefault(d => d.Value == decision).Label ?? decision;

    /// <summary>"Fri 11 Dec 2026, 17:00 (Brussels time)": a deadline in the round's own zone.</summary>
    public static string Deadline(DateTime deadlineUtc, string zoneId)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(zoneId, out var found) ? found : TimeZoneInfo.Utc;
        var local = TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(deadlineUtc, DateTimeKind.Utc), zone);
        return local.ToString("ddd d MMM yyyy, HH:mm", CultureInfo.InvariantCulture) + $" ({ConsultationVocabulary.ZoneName(zone.Id)} time)";
    }
}

/// <summary>
/// Opening, re-sending, superseding, answering and closing sign-off rounds: every step writes its rows, its mail
/// (through the outbox) and its audit event in the caller's transaction.
/// </summary>
public sealed class SignOffRounds(Outbox outbox, EmailSettings settings)
{
    public const string RequestTemplate = "signoff-request";
    public const string ReminderTemplate = "signoff-reminder";
    public const string EscalationTemplate = "signoff-escalation";
    public const string ConfirmationTemplate = "signoff-confirmation";
    public const string ClosedLeadTemplate = "signoff-closed-lead";
    public const string ClosedSignatoryTemplate = "signoff-closed-signatory";

    private const string InsertRoundSql = """
        insert into signoff_round (statement_id, version_id, rule, deadline, time_zone, first_reminder_days, repeat_every_days,
                                   final_reminder_hours, escalation_hours, message, lead_id, opened_by)
        values (@StatementId, @VersionId, @Rule, @Deadline, @TimeZone, @FirstReminderDays, @RepeatEveryDays,
                @FinalReminderHours, @EscalationHours, @Message, @LeadId, @OpenedBy)
        returning id, opens_at
        """;

    private const string InsertRequestsSql = """
        insert into signoff_request (round_id, organisation_id, signatory_id, alternate_id, next_chase_at)
        select @roundId, u.organisation_id, u.signatory_id, u.alternate_id, @nextChaseAt
        from unnest(@organisations, @signatories, @alternates) as u(organisation_id, signatory_id, alternate_id)
        """;

    private const string InSignOffSql = "update statement set status = 'in_signoff', updated_at = now() where id = @id";

    private const string RecipientsSql = """
        select q.id as request_id, q.round_id, o.name as organisation, p.id as person_id, p.full_name, p.email, p.preferred_language,
               (p.id = q.signatory_id) as is_signatory, r.version_id, v.number as version_number, s.title as statement_title,
               r.deadline, r.time_zone, r.message, l.display_name as lead_name, l.email as lead_email
        from signoff_request q
        join signoff_round r on r.id = q.round_id
        join statement s on s.id = r.statement_id
        join statement_version v on v.id = r.version_id
        join organisation o on o.id = q.organisation_id
        join person p on p.id = q.signatory_id or p.id = q.alternate_id
        join staff_user l on l.id = r.lead_id
        where q.round_id = @roundId
          and (cardinality(@requestIds) = 0 or q.id = any(@requestIds))
          and (cardinality(@personIds) = 0 or p.id = any(@personIds))
          and p.email_normalised is not null and p.erased_at is null
        order by q.id, is_signatory desc
        """;

    private const string InsertTokensSql = """
        insert into signoff_token (token_hash, request_id, person_id, version_id, expires_at)
        select * from unnest(@hashes, @requestIds, @personIds, @versionIds, @expires)
        """;

    private sealed record Recipient(
        long RequestId, long RoundId, string Organisation, long PersonId, string FullName, string Email, string PreferredLanguage,
        bool IsSignatory, long VersionId, int VersionNumber, string StatementTitle, DateTime Deadline, string TimeZone, string? Message,
        string LeadName, string? LeadEmail);

    /// <summary>What one link mail said, for the chase log and the evidence file.</summary>
    public sealed record SentLink(long RequestId, long PersonId, long? MessageId, EnqueueOutcome Outcome);

    public sealed record ChangeLine(string Mark, string Text);

    public sealed record LinkMailModel(
        string Name, string Organisation, string StatementTitle, int VersionNumber, string Deadline, string Url, string LeadName,
        string LeadEmail, bool HasMessage, string Message, bool IsAlternate, bool IsReplacement, bool IsFinal, bool HasChanges,
        IReadOnlyList<ChangeLine> Changes);

    public async Task<long> OpenAsync(NpgsqlConnection db, NpgsqlTransaction tx, RoundSpec spec, Actor actor, CancellationToken ct)
    {
        var (roundId, opensAt) = await db.QuerySingleAsync<(long, DateTime)>(new CommandDefinition(InsertRoundSql, new
        {
            spec.StatementId,
            spec.VersionId,
            spec.Rule,
            Deadline = DateTime.SpecifyKind(spec.Deadline, DateTimeKind.Utc),
            spec.TimeZone,
            spec.Policy.FirstReminderDays,
            spec.Policy.RepeatEveryDays,
            spec.Policy.FinalReminderHours,
            spec.Policy.EscalationHours,
            spec.Message,
            spec.LeadId,
            OpenedBy = actor.StaffId,
        }, tx, cancellationToken: ct));
        await db.ExecuteAsync(new CommandDefinition(InsertRequestsSql, new
        {
            roundId,
            organisations = spec.Invites.Select(i => i.OrganisationId).ToArray(),
            signatories = spec.Invites.Select(i => i.SignatoryId).ToArray(),
            alternates = spec.Invites.Select(i => i.AlternateId).ToArray(),
            nextChaseAt = ChaseSchedule.First(opensAt, spec.Deadline, spec.Policy),
        }, tx, cancellationToken: ct));
        await db.ExecuteAsync(new CommandDefinition(InSignOffSql, new { id = spec.StatementId }, tx, cancellationToken: ct));
        var sent = await SendLinksAsync(db, tx, roundId, [], [], ChaseSchedule.Request, null, ct);
        await RecordChaseAsync(db, tx, sent, ChaseSchedule.Request, ct);
        await db.RecordAsync(tx, actor, "signoff.open", "signoff_round", roundId, new
        {
            statement_id = spec.StatementId,
            version_id = spec.VersionId,
            spec.Rule,
            organisations = spec.Invites.Select(i => i.OrganisationId).ToArray(),
            deadline = spec.Deadline,
        }, ct);
        return roundId;
    }

    /// <summary>
    /// Creates a fresh link for each recipient and queues the mail carrying it. <paramref name="step"/> names the mail
    /// ("request", "reminder-2", "final", "resend-…") and is part of its idempotency key.
    /// </summary>
    public async Task<IReadOnlyList<SentLink>> SendLinksAsync(
        NpgsqlConnection db, NpgsqlTransaction tx, long roundId, long[] requestIds, long[] personIds, string step,
        (string Title, string Body)? replacedText, CancellationToken ct)
    {
        var recipients = (await db.QueryAsync<Recipient>(new CommandDefinition(RecipientsSql, new { roundId, requestIds, personIds }, tx, cancellationToken: ct))).ToList();
        if (recipients.Count == 0)
        {
            return [];
        }
        IReadOnlyList<ChangeLine> changes = [];
        if (replacedText is { } old)
        {
            var current = await db.QuerySingleAsync<(string Title, string Body)>(new CommandDefinition(
                "select v.title, v.body from signoff_round r join statement_version v on v.id = r.version_id where r.id = @roundId",
                new { roundId }, tx, cancellationToken: ct));
            changes = Changes(old.Title + "\n\n" + old.Body, current.Title + "\n\n" + current.Body);
        }

        var tokens = recipients.Select(_ => SignOffLinks.NewToken()).ToArray();
        await using (var insert = new NpgsqlCommand(InsertTokensSql, db, tx))
        {
            insert.Parameters.Add(new NpgsqlParameter("hashes", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { Value = tokens.Select(SignOffLinks.Hash).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<long[]>("requestIds", recipients.Select(r => r.RequestId).ToArray()));
            insert.Parameters.Add(new NpgsqlParameter<long[]>("personIds", recipients.Select(r => r.PersonId).ToArray()));
            insert.Parameters.Add(new NpgsqlParameter<long[]>("versionIds", recipients.Select(r => r.VersionId).ToArray()));
            insert.Parameters.Add(new NpgsqlParameter<DateTime[]>("expires", recipients.Select(r => DateTime.SpecifyKind(r.Deadline, DateTimeKind.Utc)).ToArray()));
            await insert.ExecuteNonQueryAsync(ct);
        }

        var isReminder = step.StartsWith("reminder-", StringComparison.Ordinal) || step == ChaseSchedule.Final;
        var mails = recipients.Select((r, i) => new MailRequest(
            $"signoff:{r.RoundId}:{r.RequestId}:person-{r.PersonId}:{step}",
            MailCategory.Transactional,
            isReminder ? "signoff-reminder" : "signoff-request",
            isReminder ? ReminderTemplate : RequestTemplate,
            r.PreferredLanguage,
            r.Email,
            r.FullName,
            r.PersonId,
            new LinkMailModel(
                r.FullName, r.Organisation, r.StatementTitle, r.VersionNumber, SignOffVocabulary.Deadline(r.Deadline, r.TimeZone),
                SignOffLinks.Url(settings.PublicBaseUrl, tokens[i]), r.LeadName, r.LeadEmail ?? "", r.Message is { Length: > 0 }, r.Message ?? "",
                !r.IsSignatory, replacedText is not null, step == ChaseSchedule.Final, changes.Count > 0, changes))
        {
            ReplyTo = ReplyTo(r.LeadName, r.LeadEmail),
        }).ToList();
        var results = await outbox.EnqueueManyAsync(db, tx, mails, ct);
        await db.ExecuteAsync(new CommandDefinition("""
            update signoff_token t set outbox_message_id = u.message_id
            from unnest(@hashes, @messageIds) as u(hash, message_id)
            where t.token_hash = u.hash
            """, new { hashes = tokens.Select(SignOffLinks.Hash).ToArray(), messageIds = results.Select(r => r.MessageId).ToArray() }, tx, cancellationToken: ct));
        return recipients.Select((r, i) => new SentLink(r.RequestId, r.PersonId, results[i].MessageId, results[i].Outcome)).ToList();
    }

    /// <summary>The chase log row of a step, pointing at the signatory's mail (the alternate's is in the outbox too).</summary>
    public static async Task RecordChaseAsync(NpgsqlConnection db, NpgsqlTransaction tx, IReadOnlyList<SentLink> sent, string step, CancellationToken ct)
    {
        var first = sent.GroupBy(s => s.RequestId).Select(g => g.First()).ToList();
        if (first.Count == 0)
        {
            return;
        }
        await db.ExecuteAsync(new CommandDefinition("""
            insert into signoff_chase (request_id, step, outbox_message_id)
            select u.request_id, @step, u.message_id from unnest(@requestIds, @messageIds) as u(request_id, message_id)
            on conflict (request_id, step) do update set outbox_message_id = coalesce(signoff_chase.outbox_message_id, excluded.outbox_message_id)
            """, new { step, requestIds = first.Select(s => s.RequestId).ToArray(), messageIds = first.Select(s => s.MessageId).ToArray() }, tx, cancellationToken: ct));
    }

    public static string? ReplyTo(string name, string? email) =>
        email is { Length: > 0 } && MailboxAddress.TryParse(email, out var address) ? new MailboxAddress(name, address.Address).ToString() : null;

    public static IReadOnlyList<ChangeLine> Changes(string oldText, string newText) =>
        VersionDiff.Compute(oldText, newText).Lines
            .Where(l => l.Kind is DiffKind.Inserted or DiffKind.Deleted && l.Text.Trim().Length > 0)
            .Take(40)
            .Select(l => new ChangeLine(l.Kind == DiffKind.Inserted ? "+" : "-", l.Text))
            .ToList();

    // ----- Supersession -----

    private const string LockOpenSql = """
        select id, version_id, rule, deadline, time_zone, first_reminder_days, repeat_every_days, final_reminder_hours,
               escalation_hours, message, lead_id
        from signoff_round where statement_id = @statementId and status = 'open'
        for update
        """;

    private sealed record OpenRound(
        long Id, long VersionId, string Rule, DateTime Deadline, string TimeZone, int? FirstReminderDays, int? RepeatEveryDays,
        int? FinalReminderHours, int? EscalationHours, string? Message, long LeadId)
    {
        public ChasePolicy Policy => new(FirstReminderDays, RepeatEveryDays, FinalReminderHours, EscalationHours);
    }

    /// <summary>
    /// Replaces the statement's open round with one on the new version: same organisations, signatories, deadline,
    /// rule and policy; no answer carries over; every signatory gets a new link showing what changed.
    /// </summary>
    public async Task<long?> SupersedeAsync(NpgsqlConnection db, NpgsqlTransaction tx, long statementId, long newVersionId, Actor actor, CancellationToken ct)
    {
        var old = await db.QuerySingleOrDefaultAsync<OpenRound>(new CommandDefinition(LockOpenSql, new { statementId }, tx, cancellationToken: ct));
        if (old is null || old.VersionId == newVersionId)
        {
            return null;
        }
        await db.ExecuteAsync(new CommandDefinition("""
            update signoff_round set status = 'superseded' where id = @id;
            update signoff_request set next_chase_at = null where round_id = @id;
            """, new { id = old.Id }, tx, cancellationToken: ct));
        if (old.Deadline <= DateTime.UtcNow)
        {
            // Past its deadline the round cannot be carried on: the lead opens a new one with a new deadline.
            await db.RecordAsync(tx, actor, "signoff.supersede", "signoff_round", old.Id, new { new_version_id = newVersionId, replaced_by = (long?)null }, ct);
            await db.ExecuteAsync(new CommandDefinition("update statement set status = 'draft', updated_at = now() where id = @statementId and status = 'in_signoff'", new { statementId }, tx, cancellationToken: ct));
            return null;
        }
        var invites = (await db.QueryAsync<RoundInvite>(new CommandDefinition(
            "select organisation_id, signatory_id, alternate_id from signoff_request where round_id = @id order by id",
            new { id = old.Id }, tx, cancellationToken: ct))).ToList();
        var (roundId, opensAt) = await db.QuerySingleAsync<(long, DateTime)>(new CommandDefinition(InsertRoundSql, new
        {
            StatementId = statementId,
            VersionId = newVersionId,
            old.Rule,
            old.Deadline,
            old.TimeZone,
            old.FirstReminderDays,
            old.RepeatEveryDays,
            old.FinalReminderHours,
            old.EscalationHours,
            old.Message,
            old.LeadId,
            OpenedBy = actor.StaffId,
        }, tx, cancellationToken: ct));
        await db.ExecuteAsync(new CommandDefinition(InsertRequestsSql, new
        {
            roundId,
            organisations = invites.Select(i => i.OrganisationId).ToArray(),
            signatories = invites.Select(i => i.SignatoryId).ToArray(),
            alternates = invites.Select(i => i.AlternateId).ToArray(),
            nextChaseAt = ChaseSchedule.First(opensAt, old.Deadline, old.Policy),
        }, tx, cancellationToken: ct));
        await db.ExecuteAsync(new CommandDefinition("update signoff_round set superseded_by = @roundId where id = @id", new { roundId, id = old.Id }, tx, cancellationToken: ct));
        var replaced = await db.QuerySingleAsync<(string Title, string Body)>(new CommandDefinition(
            "select title, body from statement_version where id = @id", new { id = old.VersionId }, tx, cancellationToken: ct));
        var sent = await SendLinksAsync(db, tx, roundId, [], [], ChaseSchedule.Request, replaced, ct);
        await RecordChaseAsync(db, tx, sent, ChaseSchedule.Request, ct);
        await db.RecordAsync(tx, actor, "signoff.supersede", "signoff_round", old.Id, new { new_version_id = newVersionId, replaced_by = roundId }, ct);
        await db.RecordAsync(tx, actor, "signoff.open", "signoff_round", roundId, new { statement_id = statementId, version_id = newVersionId, supersedes = old.Id }, ct);
        return roundId;
    }

    // ----- Answers -----

    public sealed record ConfirmationModel(
        string Name, string Organisation, string StatementTitle, int VersionNumber, string ContentHash, string Decision,
        bool HasComment, string Comment, string Deadline, string Url, string LeadName);

    /// <summary>Records an answer given through a link (the caller holds the request's lock) and queues its confirmation.</summary>
    public async Task<long> AnswerAsync(
        NpgsqlConnection db, NpgsqlTransaction tx, SignOffLink link, string token, string decision, string? comment, string? ip, string? userAgent,
        CancellationToken ct)
    {
        var answerId = await db.QuerySingleAsync<long>(new CommandDefinition("""
            insert into signoff_answer (request_id, decision, comment, person_id, version_id, content_hash, token_hash, ip, user_agent)
            values (@RequestId, @decision, @comment, @PersonId, @VersionId, @ContentHash, @TokenHash, cast(@ip as inet), @userAgent)
            returning id
            """, new { link.RequestId, decision, comment, link.PersonId, link.VersionId, link.ContentHash, link.TokenHash, ip, userAgent },
            tx, cancellationToken: ct));
        await db.ExecuteAsync(new CommandDefinition("""
            update signoff_request set decision = @decision, answered_at = now(), next_chase_at = null where id = @RequestId
            """, new { decision, link.RequestId }, tx, cancellationToken: ct));

        var person = await db.QuerySingleAsync<(string Email, string Language)>(new CommandDefinition(
            "select email, preferred_language from person where id = @PersonId", new { link.PersonId }, tx, cancellationToken: ct));
        await outbox.EnqueueAsync(db, tx, new MailRequest(
            $"signoff:{link.RoundId}:{link.RequestId}:answer-{answerId}:confirmation",
            MailCategory.Transactional, "signoff-confirmation", ConfirmationTemplate, person.Language, person.Email, link.PersonName, link.PersonId,
            new ConfirmationModel(link.PersonName, link.Organisation, link.StatementTitle, link.VersionNumber, StatementText.Hex(link.ContentHash),
                SignOffVocabulary.DecisionLabel(decision), comment is { Length: > 0 }, comment ?? "",
                SignOffVocabulary.Deadline(link.Deadline, link.TimeZone), SignOffLinks.Url(settings.PublicBaseUrl, token), link.LeadName))
        {
            ReplyTo = ReplyTo(link.LeadName, link.LeadEmail),
        }, ct);
        await db.RecordAsync(tx, new Actor(null, $"signatory:{link.PersonName} ({link.Organisation})"), "signoff.answer", "signoff_request", link.RequestId,
            new { answer_id = answerId, decision, round_id = link.RoundId, version_id = link.VersionId, person_id = link.PersonId, ip }, ct);
        return answerId;
    }

    // ----- Closing -----

    private const string LockClosableSql = """
        select r.id, r.statement_id, r.rule, r.deadline, r.time_zone, r.version_id, v.number as version_number, s.title as statement_title,
               l.display_name as lead_name, l.email as lead_email
        from signoff_round r
        join statement s on s.id = r.statement_id
        join statement_version v on v.id = r.version_id
        join staff_user l on l.id = r.lead_id
        where r.id = @id and r.status = 'open' and (r.deadline <= now() or @force)
        for update of r
        """;

    private const string RequestsForClosingSql = """
        select q.id, o.name as organisation, q.decision, p.id as person_id, p.full_name, p.email, p.preferred_language,
               (select a.comment from signoff_answer a where a.request_id = q.id order by a.id desc limit 1) as comment
        from signoff_request q
        join organisation o on o.id = q.organisation_id
        join person p on p.id = q.signatory_id
        where q.round_id = @id
        order by o.name_sort_key, q.id
        """;

    private sealed record ClosableRound(
        long Id, long StatementId, string Rule, DateTime Deadline, string TimeZone, long VersionId, int VersionNumber, string StatementTitle,
        string LeadName, string? LeadEmail);

    private sealed record ClosingRequest(long Id, string Organisation, string? Decision, long PersonId, string FullName, string? Email, string PreferredLanguage, string? Comment);

    public sealed record OrganisationLine(string Organisation, string Decision, bool HasComment, string Comment);

    public sealed record ClosedLeadModel(
        string Name, string StatementTitle, int VersionNumber, bool Approved, string Rule, IReadOnlyList<OrganisationLine> Signing,
        bool HasNotSigned, IReadOnlyList<OrganisationLine> NotSigned, string Url);

    public sealed record ClosedSignatoryModel(string Name, string Organisation, string StatementTitle, int VersionNumber, bool Approved, bool Listed, string LeadName);

    /// <summary>The outcome of a round from its organisations' latest decisions.</summary>
    public static (bool Approved, Func<string?, bool> Signs) Outcome(string rule, IReadOnlyCollection<string?> decisions)
    {
        var approved = rule == SignOffVocabulary.AllMustApprove
            ? decisions.Count > 0 && decisions.All(d => d == "approve")
            : decisions.Count > 0 && decisions.All(d => d is null or "approve");
        return (approved, decision => approved && (decision == "approve" || (rule == SignOffVocabulary.SilenceIsConsent && decision is null)));
    }

    /// <summary>
    /// Closes an open round once: at its deadline, or now when <paramref name="force"/> (a lead's "close now"). A second
    /// call, or one racing this, finds the round no longer open and does nothing. Returns whether this call closed it.
    /// </summary>
    public async Task<bool> CloseAsync(NpgsqlConnection db, NpgsqlTransaction tx, long roundId, bool force, Actor actor, CancellationToken ct)
    {
        var round = await db.QuerySingleOrDefaultAsync<ClosableRound>(new CommandDefinition(LockClosableSql, new { id = roundId, force }, tx, cancellationToken: ct));
        if (round is null)
        {
            return false;
        }
        var requests = (await db.QueryAsync<ClosingRequest>(new CommandDefinition(RequestsForClosingSql, new { id = roundId }, tx, cancellationToken: ct))).ToList();
        var (approved, signs) = Outcome(round.Rule, requests.Select(r => r.Decision).ToList());
        var signedIds = requests.Where(r => signs(r.Decision)).Select(r => r.Id).ToArray();
        await db.ExecuteAsync(new CommandDefinition("""
            update signoff_round set status = 'closed', closed_at = now(), outcome = @outcome where id = @id and status = 'open';
            update signoff_request set signed = (id = any(@signedIds)), next_chase_at = null where round_id = @id;
            update statement set status = @statementStatus, updated_at = now() where id = @statementId and status = 'in_signoff';
            """, new
        {
            id = roundId,
            outcome = approved ? "approved" : "not_approved",
            signedIds,
            statementStatus = approved ? "final" : "draft",
            round.StatementId,
        }, tx, cancellationToken: ct));

        var replyTo = ReplyTo(round.LeadName, round.LeadEmail);
        var mails = new List<MailRequest>();
        OrganisationLine Line(ClosingRequest r) => new(r.Organisation, SignOffVocabulary.DecisionLabel(r.Decision), r.Comment is { Length: > 0 }, r.Comment ?? "");
        if (round.LeadEmail is { Length: > 0 } leadEmail && leadEmail.Contains('@', StringComparison.Ordinal))
        {
            var notSigned = requests.Where(r => !signedIds.Contains(r.Id)).Select(Line).ToList();
            mails.Add(new MailRequest($"signoff:{roundId}:closed:lead", MailCategory.Transactional, "signoff-closed", ClosedLeadTemplate, null, leadEmail, round.LeadName, null,
                new ClosedLeadModel(round.LeadName, round.StatementTitle, round.VersionNumber, approved, SignOffVocabulary.RuleLabel(round.Rule),
                    requests.Where(r => signedIds.Contains(r.Id)).Select(Line).ToList(), notSigned.Count > 0, notSigned,
                    new Uri(settings.PublicBaseUrl, $"/signoff/rounds/{roundId}").ToString())));
        }
        foreach (var r in requests.Where(r => r.Email is { Length: > 0 } e && e.Contains('@', StringComparison.Ordinal)))
        {
            mails.Add(new MailRequest($"signoff:{roundId}:{r.Id}:person-{r.PersonId}:closed", MailCategory.Transactional, "signoff-closed", ClosedSignatoryTemplate,
                r.PreferredLanguage, r.Email!, r.FullName, r.PersonId,
                new ClosedSignatoryModel(r.FullName, r.Organisation, round.StatementTitle, round.VersionNumber, approved, signedIds.Contains(r.Id), round.LeadName))
            {
                ReplyTo = replyTo,
            });
        }
        if (mails.Count > 0)
        {
            await outbox.EnqueueManyAsync(db, tx, mails, ct);
        }
        await db.RecordAsync(tx, actor, "signoff.close", "signoff_round", roundId, new
        {
            outcome = approved ? "approved" : "not_approved",
            signed_requests = signedIds,
            early = round.Deadline > DateTime.UtcNow,
        }, ct);
        return true;
    }

    /// <summary>Cancels an open round: no outcome, no more chasing; its links show a neutral page.</summary>
    public static async Task<bool> CancelAsync(NpgsqlConnection db, NpgsqlTransaction tx, long roundId, Actor actor, CancellationToken ct)
    {
        var statementId = await db.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            "update signoff_round set status = 'cancelled' where id = @roundId and status = 'open' returning statement_id", new { roundId }, tx, cancellationToken: ct));
        if (statementId is null)
        {
            return false;
        }
        await db.ExecuteAsync(new CommandDefinition("""
            update signoff_request set next_chase_at = null where round_id = @roundId;
            update statement set status = 'draft', updated_at = now() where id = @statementId and status = 'in_signoff';
            """, new { roundId, statementId }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, actor, "signoff.cancel", "signoff_round", roundId, null, ct);
        return true;
    }
}
