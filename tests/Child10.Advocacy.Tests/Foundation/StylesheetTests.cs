using System.Text.RegularExpressions;
using Child10.Advocacy.Tests.Infrastructure;

namespace Child10.Advocacy.Tests.Foundation;

public sealed partial class StylesheetTests
{
    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comment();

    /// <summary>
    /// A block left open (a media query missing its closing brace) silently moves every later rule inside it: pages
    /// styled further down lose their desktop layout. Every block closes, and none closes twice.
    /// </summary>
    [Fact]
    public void SiteStylesheet_ClosesEveryBlockItOpens()
    {
        var path = Path.Combine(Repository.Root, "src", "Child10.Advocacy.Web", "wwwroot", "css", "site.css");
        var lines = Comment().Replace(File.ReadAllText(path), m => new string('\n', m.Value.Count(c => c == '\n'))).Split('\n');
        var depth = 0;
        var openedAt = new Stack<int>();
        for (var i = 0; i < lines.Length; i++)
        {
            foreach (var ch in lines[i])
            {
                if (ch == '{')
                {
                    openedAt.Push(i + 1);
                    depth++;
                }
                else if (ch == '}')
                {
                    if (depth == 0)
                    {
                        Assert.Fail($"site.css line {i + 1} closes a block that was never opened.");
                    }
                    openedAt.Pop();
                    depth--;
                }
            }
            // Only @media, @supports and the like nest; a rule opened inside a rule means a missing brace.
            if (depth > 2)
            {
                Assert.Fail($"site.css line {i + 1} is three blocks deep: the block opened on line {openedAt.Last()} is not closed.");
            }
        }
        Assert.True(depth == 0, $"site.css ends inside the block opened on line {(openedAt.Count > 0 ? openedAt.Last() : 0)}.");
    }
}
