using Child10.Advocacy.Web.Infrastructure;

namespace Child10.Advocacy.Tests.Foundation;

public sealed class MarkdownTests
{
    private static string Html(string markdown)
    {
        using var writer = new StringWriter();
        Markdown.ToHtml(markdown).WriteTo(writer, System.Text.Encodings.Web.HtmlEncoder.Default);
        return writer.ToString();
    }

    [Fact]
    public void Lists_AndEmphasis_Render()
    {
        var html = Html("1. Appoint a **guardian** within 24 hours\n2. Fund *shelters*");

        Assert.Contains("<ol>", html, StringComparison.Ordinal);
        Assert.Contains("<strong>guardian</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<em>shelters</em>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<script>alert(1)</script>", "<script")]
    [InlineData("<img src=x onerror=alert(1)>", "<img")]
    [InlineData("[click](javascript:alert(1))", "javascript:")]
    [InlineData("<a href=\"javascript:alert(1)\">x</a>", "<a href=\"javascript")]
    public void ScriptHandlersAndJavascriptLinks_AreInert(string markdown, string forbidden)
    {
        var html = Html(markdown);

        Assert.DoesNotContain(forbidden, html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void HttpsLinks_Survive()
    {
        Assert.Contains("href=\"https://www.child10.org/\"", Html("[Child10](https://www.child10.org/)"), StringComparison.Ordinal);
    }
}
