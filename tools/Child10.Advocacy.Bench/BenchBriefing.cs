using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Briefings;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Bench;

/// <summary>
/// The briefing the fan-out sends: a Markdown body with placeholders, written by one lead and approved by another,
/// on a campaign whose lead receives the replies. Sent "now" the way the briefing page does it: schedule, then the
/// dispatch queues the run (render and insert in one transaction) and the app's worker delivers it.
/// </summary>
internal static class BenchBriefing
{
    public const string Subject = "{{ recipient.organisation }}: a guardian for every unaccompanied child";

    public const string Body = """
        Dear {{ recipient.name }},

        Ahead of the parliamentary hearing on the draft law on guardianship, the member organisations of Child10 in
        {{ recipient.country }} ask {{ recipient.organisation }} to make sure that **every unaccompanied child is
        assigned a qualified guardian within 24 hours** of being identified.

        What our members see on the ground:

        - children waiting weeks without anyone to speak for them, which leaves them exposed to traffickers;
        - guardians responsible for more than 40 children at once;
        - no complaint mechanism a child can use without an adult's help.

        We would welcome the chance to share our evidence with you as {{ recipient.position }}. Reply to this email to
        arrange a meeting with {{ sender.name }}.

        With kind regards,

        {{ sender.name }}
        Child10 advocacy programme, campaign “{{ campaign.title }}”
        """;

    public sealed record Setup(long BriefingId, Actor Author);

    /// <summary>An approved briefing over the first `count` people who may be mailed (picked people), not yet scheduled.</summary>
    public static async Task<Setup> CreateAsync(NpgsqlConnection db, int count, string tag, CancellationToken ct)
    {
        await using var tx = await db.BeginTransactionAsync(ct);
        const string StaffSql = """
            insert into staff_user (issuer, subject, email, display_name, role)
            values ('bench', @subject, @email, @name, 'lead')
            on conflict (issuer, subject) do update set display_name = excluded.display_name
            returning id
            """;
        var author = await db.ExecuteScalarAsync<long>(new CommandDefinition(StaffSql,
            new { subject = "bench-author", email = "mariana.popescu@child10.example", name = "Mariana Popescu" }, tx, cancellationToken: ct));
        var approver = await db.ExecuteScalarAsync<long>(new CommandDefinition(StaffSql,
            new { subject = "bench-approver", email = "jonas.berg@child10.example", name = "Jonas Berg" }, tx, cancellationToken: ct));
        var campaign = await db.ExecuteScalarAsync<long>(new CommandDefinition("""
            insert into campaign (title, scope, status, lead_id) values (@title, 'international', 'active', @author) returning id
            """, new { title = $"Guardianship for unaccompanied children ({tag})", author }, tx, cancellationToken: ct));
        var briefing = await db.ExecuteScalarAsync<long>(new CommandDefinition("""
            insert into briefing (campaign_id, title, subject, body, author_id) values (@campaign, @title, @subject, @body, @author) returning id
            """, new { campaign, title = $"Guardianship hearing briefing ({tag})", subject = Subject, body = Body.ReplaceLineEndings("\n"), author }, tx, cancellationToken: ct));
        var picked = await db.ExecuteAsync(new CommandDefinition("""
            insert into briefing_person (briefing_id, person_id)
            select @briefing, id from person
            where email is not null and not do_not_contact and erased_at is null
            order by id limit @count
            """, new { briefing, count }, tx, cancellationToken: ct));
        if (picked < count)
        {
            throw new BenchException($"only {picked} people with an address; {count} needed");
        }
        await tx.CommitAsync(ct);

        var approval = await BriefingActions.ApproveAsync(db, briefing, 1, new Actor(approver, "Jonas Berg"), ct);
        if (!approval.Done)
        {
            throw new BenchException("approving the bench briefing failed: " + approval.Message);
        }
        return new Setup(briefing, new Actor(author, "Mariana Popescu"));
    }

    /// <summary>
    /// "Send now": schedules the briefing and queues its run with the dispatch (as the page's kick does). The app's
    /// own minute job may take the run first (the row lock skips it here); then this waits for that run. Returns the run id.
    /// </summary>
    public static async Task<long> SendNowAsync(NpgsqlConnection db, BriefingDispatch dispatch, Setup setup, int expected, CancellationToken ct)
    {
        var (scheduled, _) = await BriefingActions.ScheduleAsync(db, setup.BriefingId, BriefingSchedule.Now, null, null, null, setup.Author, DateTimeOffset.UtcNow, ct);
        if (!scheduled.Done)
        {
            throw new BenchException("scheduling the bench briefing failed: " + scheduled.Message);
        }
        if (await dispatch.RunIfDueAsync(setup.BriefingId, ct) is { } report)
        {
            if (report.Queued != expected)
            {
                throw new BenchException($"the briefing run queued {report.Queued} messages ({report.Suppressed} suppressed, {report.Excluded} excluded); {expected} expected");
            }
            return report.RunId;
        }
        for (var i = 0; i < 6000; i++)
        {
            var run = await db.QuerySingleOrDefaultAsync<long?>(new CommandDefinition("""
                select r.id from briefing_run r join briefing b on b.id = r.briefing_id where b.id = @id and b.state = 'finished'
                """, new { id = setup.BriefingId }, cancellationToken: ct));
            if (run is long id)
            {
                return id;
            }
            await Task.Delay(50, ct);
        }
        throw new BenchException("the briefing was never queued");
    }

    /// <summary>Placeholder values for one recipient, as PreparedBriefing.Render fills them.</summary>
    public static Dictionary<string, IReadOnlyDictionary<string, object?>> Values(string name, string organisation, string country) => new(StringComparer.Ordinal)
    {
        ["recipient"] = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["name"] = name,
            ["first_name"] = name.Split(' ')[0],
            ["position"] = "State Secretary",
            ["organisation"] = organisation,
            ["country"] = country,
            ["language"] = "en",
        },
        ["campaign"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["title"] = "Guardianship for unaccompanied children" },
        ["statement"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["title"] = null, ["body"] = new HtmlValue("", "") },
        ["sender"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = "Mariana Popescu", ["email"] = "mariana.popescu@child10.example" },
    };
}
