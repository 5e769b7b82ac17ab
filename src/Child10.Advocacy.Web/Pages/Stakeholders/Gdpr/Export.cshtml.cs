using System.Text.Json;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.Gdpr;

/// <summary>
/// A subject-access export: everything held on one person as a JSON download. A POST, because handing out
/// personal data is recorded (person.export), and a GET never changes state.
/// </summary>
[Authorize(Policy = Policies.AdminOnly)]
public sealed class ExportModel(NpgsqlDataSource dataSource) : PageModel
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private const string SummarySql = """
        select p.id, p.full_name, p.erased_at,
               (select count(*) from interaction_person ip where ip.person_id = p.id) as interactions,
               (select count(*) from audit_event a where a.entity = 'person' and a.entity_id = p.id::text) as audit_events
        from person p
        where p.id = @id
        """;

    private const string PersonSql = """
        select p.id, p.full_name, p.position, p.category, p.organisation_id, o.name as organisation, p.email, p.phone,
               p.country_code, p.preferred_language, p.jurisdiction, owner.display_name as owner_staff,
               owner_org.name as owner_organisation, p.data_source, p.lawful_basis, p.privacy_notice_sent_on,
               p.do_not_contact, p.erased_at, p.created_at, p.updated_at
        from person p
        left join organisation o on o.id = p.organisation_id
        left join staff_user owner on owner.id = p.owner_staff_id
        left join organisation owner_org on owner_org.id = p.owner_organisation_id
        where p.id = @id;

        select t.name
        from person_theme pt
        join theme t on t.id = pt.theme_id
        where pt.person_id = @id
        order by sort_key(t.name);

        select i.id, i.occurred_on, i.kind, i.subject, i.notes, i.outcome
        from interaction i
        where i.id in (select interaction_id from interaction_person where person_id = @id)
        order by i.occurred_on, i.id;

        select a.occurred_at, a.actor_label, a.action, a.data::text as data
        from audit_event a
        where a.entity = 'person' and a.entity_id = @id::text
        order by a.id;
        """;

    public sealed record Summary(long Id, string FullName, DateTime? ErasedAt, long Interactions, long AuditEvents);

    public sealed record PersonData(
        long Id, string FullName, string? Position, string Category, long? OrganisationId, string? Organisation, string? Email,
        string? Phone, string? CountryCode, string PreferredLanguage, string? Jurisdiction, string? OwnerStaff, string? OwnerOrganisation,
        string? DataSource, string? LawfulBasis, DateOnly? PrivacyNoticeSentOn, bool DoNotContact, DateTime? ErasedAt,
        DateTime CreatedAt, DateTime UpdatedAt);

    public sealed record InteractionData(long Id, DateOnly OccurredOn, string Kind, string Subject, string? Notes, string? Outcome);

    public sealed record AuditRow(DateTime OccurredAt, string ActorLabel, string Action, string Data);

    public Summary Person { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var person = await db.QuerySingleOrDefaultAsync<Summary>(new CommandDefinition(SummarySql, new { id }, cancellationToken: ct));
        if (person is null)
        {
            return NotFound();
        }
        Person = person;
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(PersonSql, new { id }, tx, cancellationToken: ct));
        var person = await reader.ReadSingleOrDefaultAsync<PersonData>();
        if (person is null)
        {
            return NotFound();
        }
        var policyAreas = (await reader.ReadAsync<string>()).ToList();
        var interactions = (await reader.ReadAsync<InteractionData>()).ToList();
        var auditEvents = (await reader.ReadAsync<AuditRow>())
            .Select(a => new { a.OccurredAt, a.ActorLabel, a.Action, Data = JsonDocument.Parse(a.Data).RootElement })
            .ToList();
        await reader.DisposeAsync();

        await db.RecordAsync(tx, Actor.From(User), "person.export", "person", id, new { interactions = interactions.Count, auditEvents = auditEvents.Count }, ct);
        await tx.CommitAsync(ct);

        var document = new
        {
            ExportedAt = DateTimeOffset.UtcNow,
            ExportedBy = User.Identity?.Name,
            Person = person,
            PolicyAreas = policyAreas,
            Interactions = interactions,
            AuditEvents = auditEvents,
        };
        return File(JsonSerializer.SerializeToUtf8Bytes(document, Json), "application/json", $"person-{id}-data.json");
    }
}
