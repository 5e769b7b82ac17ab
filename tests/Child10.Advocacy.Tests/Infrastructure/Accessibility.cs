using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Infrastructure;

/// <summary>axe-core's automated WCAG 2.1 A and AA checks on the page as it stands.</summary>
public static class Accessibility
{
    /// <summary>One line per element that fails a rule, naming <paramref name="where"/>; empty when the page passes.</summary>
    public static async Task<IReadOnlyList<string>> ProblemsAsync(IPage page, string where)
    {
        ArgumentNullException.ThrowIfNull(page);
        var result = await page.RunAxe(new AxeRunOptions
        {
            RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
            // An email preview is a sandboxed frame in which no script runs, axe's included: it would wait for it forever.
            Iframes = false,
        });
        return result.Violations.SelectMany(v => v.Nodes.Select(n => $"{where}: {v.Id} ({v.Impact}) {v.Help} — {n.Target}")).ToList();
    }
}
