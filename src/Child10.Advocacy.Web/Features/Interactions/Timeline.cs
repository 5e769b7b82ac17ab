using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Interactions;

public sealed record TimelineItem(
    long Id,
    string Kind,
    DateOnly OccurredOn,
    string Subject,
    string? Outcome,
    DateOnly? FollowUpOn,
    string? FollowUpOwner,
    bool FollowUpDone,
    string? People,
    string? Organisations);

/// <summary>The interactions with one person or one organisation, newest first; person and organisation pages show it.</summary>
public static class Timeline
{
    private const string Columns = """
        select i.id, i.kind, i.occurred_on, i.subject, i.outcome, i.follow_up_on,
               owner.display_name as follow_up_owner, i.follow_up_done_at is not null as follow_up_done,
               (select string_agg(p.full_name, ', ' order by p.full_name)
                  from interaction_person ip join person p on p.id = ip.person_id
                 where ip.interaction_id = i.id) as people,
               (select string_agg(o.name, ', ' order by o.name)
                  from interaction_organisation io join organisation o on o.id = io.organisation_id
                 where io.interaction_id = i.id) as organisations
        from interaction i
        left join staff_user owner on owner.id = i.follow_up_owner_id
        """;

    private const string ForPersonSql = Columns + """
        where i.id in (select interaction_id from interaction_person where person_id = @id)
        order by i.occurred_on desc, i.id desc
        limit @limit
        """;

    private const string ForOrganisationSql = Columns + """
        where i.id in (select interaction_id from interaction_organisation where organisation_id = @id
                       union
                       select ip.interaction_id from interaction_person ip join person p on p.id = ip.person_id
                        where p.organisation_id = @id)
        order by i.occurred_on desc, i.id desc
        limit @limit
        """;

    public static async Task<IReadOnlyList<TimelineItem>> ForPersonAsync(NpgsqlConnection db, long personId, int limit, CancellationToken ct) =>
        (await db.QueryAsync<TimelineItem>(new CommandDefinition(ForPersonSql, new { id = personId, limit }, cancellationToken: ct))).ToList();

    /// <summary>Interactions with the organisation itself or with any of its people.</summary>
    public static async Task<IReadOnlyList<TimelineItem>> ForOrganisationAsync(NpgsqlConnection db, long organisationId, int limit, CancellationToken ct) =>
        (await db.QueryAsync<TimelineItem>(new CommandDefinition(ForOrganisationSql, new { id = organisationId, limit }, cancellationToken: ct))).ToList();
}
