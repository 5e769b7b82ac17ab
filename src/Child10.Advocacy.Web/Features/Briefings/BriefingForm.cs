using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Briefings;

/// <summary>The compose form of a briefing.</summary>
public sealed class BriefingInput
{
    public long? CampaignId { get; set; }

    public string? Title { get; set; }

    public string? Subject { get; set; }

    public string? Body { get; set; }

    public long? StatementId { get; set; }

    public bool AttachPdf { get; set; }

    public List<long> SegmentIds { get; set; } = [];

    public List<long> PersonIds { get; set; } = [];

    /// <summary>Picked people, one email address per line.</summary>
    public string? People { get; set; }
}

public sealed record Choice(long Id, string Name);

public sealed record BriefingChoices(IReadOnlyList<Choice> Campaigns, IReadOnlyList<Choice> Statements, IReadOnlyList<Choice> Segments, IReadOnlyList<Choice> People);

public sealed record BriefingFormView(BriefingInput Input, BriefingChoices Choices, BriefingAudience? Audience);

/// <summary>Choices, checks and writes shared by the new and edit pages.</summary>
public static class BriefingForm
{
    public const int MaxTitleLength = 200;
    public const int MaxSubjectLength = 300;
    public const int MaxBodyLength = 50_000;

    private const string ChoicesSql = """
        select id, title as name from campaign where status <> 'archived' or id = @campaignId order by sort_key(title), id;
        select s.id, s.title || case when s.core_id is null then '' else ' (' || coalesce(s.country_code, 'variant') || ', ' || s.language || ')' end as name
          from statement s where s.core_id is null order by sort_key(s.title), s.id;
        select id, name from segment order by sort_key(name), id;
        select p.id, p.full_name || coalesce(' — ' || o.name, '') as name
          from person p left join organisation o on o.id = p.organisation_id where p.id = any(@people) order by p.name_sort_key, p.id;
        """;

    public static async Task<BriefingChoices> LoadChoicesAsync(NpgsqlConnection db, BriefingInput input, CancellationToken ct)
    {
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(ChoicesSql,
            new { campaignId = input.CampaignId ?? 0, people = input.PersonIds.ToArray() }, cancellationToken: ct));
        return new BriefingChoices(
            (await reader.ReadAsync<Choice>()).ToList(),
            (await reader.ReadAsync<Choice>()).ToList(),
            (await reader.ReadAsync<Choice>()).ToList(),
            (await reader.ReadAsync<Choice>()).ToList());
    }

    /// <summary>Per-field messages in ModelState; template problems name line and column.</summary>
    public static void Validate(BriefingInput input, BriefingChoices choices, ModelStateDictionary modelState)
    {
        input.Title = input.Title?.Trim();
        input.Subject = input.Subject?.Trim();
        input.SegmentIds = input.SegmentIds.Distinct().ToList();
        input.PersonIds = input.PersonIds.Distinct().ToList();
        if (input.CampaignId is not long campaignId || choices.Campaigns.All(c => c.Id != campaignId))
        {
            modelState.AddModelError("Input.CampaignId", "Choose the campaign this briefing belongs to.");
        }
        if (string.IsNullOrWhiteSpace(input.Title))
        {
            modelState.AddModelError("Input.Title", "Give the briefing a title (staff see it, recipients do not).");
        }
        else if (input.Title.Length > MaxTitleLength)
        {
            modelState.AddModelError("Input.Title", $"The title is longer than {MaxTitleLength} characters.");
        }
        if (string.IsNullOrWhiteSpace(input.Subject))
        {
            modelState.AddModelError("Input.Subject", "Write the subject line recipients will see.");
        }
        else if (input.Subject.Length > MaxSubjectLength)
        {
            modelState.AddModelError("Input.Subject", $"The subject is longer than {MaxSubjectLength} characters.");
        }
        if (string.IsNullOrWhiteSpace(input.Body))
        {
            modelState.AddModelError("Input.Body", "Write the briefing's text.");
        }
        else if (input.Body.Length > MaxBodyLength)
        {
            modelState.AddModelError("Input.Body", $"The text is longer than {MaxBodyLength:N0} characters.");
        }
        if (!string.IsNullOrWhiteSpace(input.Subject) && !string.IsNullOrWhiteSpace(input.Body))
        {
            var (_, _, subjectProblems, bodyProblems) = PreparedBriefing.Check(input.Subject, input.Body);
            foreach (var problem in subjectProblems)
            {
                modelState.AddModelError("Input.Subject", "Subject, " + problem);
            }
            foreach (var problem in bodyProblems)
            {
                modelState.AddModelError("Input.Body", "Text, " + problem);
            }
            var usesStatement = input.Body.Contains("statement.", StringComparison.Ordinal) || input.Subject.Contains("statement.", StringComparison.Ordinal);
            if (usesStatement && input.StatementId is null && bodyProblems.Count == 0 && subjectProblems.Count == 0)
            {
                modelState.AddModelError("Input.StatementId", "The text uses statement placeholders: link a statement.");
            }
        }
        if (input.StatementId is long statementId && choices.Statements.All(s => s.Id != statementId))
        {
            modelState.AddModelError("Input.StatementId", "Choose a statement from the list.");
        }
        if (input.AttachPdf && input.StatementId is null)
        {
            modelState.AddModelError("Input.AttachPdf", "Link a statement to attach its PDF.");
        }
        if (input.SegmentIds.Any(id => choices.Segments.All(s => s.Id != id)))
        {
            modelState.AddModelError("Input.SegmentIds", "One of the chosen segments no longer exists.");
        }
        if (input.SegmentIds.Count == 0 && input.PersonIds.Count == 0)
        {
            modelState.AddModelError("Input.SegmentIds", "The audience is empty: choose at least one segment or person.");
        }
    }

    /// <summary>Turns the picked people's addresses into person ids; an unknown or erased address is a problem naming its line.</summary>
    public static async Task ResolvePeopleAsync(NpgsqlConnection db, BriefingInput input, ModelStateDictionary modelState, CancellationToken ct)
    {
        const string sql = "select email_normalised, id from person where email_normalised = any(@emails) and erased_at is null";
        var lines = (input.People ?? "").Split('\n').Select(l => l.Trim().TrimEnd(',', ';')).ToList();
        var emails = lines.Where(l => l.Length > 0).Select(l => l.ToLowerInvariant()).Distinct().ToArray();
        var found = (await db.QueryAsync<(string Email, long Id)>(new CommandDefinition(sql, new { emails }, cancellationToken: ct)))
            .ToDictionary(r => r.Email, r => r.Id, StringComparer.Ordinal);
        input.PersonIds = [];
        for (var i = 0; i < lines.Count; i++)
        {
            if (lines[i].Length == 0)
            {
                continue;
            }
            if (found.TryGetValue(lines[i].ToLowerInvariant(), out var id))
            {
                input.PersonIds.Add(id);
            }
            else
            {
                modelState.AddModelError("Input.People", $"Line {i + 1}: nobody in the stakeholder records has the address '{lines[i]}'.");
            }
        }
        input.PersonIds = input.PersonIds.Distinct().ToList();
    }

    public static async Task<long> InsertAsync(NpgsqlConnection db, NpgsqlTransaction tx, BriefingInput input, Actor actor, CancellationToken ct)
    {
        const string sql = """
            insert into briefing (campaign_id, title, subject, body, statement_id, attach_pdf, author_id)
            values (@CampaignId, @Title, @Subject, @Body, @StatementId, @AttachPdf, @authorId)
            returning id
            """;
        var id = await db.ExecuteScalarAsync<long>(new CommandDefinition(sql, new
        {
            input.CampaignId, input.Title, input.Subject, input.Body, input.StatementId, input.AttachPdf, authorId = actor.StaffId,
        }, tx, cancellationToken: ct));
        await WriteAudienceAsync(db, tx, id, input, ct);
        await db.RecordAsync(tx, actor, "briefing.create", "briefing", id, new { input.Title, input.CampaignId }, ct);
        return id;
    }

    /// <summary>Saves an edit; any change to what recipients receive takes a new content version, which voids the approval.</summary>
    public static async Task<bool> UpdateAsync(NpgsqlConnection db, NpgsqlTransaction tx, long id, BriefingInput input, Actor actor, CancellationToken ct)
    {
        const string sql = """
            update briefing b
            set campaign_id = @CampaignId, title = @Title, subject = @Subject, body = @Body, statement_id = @StatementId,
                attach_pdf = @AttachPdf, content_version = b.content_version + 1,
                approved_by = null, approved_at = null, approved_version = null, updated_at = now()
            where b.id = @id
            """;
        var changed = await db.ExecuteAsync(new CommandDefinition(sql, new
        {
            id, input.CampaignId, input.Title, input.Subject, input.Body, input.StatementId, input.AttachPdf,
        }, tx, cancellationToken: ct));
        if (changed == 0)
        {
            return false;
        }
        await db.ExecuteAsync(new CommandDefinition("delete from briefing_segment where briefing_id = @id; delete from briefing_person where briefing_id = @id",
            new { id }, tx, cancellationToken: ct));
        await WriteAudienceAsync(db, tx, id, input, ct);
        await db.RecordAsync(tx, actor, "briefing.update", "briefing", id, new { input.Title, approval = "reset" }, ct);
        return true;
    }

    private static async Task WriteAudienceAsync(NpgsqlConnection db, NpgsqlTransaction tx, long id, BriefingInput input, CancellationToken ct)
    {
        const string sql = """
            insert into briefing_segment (briefing_id, segment_id) select @id, unnest(@segments);
            insert into briefing_person (briefing_id, person_id) select @id, p.id from person p where p.id = any(@people);
            """;
        await db.ExecuteAsync(new CommandDefinition(sql, new { id, segments = input.SegmentIds.ToArray(), people = input.PersonIds.ToArray() }, tx, cancellationToken: ct));
    }
}
