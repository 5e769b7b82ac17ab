using System.Text.RegularExpressions;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Security;

/// <summary>
/// Stored XSS: hostile names, notes and Markdown are written into the demo network, then a lead's browser follows
/// every same-origin link from the dashboard (so pages added later are visited too). No dialog may open, and no page
/// may hold an on* attribute, a javascript: link or a script that is not the app's own file under /js/.
/// </summary>
[Collection(DatabaseGroup.Name)]
public sealed partial class StoredXssCrawlTests(TestDatabase database) : DemoBrowserTest(database)
{
    private const int MaxPages = 250;
    private const int PagesPerShape = 2;

    [Fact]
    public async Task EveryPageALeadCanReach_ShowsHostileDataInert()
    {
        await PlantHostileDataAsync();
        await using var context = await SignedInContextAsync(Roles.Lead);
        var page = await context.NewPageAsync();
        var dialogs = new List<string>();
        page.Dialog += (_, dialog) =>
        {
            dialogs.Add($"{dialog.Type}: {dialog.Message} on {page.Url}");
            _ = dialog.DismissAsync();
        };

        var queue = new Queue<string>(["/"]);
        var seen = new HashSet<string>(StringComparer.Ordinal) { "/" };
        var shapes = new Dictionary<string, int>(StringComparer.Ordinal);
        var visited = new List<string>();
        var showingHostileText = 0;
        while (queue.Count > 0 && visited.Count < MaxPages)
        {
            var path = queue.Dequeue();
            IResponse? response;
            try
            {
                response = await page.GotoAsync(Url(path));
            }
            catch (PlaywrightException ex) when (ex.Message.Contains("Download is starting", StringComparison.Ordinal))
            {
                continue; // a file, not a page
            }
            visited.Add(path);
            Assert.True(response is null || response.Status < 500, $"{path} answered {response?.Status}");
            var html = await page.ContentAsync();
            Hostile.AssertInert(html, path, allowOwnScripts: true);
            if (html.Contains("alert(1)", StringComparison.Ordinal))
            {
                showingHostileText++;
            }

            foreach (var href in await page.EvalOnSelectorAllAsync<string[]>("a[href]", "links => links.map(a => a.href)"))
            {
                if (!Uri.TryCreate(href, UriKind.Absolute, out var uri) || uri.Authority != App.BaseAddress.Authority || Skipped(uri.PathAndQuery))
                {
                    continue;
                }
                var next = uri.PathAndQuery;
                var shape = Shape(next);
                if (seen.Add(next) && shapes.GetValueOrDefault(shape) < PagesPerShape)
                {
                    shapes[shape] = shapes.GetValueOrDefault(shape) + 1;
                    queue.Enqueue(next);
                }
            }
        }

        Assert.Empty(dialogs);
        // The crawl reached the pages that show the planted values, and they were on screen (as text).
        foreach (var expected in new[] { "/stakeholders/people/", "/stakeholders/organisations/", "/interactions/", "/campaigns/", "/consultations/" })
        {
            Assert.Contains(visited, v => v.StartsWith(expected, StringComparison.Ordinal) && v.Length > expected.Length && char.IsDigit(v[expected.Length]));
        }
        Assert.True(showingHostileText >= 8, $"Only {showingHostileText} of {visited.Count} pages showed the hostile text: {string.Join(", ", visited)}");
    }

    private static bool Skipped(string path) =>
        path.StartsWith("/account/sign-out", StringComparison.Ordinal)
        || path.StartsWith("/jobs", StringComparison.Ordinal)
        || path.StartsWith("/calendar/feed", StringComparison.Ordinal)
        || path.StartsWith("/unsubscribe", StringComparison.Ordinal)
        || path.StartsWith("/css/", StringComparison.Ordinal) || path.StartsWith("/js/", StringComparison.Ordinal)
        || path.Contains("export", StringComparison.OrdinalIgnoreCase)
        || path.Split('?')[0].EndsWith(".csv", StringComparison.Ordinal) || path.EndsWith(".ics", StringComparison.Ordinal)
        || path.EndsWith(".pdf", StringComparison.Ordinal) || path.EndsWith(".docx", StringComparison.Ordinal);

    // Pages of the same kind (only ids or query values differ) count as one shape.
    private static string Shape(string pathAndQuery)
    {
        var parts = pathAndQuery.Split('?', 2);
        var keys = parts.Length > 1 ? string.Join("&", parts[1].Split('&').Select(p => p.Split('=')[0]).Order(StringComparer.Ordinal)) : "";
        return Digits().Replace(parts[0], "N") + "?" + keys;
    }

    private async Task PlantHostileDataAsync()
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync(
            """
            update person set full_name = @name || ' ' || id, position = @text
            where id in (select id from person where erased_at is null order by id limit 15);
            update organisation set name = @name || ' ' || id, notes = @text, website = 'javascript:alert(1)'
            where id in (select id from organisation order by id limit 10);
            update interaction set subject = @name, notes = @text, outcome = @text
            where id in (select id from interaction order by occurred_on desc limit 15);
            update campaign set title = @name || ' ' || id, objective = @text, key_asks = @markdown;
            update milestone set title = @name;
            update consultation set title = @name || ' ' || id, url = 'javascript:alert(1)', submission_reference = @text, outcome_notes = @text;
            update segment set name = @name || ' ' || id, description = @text;
            update staff_user set display_name = @name || ' ' || id;
            update statement set title = @name || ' ' || id;
            insert into statement_version (statement_id, number, title, body, change_note, content_hash)
            select s.id, (select max(v.number) + 1 from statement_version v where v.statement_id = s.id), @name, @markdown, @text, sha256(convert_to(@markdown, 'UTF8'))
            from statement s where exists (select 1 from statement_version v where v.statement_id = s.id);
            update signoff_answer set comment = @text;
            update briefing set title = @name || ' ' || id, subject = @name, body = @markdown;
            """,
            new
            {
                name = Hostile.Text("Name"),
                text = Hostile.Text("Notes") + "\n" + Hostile.Url,
                markdown = "- " + string.Join("\n- ", Hostile.All) + "\n\n[link](javascript:alert(1)) <a href=\"javascript:alert(1)\">raw</a>\n\n![x](javascript:alert(1))",
            });
    }

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();
}
