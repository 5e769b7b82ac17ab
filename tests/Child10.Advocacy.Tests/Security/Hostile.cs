using AngleSharp.Html.Parser;

namespace Child10.Advocacy.Tests.Security;

/// <summary>Strings an attacker would type into a name, a note or a Markdown body, and the check that a page shows them inert.</summary>
public static class Hostile
{
    public const string Script = "<script>alert(1)</script>";
    public const string ImageOnError = "<img src=x onerror=alert(1)>";
    public const string MarkdownLink = "[click](javascript:alert(1))";
    public const string AttributeBreakout = "\" onmouseover=\"alert(1)";
    public const string SvgOnLoad = "'><svg onload=alert(1)>";

    public static readonly IReadOnlyList<string> All = [Script, ImageOnError, MarkdownLink, AttributeBreakout, SvgOnLoad];

    /// <summary>All of them in one value (for fields that show one line).</summary>
    public static string Text(string label) => $"{label} {Script} {ImageOnError} {MarkdownLink} {AttributeBreakout} {SvgOnLoad}";

    /// <summary>A URL whose query tries to break out of the attribute it is written into.</summary>
    public const string Url = "https://child10.example/x?q=\"><script>alert(1)</script>&r=' onmouseover='alert(1)";

    /// <summary>
    /// Fails when the HTML holds a script not served from /js/ (or an email holds any script), an on* attribute,
    /// or a javascript:/vbscript:/data: link or source.
    /// </summary>
    public static void AssertInert(string html, string where, bool allowOwnScripts = false)
    {
        ArgumentNullException.ThrowIfNull(html);
        var document = new HtmlParser().ParseDocument(html);
        var problems = new List<string>();
        foreach (var element in document.All)
        {
            if (element.LocalName == "script"
                && !(allowOwnScripts && element.GetAttribute("src") is { } src && src.StartsWith("/js/", StringComparison.Ordinal) && element.TextContent.Trim().Length == 0))
            {
                problems.Add($"<script src=\"{element.GetAttribute("src")}\">{element.TextContent}");
            }
            foreach (var attribute in element.Attributes)
            {
                if (attribute.Name.StartsWith("on", StringComparison.OrdinalIgnoreCase))
                {
                    problems.Add($"<{element.LocalName} {attribute.Name}=\"{attribute.Value}\">");
                }
                if (attribute.Name is "href" or "src" or "action" or "formaction" or "xlink:href" or "srcdoc"
                    && attribute.Value.Trim().ToLowerInvariant() is var value
                    && (value.StartsWith("javascript:", StringComparison.Ordinal) || value.StartsWith("vbscript:", StringComparison.Ordinal)
                        || value.StartsWith("data:text/html", StringComparison.Ordinal) || attribute.Name == "srcdoc"))
                {
                    problems.Add($"<{element.LocalName} {attribute.Name}=\"{attribute.Value}\">");
                }
            }
            // A frame with an empty sandbox (no scripts, no same-origin) showing one of our own pages is the briefing preview.
            var sandboxedOwnFrame = element.LocalName == "iframe" && element.GetAttribute("sandbox") == ""
                && element.GetAttribute("src") is { } frameSrc && frameSrc.StartsWith('/') && !frameSrc.StartsWith("//", StringComparison.Ordinal);
            if (element.LocalName is "iframe" or "object" or "embed" or "base" && !sandboxedOwnFrame)
            {
                problems.Add($"<{element.LocalName}>");
            }
        }
        Assert.True(problems.Count == 0, $"{where} is not inert: {string.Join("; ", problems)}");
    }
}
