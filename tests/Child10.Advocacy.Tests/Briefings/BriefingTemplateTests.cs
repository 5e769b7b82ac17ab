using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Briefings;

namespace Child10.Advocacy.Tests.Briefings;

public sealed class BriefingTemplateTests
{
    private static Dictionary<string, IReadOnlyDictionary<string, object?>> Values(string name, string? organisation = "Ministry of Justice", object? body = null) => new()
    {
        ["recipient"] = new Dictionary<string, object?>
        {
            ["name"] = name, ["first_name"] = name.Split(' ')[0], ["position"] = null, ["organisation"] = organisation,
            ["country"] = "Moldova", ["language"] = "ro",
        },
        ["campaign"] = new Dictionary<string, object?> { ["title"] = "Guardianship" },
        ["statement"] = new Dictionary<string, object?> { ["title"] = "Joint statement", ["body"] = body ?? new HtmlValue("", "") },
        ["sender"] = new Dictionary<string, object?> { ["name"] = "Ana Lead", ["email"] = "ana@child10.example" },
    };

    [Fact]
    public void Parse_UnknownPlaceholder_NamesItWithLineAndColumn()
    {
        var template = InlineTemplate.Parse("Dear {{ recipient.name }},\n\nHello {{ recipient.nickname }}!", BriefingPlaceholders.Names, markdown: true, out var problems);

        Assert.Null(template);
        var problem = Assert.Single(problems);
        Assert.Equal(3, problem.Line);
        Assert.Equal(10, problem.Column);
        Assert.Contains("recipient.nickname", problem.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownObject_IsAProblem()
    {
        InlineTemplate.Parse("{{ password }}", BriefingPlaceholders.Names, markdown: true, out var problems);

        Assert.Contains(problems, p => p.Line == 1 && p.Column == 4 && p.Message.Contains("'password'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Hello {{ recipient.name = 'x' }}")]
    [InlineData("Hello {{ capture recipient.name }}someone else{{ end }}")]
    [InlineData("Hello {{ func greet }}hi{{ end }}")]
    [InlineData("Hello {{ import recipient }}")]
    [InlineData("Hello {{ readonly recipient }}")]
    public void Parse_AnythingThatSetsAValue_IsAProblemAtItsPlace(string source)
    {
        var template = InlineTemplate.Parse(source, BriefingPlaceholders.Names, markdown: false, out var problems);

        Assert.Null(template);
        Assert.Contains(problems, p => p.Line == 1 && p.Column >= 7 && p.Message.Contains("cannot set values", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_SyntaxError_ReportsLineAndColumn()
    {
        var template = InlineTemplate.Parse("Hello\n{{ if recipient.name }}\nno end here", BriefingPlaceholders.Names, markdown: true, out var problems);

        Assert.Null(template);
        Assert.NotEmpty(problems);
        Assert.All(problems, p => Assert.True(p.Line >= 2, p.ToString()));
    }

    [Fact]
    public void Render_NameWithScriptAndMarkdownLink_StaysTextInHtml()
    {
        var template = InlineTemplate.Parse("Dear {{ recipient.name }},\n\nWe write to {{ recipient.organisation }}.", BriefingPlaceholders.Names, markdown: true, out var problems)!;
        Assert.Empty(problems);

        var html = template.RenderHtml(Values("<script>alert(1)</script> [click](https://evil.example)", "**Bold** Ministry <b>"), CancellationToken.None);

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"https://evil.example", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<strong>Bold", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("[click](https://evil.example)", html, StringComparison.Ordinal);
        Assert.Contains("<p>Dear", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Markdown_BecomesHtmlAndTextKeepsTheSource()
    {
        var template = InlineTemplate.Parse("Dear {{ recipient.first_name }},\n\n**Our ask**: a guardian for *every* child.\n\n{{ statement.body }}",
            BriefingPlaceholders.Names, markdown: true, out _)!;
        var body = new HtmlValue("<h2>Joint statement</h2>", "## Joint statement");

        var html = template.RenderHtml(Values("Elena Rusu", body: body), CancellationToken.None);
        var text = template.RenderText(Values("Elena Rusu", body: body), CancellationToken.None);

        Assert.Contains("<strong>Our ask</strong>", html, StringComparison.Ordinal);
        Assert.Contains("Dear Elena,", html, StringComparison.Ordinal);
        Assert.Contains("<h2>Joint statement</h2>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<p><h2>", html, StringComparison.Ordinal);
        Assert.Contains("## Joint statement", text, StringComparison.Ordinal);
        Assert.Contains("**Our ask**", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_SingleNewline_IsALineBreakAsInALetter()
    {
        var template = InlineTemplate.Parse("With kind regards,\n{{ sender.name }}\n\n- one\n- two", BriefingPlaceholders.Names, markdown: true, out _)!;

        var html = template.RenderHtml(Values("Elena Rusu"), CancellationToken.None);

        Assert.Contains("With kind regards,<br>\nAna Lead</p>", html, StringComparison.Ordinal);
        Assert.Contains("<li>one</li>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ConditionalOnPlaceholder_Works()
    {
        var template = InlineTemplate.Parse("{{ if recipient.position != \"\" }}As {{ recipient.position }}, you{{ else }}You{{ end }} can act.",
            BriefingPlaceholders.Names, markdown: true, out var problems)!;
        Assert.Empty(problems);

        var html = template.RenderHtml(Values("Elena Rusu"), CancellationToken.None);

        Assert.Contains("You can act.", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_Include_IsRefused()
    {
        var template = InlineTemplate.Parse("{{ include '_footer' }}", BriefingPlaceholders.Names, markdown: false, out var problems);

        Assert.Null(template);
        Assert.Contains(problems, p => p.Message.Contains("'include'", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("0 0 30 2 *")]
    [InlineData("0 0 31 4 *")]
    public void NextOccurrence_CronThatNeverFires_IsNull(string cron)
    {
        var expression = BriefingSchedule.ParseCron(cron, out var error);
        if (expression is null)
        {
            Assert.NotNull(error);
            return;
        }
        Assert.Null(BriefingSchedule.NextOccurrence(expression, BriefingSchedule.Zone("Europe/Brussels")!, DateTimeOffset.UtcNow));
    }

    [Fact]
    public void NextOccurrence_FirstMondayAt0900Brussels_IsFirstMondayInLocalTime()
    {
        var cron = BriefingSchedule.ParseCron("0 9 * * MON#1", out var error);
        Assert.Null(error);
        var zone = BriefingSchedule.Zone("Europe/Brussels")!;

        var next = BriefingSchedule.NextOccurrence(cron!, zone, new DateTimeOffset(2026, 1, 10, 0, 0, 0, TimeSpan.Zero))!.Value;

        // 2 February 2026 is the first Monday of February; 09:00 in Brussels in winter is 08:00 UTC.
        Assert.Equal(new DateTimeOffset(2026, 2, 2, 8, 0, 0, TimeSpan.Zero), next);
    }

    [Fact]
    public void ParseCron_NotFiveFields_SaysSo()
    {
        Assert.Null(BriefingSchedule.ParseCron("0 9 * *", out var error));
        Assert.Contains("five fields", error, StringComparison.Ordinal);
    }
}
