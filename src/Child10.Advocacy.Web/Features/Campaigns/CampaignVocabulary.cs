namespace Child10.Advocacy.Web.Features.Campaigns;

/// <summary>The fixed value lists of campaigns and their targets, in order, with labels; migration 0010 checks the same values.</summary>
public static class CampaignVocabulary
{
    public static readonly IReadOnlyList<(string Value, string Label)> Statuses =
    [
        ("planning", "Planning"),
        ("active", "Active"),
        ("concluded", "Concluded"),
        ("archived", "Archived"),
    ];

    public static readonly IReadOnlyList<(string Value, string Label)> Stances =
    [
        ("supportive", "Supportive"),
        ("neutral", "Neutral"),
        ("opposed", "Opposed"),
        ("unknown", "Unknown"),
    ];

    /// <summary>The steps of a target's progress, first to last: progress only moves down this list.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> Progress =
    [
        ("not_contacted", "Not contacted"),
        ("contacted", "Contacted"),
        ("met", "Met"),
        ("committed", "Committed"),
    ];

    public const int MinInfluence = 1;
    public const int MaxInfluence = 5;

    /// <summary>
    /// A campaign moves forward one or more steps (planning → active → concluded) and can be archived
    /// from any status; it never moves back. Staying put is allowed.
    /// </summary>
    public static bool CanMove(string from, string to)
    {
        if (from == to || to == "archived")
        {
            return true;
        }
        var fromIndex = IndexOf(Statuses, from);
        var toIndex = IndexOf(Statuses, to);
        return fromIndex >= 0 && toIndex > fromIndex && from != "archived";
    }

    /// <summary>The position of a value in its list, or -1.</summary>
    public static int IndexOf(IReadOnlyList<(string Value, string Label)> list, string? value)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Value == value)
            {
                return i;
            }
        }
        return -1;
    }
}
