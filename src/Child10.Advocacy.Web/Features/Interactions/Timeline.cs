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
    // Each query first picks the page of interaction ids from the link tables' timeline indexes
    // (person or organisation, date, id: migration 0007), so a person with 30,000 old
    // interactions costs as little as one with three; names are then looked up for that page only.
    private const string Columns = """
        select i.id, i.kind, i.occurred_on, i.subject, i.outcome, i.follow_up_on,
               owner.display_name as follow_up_owner, i.follow_up_done_at is not null as follow_up_done,
               (select string_agg(case when p.erased_at is null then p.full_name else 'Erased person' end, ', ' order by p.name_sort_key)
                  from interaction_person ip join person p on p.id = ip.person_id
                 where ip.interaction_id = i.id) as people,
               (select string_agg(o.name, ', ' order by o.name_sort_key)
                  from interaction_organisation io join organisation o on o.id = io.organisation_id
                 where io.interaction_id = i.id) as organisations
        from page
        join interaction i on i.id = page.interaction_id
        left join staff_user owner on owner.id = i.follow_up_owner_id
        order by i.occurred_on desc, i.id desc
        """;

    /// <summary>A person's latest interactions (parameters @id and @limit), for pages that read it with other queries in one round trip.</summary>
    internal const string ForPersonSql = """
        with page as (
            select ip.interaction_id
            from interaction_person ip
            where ip.person_id = @id
            order by ip.occurred_on desc, ip.interaction_id desc
            limit @limit
        )
        """ + "\n" + Columns;

    // The organisation's own links and each of its people's latest links, merged: every
    // branch is already limited, so a parliament with thousands of contacts stays cheap.
    private const string ForOrganisationSql = """
        with page as (
            select candidate.interaction_id
            from (
                (select io.interaction_id, io.occurred_on
                   from interaction_organisation io
                  where io.organisation_id = @id
                  order by io.occurred_on desc, io.interaction_id desc
                  limit @limit)
                union
                (select latest.interaction_id, latest.occurred_on
                   from person p
                  cross join lateral (
                        select ip.interaction_id, ip.occurred_on
                          from interaction_person ip
                         where ip.person_id = p.id
                         order by ip.occurred_on desc, ip.interaction_id desc
                         limit @limit) latest
                  where p.organisation_id = @id)
            ) candidate
            order by candidate.occurred_on desc, candidate.interaction_id desc
            limit @limit
        )
        """ + "\n" + Columns;

    private const string ForCampaignSql = """
        with page as (
            select i.id as interaction_id
            from interaction i
            where i.campaign_id = @id
            order by i.occurred_on desc, i.id desc
            limit @limit
        )
        """ + "\n" + Columns;

    public static async Task<IReadOnlyList<TimelineItem>> ForCampaignAsync(NpgsqlConnection db, long campaignId, int limit, CancellationToken ct) =>
        (await db.QueryAsync<TimelineItem>(new CommandDefinition(ForCampaignSql, new { id = campaignId, limit }, cancellationToken: ct))).ToList();

    public static async Task<IReadOnlyList<TimelineItem>> ForPersonAsync(NpgsqlConnection db, long personId, int limit, CancellationToken ct) =>
        (await db.QueryAsync<TimelineItem>(new CommandDefinition(ForPersonSql, new { id = personId, limit }, cancellationToken: ct))).ToList();

    /// <summary>Interactions with the organisation itself or with any of its people.</summary>
    public static async Task<IReadOnlyList<TimelineItem>> ForOrganisationAsync(NpgsqlConnection db, long organisationId, int limit, CancellationToken ct) =>
        (await db.QueryAsync<TimelineItem>(new CommandDefinition(ForOrganisationSql, new { id = organisationId, limit }, cancellationToken: ct))).ToList();
}
