namespace Child10.Advocacy.Web.Features.SignOff;

/// <summary>How a round chases silent organisations: null fields switch a step off.</summary>
public sealed record ChasePolicy(int? FirstReminderDays, int? RepeatEveryDays, int? FinalReminderHours, int? EscalationHours)
{
    public static ChasePolicy Default { get; } = new(3, 3, 48, 24);
}

/// <summary>One planned chase of a request: a reminder, the final reminder (to the signatory) or the escalation (to the lead).</summary>
public sealed record ChaseStep(string Step, DateTime At)
{
    public bool ToLead => Step == ChaseSchedule.Escalation;
}

/// <summary>
/// The chase steps of a round, computed from its opening, deadline and policy alone, so every worker agrees on
/// them and a step is named the same way each time it is considered ("reminder-1", "reminder-2", "final", "escalation").
/// </summary>
public static class ChaseSchedule
{
    public const string Request = "request";
    public const string Final = "final";
    public const string Escalation = "escalation";
    private const int MaxReminders = 60;

    public static IReadOnlyList<ChaseStep> Steps(DateTime opensAt, DateTime deadline, ChasePolicy policy)
    {
        var steps = new List<ChaseStep>();
        var finalAt = policy.FinalReminderHours is { } h ? deadline.AddHours(-h) : (DateTime?)null;
        var remindersEnd = finalAt is { } f && f > opensAt ? f : deadline;
        if (policy.FirstReminderDays is { } first)
        {
            var at = opensAt.AddDays(first);
            for (var k = 1; k <= MaxReminders && at < remindersEnd; k++)
            {
                steps.Add(new ChaseStep($"reminder-{k}", at));
                if (policy.RepeatEveryDays is not { } every)
                {
                    break;
                }
                at = at.AddDays(every);
            }
        }
        if (finalAt is { } final && final > opensAt)
        {
            steps.Add(new ChaseStep(Final, final));
        }
        if (policy.EscalationHours is { } e && deadline.AddHours(-e) > opensAt)
        {
            steps.Add(new ChaseStep(Escalation, deadline.AddHours(-e)));
        }
        return steps.OrderBy(s => s.At).ThenBy(s => s.ToLead).ToList();
    }

    /// <summary>
    /// What to send now for a silent request: the latest due reminder to the signatory (earlier ones missed while
    /// no worker ran are not sent late in a burst) and the escalation if due; and when to look again.
    /// </summary>
    public static (IReadOnlyList<ChaseStep> Due, DateTime? Next) Due(IReadOnlyList<ChaseStep> steps, DateTime now)
    {
        var due = new List<ChaseStep>();
        if (steps.LastOrDefault(s => !s.ToLead && s.At <= now) is { } reminder)
        {
            due.Add(reminder);
        }
        if (steps.FirstOrDefault(s => s.ToLead && s.At <= now) is { } escalation)
        {
            due.Add(escalation);
        }
        var next = steps.Where(s => s.At > now).Select(s => (DateTime?)s.At).FirstOrDefault();
        return (due, next);
    }

    /// <summary>When the sweep should first look at a request of a round opened at <paramref name="opensAt"/>.</summary>
    public static DateTime? First(DateTime opensAt, DateTime deadline, ChasePolicy policy) =>
        Due(Steps(opensAt, deadline, policy), opensAt).Next;
}
