using System.Globalization;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using MimeKit;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Briefings;

/// <summary>What a briefing says: the placeholders it may use, its checked templates, and the text of its linked statement.</summary>
public static class BriefingPlaceholders
{
    public const string FileTemplate = "briefing";

    /// <summary>Every placeholder, with what it holds; the compose page shows them as a cheat-sheet.</summary>
    public static readonly IReadOnlyList<(string Name, string Meaning)> All =
    [
        ("recipient.name", "Full name, e.g. Elena Rusu"),
        ("recipient.first_name", "First name, e.g. Elena"),
        ("recipient.position", "Position, e.g. State Secretary (may be empty)"),
        ("recipient.organisation", "Organisation, e.g. Ministry of Labour and Social Protection"),
        ("recipient.country", "Country name, e.g. Moldova"),
        ("recipient.language", "Preferred language code, e.g. ro"),
        ("campaign.title", "The campaign’s title"),
        ("statement.title", "Title of the linked statement, in the recipient’s national variant where there is one"),
        ("statement.body", "Text of the linked statement (national variant, else the core text)"),
        ("sender.name", "The campaign lead, who receives replies"),
        ("sender.email", "The campaign lead’s address"),
    ];

    public static readonly IReadOnlySet<string> Names = All.Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
}

/// <summary>A statement's text as a recipient may get it: the core or one of its variants, latest version.</summary>
public sealed record StatementText(long StatementId, long? CoreId, string? CountryCode, string Language, string Title, HtmlValue Body);

/// <summary>Saved fields of a briefing that rendering needs.</summary>
public sealed record BriefingDraft(long Id, long CampaignId, string Subject, string Body, long? StatementId, bool AttachPdf);

/// <summary>
/// A briefing ready to render for many recipients: templates parsed once, campaign, sender and the statement family
/// loaded once. Rendering one recipient is pure and thread-safe.
/// </summary>
public sealed class PreparedBriefing
{
    private const string ContextSql = """
        select k.title as campaign_title, s.display_name as lead_name, s.email as lead_email
        from campaign k left join staff_user s on s.id = k.lead_id and s.is_active
        where k.id = @campaignId
        """;

    private const string StatementsSql = """
        select s.id as statement_id, s.core_id, s.country_code, s.language, v.title, v.body
        from statement s
        join lateral (select title, body from statement_version where statement_id = s.id order by number desc limit 1) v on true
        where s.id = @core or s.core_id = @core
        order by s.core_id nulls first, s.id
        """;

    private const string CoreSql = "select coalesce(core_id, id) from statement where id = @id";

    private sealed record ContextRow(string CampaignTitle, string? LeadName, string? LeadEmail);

    private sealed record StatementRow(long StatementId, long? CoreId, string? CountryCode, string Language, string Title, string Body);

    private readonly EmailTemplates templates;
    private readonly InlineTemplate subject;
    private readonly InlineTemplate body;
    private readonly StatementText? core;
    private readonly IReadOnlyList<StatementText> variants;
    private readonly TemplateModel wrapper;

    private PreparedBriefing(EmailTemplates templates, InlineTemplate subject, InlineTemplate body, string campaignTitle, string? senderName,
        string? senderEmail, StatementText? core, IReadOnlyList<StatementText> variants)
    {
        this.templates = templates;
        this.subject = subject;
        this.body = body;
        CampaignTitle = campaignTitle;
        SenderName = senderName;
        SenderEmail = senderEmail;
        this.core = core;
        this.variants = variants;
        wrapper = TemplateModel.From(new { CampaignTitle, SenderName = SenderName ?? "" });
    }

    public string CampaignTitle { get; }

    public string? SenderName { get; }

    public string? SenderEmail { get; }

    /// <summary>"Name &lt;address&gt;" of the campaign lead, where replies go; null when the campaign has no lead with an address.</summary>
    public string? ReplyTo =>
        SenderEmail is { Length: > 0 } email && MailboxAddress.TryParse(email, out var parsed)
            ? new MailboxAddress(SenderName ?? "", parsed.Address).ToString()
            : null;

    /// <summary>Every statement of the family (core first), for attachments.</summary>
    public IEnumerable<StatementText> Statements => core is null ? variants : variants.Prepend(core);

    /// <summary>Checks subject and body; the problems are per field, with line and column.</summary>
    public static (InlineTemplate? Subject, InlineTemplate? Body, IReadOnlyList<TemplateProblem> SubjectProblems, IReadOnlyList<TemplateProblem> BodyProblems) Check(string subject, string body)
    {
        var s = InlineTemplate.Parse(subject, BriefingPlaceholders.Names, markdown: false, out var subjectProblems);
        var b = InlineTemplate.Parse(body, BriefingPlaceholders.Names, markdown: true, out var bodyProblems);
        return (s, b, subjectProblems, bodyProblems);
    }

    public static async Task<PreparedBriefing> LoadAsync(NpgsqlConnection db, EmailTemplates templates, BriefingDraft draft, CancellationToken ct)
    {
        var (subject, body, subjectProblems, bodyProblems) = Check(draft.Subject, draft.Body);
        if (subject is null || body is null)
        {
            throw new TemplateRenderException("The briefing's template has problems: " + string.Join("; ", subjectProblems.Concat(bodyProblems)));
        }
        var context = await db.QuerySingleAsync<ContextRow>(new CommandDefinition(ContextSql, new { campaignId = draft.CampaignId }, cancellationToken: ct));
        StatementText? core = null;
        var variants = new List<StatementText>();
        if (draft.StatementId is long statementId)
        {
            var coreId = await db.ExecuteScalarAsync<long?>(new CommandDefinition(CoreSql, new { id = statementId }, cancellationToken: ct));
            var rows = await db.QueryAsync<StatementRow>(new CommandDefinition(StatementsSql, new { core = coreId }, cancellationToken: ct));
            foreach (var row in rows)
            {
                var text = new StatementText(row.StatementId, row.CoreId, row.CountryCode?.Trim(), row.Language, row.Title,
                    new HtmlValue(Markdown.ToHtml(row.Body).ToString() ?? "", row.Body));
                if (row.CoreId is null)
                {
                    core = text;
                }
                else
                {
                    variants.Add(text);
                }
            }
        }
        return new PreparedBriefing(templates, subject, body, context.CampaignTitle, context.LeadName, context.LeadEmail, core, variants);
    }

    /// <summary>The national variant for the recipient's country (in their language if there is one), else the core text.</summary>
    public StatementText? StatementFor(BriefingRecipient recipient)
    {
        var national = variants.Where(v => v.CountryCode is not null && v.CountryCode == recipient.CountryCode).ToList();
        return national.FirstOrDefault(v => v.Language == recipient.Language) ?? national.FirstOrDefault() ?? core;
    }

    /// <summary>The whole email for one recipient, inside the briefing file template (in their language where a variant exists) and the layout.</summary>
    public RenderedEmail Render(BriefingRecipient recipient, string? unsubscribeUrl, CancellationToken ct)
    {
        var statement = StatementFor(recipient);
        var values = new Dictionary<string, IReadOnlyDictionary<string, object?>>(StringComparer.Ordinal)
        {
            ["recipient"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["name"] = recipient.Name,
                ["first_name"] = recipient.Name.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "",
                ["position"] = recipient.Position,
                ["organisation"] = recipient.Organisation,
                ["country"] = recipient.CountryName,
                ["language"] = recipient.Language,
            },
            ["campaign"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["title"] = CampaignTitle },
            ["statement"] = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["title"] = statement?.Title,
                ["body"] = statement?.Body ?? new HtmlValue("", ""),
            },
            ["sender"] = new Dictionary<string, object?>(StringComparer.Ordinal) { ["name"] = SenderName, ["email"] = SenderEmail },
        };
        using var run = new EmailRender(ct);
        var subjectLine = subject.RenderText(values, run).ReplaceLineEndings(" ").Trim();
        if (subjectLine.Length == 0)
        {
            subjectLine = CampaignTitle;
        }
        var inner = new RenderedEmail(subjectLine, body.RenderHtml(values, run), body.RenderText(values, run));
        return templates.RenderWrapped(BriefingPlaceholders.FileTemplate, recipient.Language, wrapper, inner, unsubscribeUrl, run);
    }

    public static string PdfFileName(string title) =>
        string.Concat(title.Select(c => char.IsLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-')).Trim('-') is { Length: > 0 } slug
            ? (slug.Length > 60 ? slug[..60] : slug) + ".pdf"
            : string.Create(CultureInfo.InvariantCulture, $"statement.pdf");
}
