using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Campaigns;

/// <summary>
/// Moves campaign targets forward when an interaction with them is logged within the campaign:
/// a call, email, letter or submission means at least "contacted", a meeting or event at least "met".
/// Progress never moves back, so editing an interaction to a lesser kind leaves it where it is.
/// </summary>
public static class TargetProgress
{
    // Progress steps are compared by their position in CampaignVocabulary.Progress, passed as an array.
    private const string AdvanceSql = """
        update campaign_target t
        set progress = @progress, updated_at = now()
        where t.campaign_id = @campaignId
          and t.person_id = any(@personIds)
          and array_position(@steps, t.progress) < array_position(@steps, @progress)
        returning t.id, t.person_id
        """;

    public sealed record Advanced(long Id, long PersonId);

    /// <summary>The least progress an interaction of this kind shows, or null when it shows none.</summary>
    public static string? ProgressFor(string kind) => kind switch
    {
        "meeting" or "event" => "met",
        "call" or "email" or "letter" or "submission" => "contacted",
        _ => null,
    };

    /// <summary>Advances the campaign's targets among the people, and audits each move, inside the caller's transaction.</summary>
    public static async Task<IReadOnlyList<Advanced>> ApplyAsync(
        NpgsqlConnection db, NpgsqlTransaction tx, long? campaignId, string kind, IEnumerable<long> personIds, long interactionId, Actor actor, CancellationToken ct)
    {
        var progress = ProgressFor(kind);
        var people = personIds.Distinct().ToArray();
        if (campaignId is null || progress is null || people.Length == 0)
        {
            return [];
        }
        var steps = CampaignVocabulary.Progress.Select(p => p.Value).ToArray();
        var moved = (await db.QueryAsync<Advanced>(new CommandDefinition(
            AdvanceSql, new { campaignId, personIds = people, progress, steps }, tx, cancellationToken: ct))).ToList();
        foreach (var target in moved)
        {
            await db.RecordAsync(tx, actor, "campaign_target.progress", "campaign_target", target.Id,
                new { campaign_id = campaignId, person_id = target.PersonId, progress, interaction_id = interactionId }, ct);
        }
        return moved;
    }
}
