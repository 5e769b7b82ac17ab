using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Briefings;

/// <summary>The send log of one run: counts by state and every recipient's status, a page at a time.</summary>
public sealed class RunModel(NpgsqlDataSource dataSource) : PageModel
{
    public const int PageSize = 100;

    private const string Sql = """
        select r.id, r.briefing_id, b.title, r.scheduled_for, r.subject, r.recipients, r.excluded::text as excluded, r.note
        from briefing_run r join briefing b on b.id = r.briefing_id
        where r.id = @runId and r.briefing_id = @id;

        select o.status, count(*) as count
        from briefing_message m join outbox_message o on o.id = m.outbox_message_id
        where m.run_id = @runId
        group by o.status;

        select m.person_id, p.full_name, org.name as organisation, c.name as country, o.id as message_id, o.recipient_address, o.status,
               o.last_error, o.sent_at
        from briefing_message m
        join outbox_message o on o.id = m.outbox_message_id
        join person p on p.id = m.person_id
        left join organisation org on org.id = p.organisation_id
        left join country c on c.code = p.country_code
        where m.run_id = @runId and (@status is null or o.status = @status)
        order by p.name_sort_key, m.person_id
        limit @limit offset @offset;
        """;

    public sealed record RunRow(long Id, long BriefingId, string Title, DateTime ScheduledFor, string Subject, int Recipients, string Excluded, string? Note);

    public sealed record StatusCount(string Status, long Count);

    public sealed record RecipientRow(
        long PersonId, string FullName, string? Organisation, string? Country, long MessageId, string RecipientAddress, string Status, string? LastError, DateTime? SentAt);

    public static readonly IReadOnlyList<string> States = ["pending", "sending", "sent", "failed", "suppressed", "cancelled"];

    public RunRow Run { get; private set; } = null!;

    public IReadOnlyDictionary<string, long> Counts { get; private set; } = new Dictionary<string, long>();

    public IReadOnlyDictionary<string, int> Excluded { get; private set; } = new Dictionary<string, int>();

    public IReadOnlyList<RecipientRow> Recipients { get; private set; } = [];

    public string? Status { get; private set; }

    public int PageNumber { get; private set; } = 1;

    public long Matching => Status is null ? Counts.Values.Sum() : Counts.GetValueOrDefault(Status);

    public async Task<IActionResult> OnGetAsync(long id, long runId, string? status, int? page, CancellationToken ct)
    {
        Status = status is not null && States.Contains(status) ? status : null;
        PageNumber = Math.Max(1, page ?? 1);
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(Sql,
            new { id, runId, status = Status, limit = PageSize, offset = (PageNumber - 1) * PageSize }, cancellationToken: ct));
        var run = await reader.ReadSingleOrDefaultAsync<RunRow>();
        if (run is null)
        {
            return NotFound();
        }
        Run = run;
        Counts = (await reader.ReadAsync<StatusCount>()).ToDictionary(c => c.Status, c => c.Count, StringComparer.Ordinal);
        Recipients = (await reader.ReadAsync<RecipientRow>()).ToList();
        Excluded = JsonSerializer.Deserialize<Dictionary<string, int>>(run.Excluded) ?? [];
        return Page();
    }
}
