using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Mail;

/// <summary>The mail log: every queued message with its status, filtered by status, purpose, recipient or person.</summary>
public sealed class IndexModel(NpgsqlDataSource dataSource, Outbox outbox, EmailSettings settings, IAuthorizationService authorization) : PageModel
{
    public const int PageSize = 50;

    public static readonly IReadOnlyList<(string Value, string Label)> Statuses =
    [
        ("pending", "Pending"), ("sending", "Sending"), ("sent", "Sent"), ("failed", "Failed"), ("suppressed", "Suppressed"), ("cancelled", "Cancelled"),
    ];

    private const string ListSql = """
        select m.id, m.created_at, m.recipient_address, m.recipient_name, m.person_id, m.subject, m.purpose, m.category,
               m.status, m.attempts, m.sent_at, m.next_attempt_at, count(*) over () as total
        from outbox_message m
        where (@status::text is null or m.status = @status)
          and (@purpose::text is null or m.purpose = @purpose)
          and (@person::bigint is null or m.person_id = @person)
          and (@q::text is null or m.recipient_address ilike '%' || @q || '%' or m.recipient_name ilike '%' || @q || '%')
        order by m.id desc
        limit @limit offset @offset
        """;

    private const string PurposesSql = "select distinct purpose from outbox_message order by purpose";

    private const string CountsSql = "select status, count(*) as count from outbox_message group by status";

    private const string PersonSql = "select full_name from person where id = @id";

    private const string StaffSql = "select email, display_name from staff_user where id = @id";

    public sealed record Filter(string? Status, string? Purpose, string? Q, long? Person, int Page);

    public sealed record MessageRow(
        long Id, DateTime CreatedAt, string RecipientAddress, string? RecipientName, long? PersonId, string Subject, string Purpose,
        string Category, string Status, int Attempts, DateTime? SentAt, DateTime NextAttemptAt, long Total);

    private sealed record StaffRow(string? Email, string DisplayName);

    public Filter Current { get; private set; } = new(null, null, null, null, 1);

    public IReadOnlyList<MessageRow> Messages { get; private set; } = [];

    public IReadOnlyList<string> Purposes { get; private set; } = [];

    public IReadOnlyDictionary<string, long> Counts { get; private set; } = new Dictionary<string, long>();

    public string? PersonName { get; private set; }

    public long Total { get; private set; }

    public int PageCount => (int)Math.Max(1, (Total + PageSize - 1) / PageSize);

    public bool IsAdmin { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task OnGetAsync(string? status, string? purpose, string? q, long? person, int? page, CancellationToken ct)
    {
        Current = new Filter(
            Statuses.Any(s => s.Value == status) ? status : null,
            string.IsNullOrWhiteSpace(purpose) ? null : purpose.Trim(),
            string.IsNullOrWhiteSpace(q) ? null : q.Trim(),
            person,
            Math.Max(1, page ?? 1));
        IsAdmin = User.IsInRole(Roles.Admin);
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var args = new
        {
            status = Current.Status,
            purpose = Current.Purpose,
            person = Current.Person,
            q = Current.Q?.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal),
            limit = PageSize,
            offset = (Current.Page - 1) * PageSize,
        };
        Messages = (await db.QueryAsync<MessageRow>(new CommandDefinition(ListSql, args, cancellationToken: ct))).ToList();
        Total = Messages.Count > 0 ? Messages[0].Total : 0;
        Purposes = (await db.QueryAsync<string>(new CommandDefinition(PurposesSql, cancellationToken: ct))).ToList();
        Counts = (await db.QueryAsync<(string Status, long Count)>(new CommandDefinition(CountsSql, cancellationToken: ct)))
            .ToDictionary(c => c.Status, c => c.Count);
        if (Current.Person is long personId)
        {
            PersonName = await db.QuerySingleOrDefaultAsync<string>(new CommandDefinition(PersonSql, new { id = personId }, cancellationToken: ct));
        }
    }

    /// <summary>Admins send themselves a test email through the whole engine: template, outbox, worker, SMTP.</summary>
    public async Task<IActionResult> OnPostTestAsync(CancellationToken ct)
    {
        if (!(await authorization.AuthorizeAsync(User, Policies.AdminOnly)).Succeeded)
        {
            return Forbid();
        }
        var actor = Actor.From(User);
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var staff = await db.QuerySingleAsync<StaffRow>(new CommandDefinition(StaffSql, new { id = actor.StaffId }, cancellationToken: ct));
        if (string.IsNullOrWhiteSpace(staff.Email))
        {
            Flash = "Your staff account has no email address, so there is nowhere to send a test email.";
            return RedirectToPage();
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        var request = new MailRequest(
            $"test:{actor.StaffId}:{Guid.NewGuid():N}",
            MailCategory.Transactional,
            "test",
            "test",
            "en",
            staff.Email,
            staff.DisplayName,
            null,
            new { Name = staff.DisplayName, SentBy = staff.DisplayName, MailLogUrl = new Uri(settings.PublicBaseUrl, "/mail").ToString() });
        var result = await outbox.EnqueueAsync(db, tx, request, ct);
        await db.RecordAsync(tx, actor, "mail.test", "outbox_message", result.MessageId, new { to = staff.Email }, ct);
        await tx.CommitAsync(ct);
        Flash = result.Outcome == EnqueueOutcome.Queued
            ? $"A test email to {staff.Email} is queued."
            : $"The test email to {staff.Email} was not queued: the address is suppressed.";
        return RedirectToPage("/Mail/Details", new { id = result.MessageId });
    }

    public string Link(Filter filter)
    {
        var query = new List<string>();
        void Add(string key, object? value)
        {
            if (value is not null)
            {
                query.Add(key + "=" + Uri.EscapeDataString(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!));
            }
        }
        Add("status", filter.Status);
        Add("purpose", filter.Purpose);
        Add("q", filter.Q);
        Add("person", filter.Person);
        Add("page", filter.Page > 1 ? filter.Page : null);
        return "/mail" + (query.Count > 0 ? "?" + string.Join("&", query) : "");
    }
}
