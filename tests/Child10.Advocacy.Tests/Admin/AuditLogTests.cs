using System.Globalization;
using System.Net;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Tests.Security;
using Child10.Advocacy.Tests.Stakeholders;
using Child10.Advocacy.Web.Features.Admin;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;

namespace Child10.Advocacy.Tests.Admin;

[Collection(DatabaseGroup.Name)]
public sealed class AuditLogTests(TestDatabase database) : IAsyncLifetime
{
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    /// <summary>One row of the audit table as a reader sees it.</summary>
    private sealed record Row(string When, string Who, string What, string Code, string Record, string? Href, string Details);

    private static readonly Dictionary<string, string> Person = new()
    {
        ["Input.FullName"] = "Maria Popescu",
        ["Input.Position"] = "Director",
        ["Input.Category"] = "decision_maker",
        ["Input.CountryCode"] = "MD",
        ["Input.PreferredLanguage"] = "ro",
        ["Input.Jurisdiction"] = "national",
        ["Input.LawfulBasis"] = "legitimate_interest",
        ["Input.DataSource"] = "Public directory",
        ["Input.PrivacyNoticeSentOn"] = "2025-03-01",
    };

    [Fact]
    public async Task Admin_SeesEventsOfRealActions_NewestFirst_WithALinkToTheRecord_AndReadingWritesNothing()
    {
        using var admin = await app.SignedInClientAsync(database, Roles.Admin);
        using var created = await PeopleTestData.PostFormAsync(admin, "/stakeholders/people/new", "/stakeholders/people/new", Person);
        Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
        var id = await PeopleTestData.ScalarAsync<long>(database, "select id from person where full_name = 'Maria Popescu'");
        using var updated = await PeopleTestData.PostFormAsync(admin, $"/stakeholders/people/{id}/edit", $"/stakeholders/people/{id}/edit",
            new Dictionary<string, string>(Person) { ["Input.FullName"] = "Maria Popescu-Rusu" });
        Assert.Equal(HttpStatusCode.Redirect, updated.StatusCode);
        var events = await CountAsync();

        var (status, rows, _) = await ReadAsync(admin, "/admin/audit");

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["person.update", "person.create", "staff.sign_in"], rows.Select(r => r.Code));
        var create = rows[1];
        Assert.Equal("Created person", create.What);
        Assert.Equal("Test admin", create.Who);
        Assert.Equal($"Person #{id}", create.Record);
        Assert.Equal($"/stakeholders/people/{id}", create.Href);
        Assert.Contains("fields: full_name, position, category", create.Details, StringComparison.Ordinal);
        Assert.Equal("Updated person", rows[0].What);
        Assert.Contains("changed: full_name", rows[0].Details, StringComparison.Ordinal);
        Assert.Equal("Signed in", rows[2].What);
        Assert.Contains("Maria Popescu-Rusu", await admin.GetStringAsync(create.Href), StringComparison.Ordinal);
        Assert.Equal(events, await CountAsync());
    }

    [Fact]
    public async Task Paging_OlderEventsContinueExactlyWherePageOneStopped_AndNewerEventsGoBack()
    {
        using var admin = await app.SignedInClientAsync(database, Roles.Admin);
        await InsertAsync(Enumerable.Range(1, 120).Select(n => new Event("test.step", "widget", n.ToString(CultureInfo.InvariantCulture))));
        var expected = await ExpectedRecordsAsync();
        Assert.Equal(121, expected.Count);

        var (_, first, firstPage) = await ReadAsync(admin, "/admin/audit");
        var (_, second, secondPage) = await ReadAsync(admin, Link(firstPage, "Older events")!);
        var (_, third, thirdPage) = await ReadAsync(admin, Link(secondPage, "Older events")!);
        var (_, back, _) = await ReadAsync(admin, Link(secondPage, "Newer events")!);

        Assert.Equal(50, first.Count);
        Assert.Equal(50, second.Count);
        Assert.Equal(21, third.Count);
        Assert.Equal(expected, first.Concat(second).Concat(third).Select(r => r.Record));
        Assert.Null(Link(firstPage, "Newer events"));
        Assert.Null(Link(thirdPage, "Older events"));
        Assert.NotNull(Link(thirdPage, "Newer events"));
        Assert.Equal(first.Select(r => r.Record), back.Select(r => r.Record));
    }

    [Fact]
    public async Task Paging_KeepsTheFilter_AcrossPages()
    {
        using var admin = await app.SignedInClientAsync(database, Roles.Admin);
        await InsertAsync(Enumerable.Range(1, 130).Select(n => new Event(n % 2 == 0 ? "test.even" : "test.odd", "widget", n.ToString(CultureInfo.InvariantCulture))));

        var (_, first, firstPage) = await ReadAsync(admin, "/admin/audit?action=test.even");
        var (_, second, secondPage) = await ReadAsync(admin, Link(firstPage, "Older events")!);

        Assert.Equal(50, first.Count);
        Assert.Equal(15, second.Count);
        Assert.All(first.Concat(second), r => Assert.Equal("test.even", r.Code));
        Assert.Equal(65, first.Concat(second).Select(r => r.Record).Distinct().Count());
        Assert.Null(Link(secondPage, "Older events"));
    }

    [Fact]
    public async Task RecordHistory_ShowsOneRecordsEvents_AndThePersonPageLinksIt()
    {
        using var admin = await app.SignedInClientAsync(database, Roles.Admin);
        var person = await PeopleTestData.ScalarAsync<long>(database, "insert into person (full_name) values ('Doina Turcanu') returning id");
        var id = person.ToString(CultureInfo.InvariantCulture);
        await InsertAsync(
        [
            new("person.create", "person", id),
            new("person.update", "person", "999999"),
            new("organisation.update", "organisation", id),
            new("person.update", "person", id),
        ]);

        var (_, history, page) = await ReadAsync(admin, $"/admin/audit?entity=person&record={id}");
        var (_, withoutType, _) = await ReadAsync(admin, $"/admin/audit?record={id}");
        var personPage = await admin.GetStringAsync($"/stakeholders/people/{id}");

        Assert.Equal(["person.update", "person.create"], history.Select(r => r.Code));
        Assert.Contains($"The history of one record: Person #{id}.", page.QuerySelector(".audit-record")!.TextContent, StringComparison.Ordinal);
        Assert.Equal("/admin/audit?entity=person", page.QuerySelector(".audit-record a")!.GetAttribute("href"));
        // Filtering further keeps to the record: the form carries it.
        Assert.Equal(id, page.QuerySelector("input[name=record]")!.GetAttribute("value"));
        // A record id without its type is no filter at all.
        Assert.Equal(await CountAsync(), withoutType.Count);
        Assert.Contains($"href=\"/admin/audit?entity=person&amp;record={id}\">History</a>", personPage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhoFilter_ShowsOneStaffMembersEvents_OrThoseOfNoStaffMember()
    {
        using var admin = await app.SignedInClientAsync(database, Roles.Admin);
        var ada = await TestApp.CreateStaffAsync(database, Roles.Lead);
        await ExecuteAsync("update staff_user set display_name = 'Ada Lead' where id = @ada", new { ada });
        var idle = await TestApp.CreateStaffAsync(database, Roles.Viewer);
        await ExecuteAsync("update staff_user set display_name = 'Idle Viewer' where id = @idle", new { idle });
        await InsertAsync(
        [
            new("campaign.create", "campaign", "1", ActorId: ada, ActorLabel: "Ada Lead"),
            new("briefing.approve", "briefing", "2", ActorId: ada, ActorLabel: "Ada Lead"),
            new("suppression.hard_bounce", "outbox_message", "3", ActorLabel: "system:delivery"),
        ]);

        var (_, adas, adaPage) = await ReadAsync(admin, $"/admin/audit?who={ada}");
        var (_, system, _) = await ReadAsync(admin, "/admin/audit?who=system");

        Assert.Equal(["briefing.approve", "campaign.create"], adas.Select(r => r.Code));
        Assert.All(adas, r => Assert.Equal("Ada Lead", r.Who));
        Assert.Equal(["suppression.hard_bounce"], system.Select(r => r.Code));
        var options = adaPage.QuerySelectorAll("#who option").Select(o => o.TextContent.Trim()).ToList();
        Assert.Contains("Ada Lead", options);
        Assert.Contains("Test admin", options);
        Assert.DoesNotContain("Idle Viewer", options);
        Assert.True(adaPage.QuerySelector($"#who option[value='{ada}']")!.HasAttribute("selected"));
    }

    [Fact]
    public async Task RecordTypeAndActionFilters_Narrow_AndAGroupMeansEveryActionOfIt()
    {
        using var admin = await app.SignedInClientAsync(database, Roles.Admin);
        await InsertAsync(
        [
            new("briefing.create", "briefing", "7"),
            new("briefing.approve", "briefing", "7"),
            new("person.update", "person", "8"),
            new("signoff.answer", "signoff_request", "9", Data: new { round_id = 4 }),
            new("signoff.open", "signoff_round", "4"),
        ]);

        var (_, briefings, _) = await ReadAsync(admin, "/admin/audit?entity=briefing");
        var (_, approvals, _) = await ReadAsync(admin, "/admin/audit?action=briefing.approve");
        var (_, group, groupPage) = await ReadAsync(admin, "/admin/audit?action=signoff.");
        var (_, both, _) = await ReadAsync(admin, "/admin/audit?entity=signoff_round&action=signoff.");
        var (_, none, nonePage) = await ReadAsync(admin, "/admin/audit?entity=person&action=briefing.approve");

        Assert.Equal(["briefing.approve", "briefing.create"], briefings.Select(r => r.Code));
        Assert.Equal(["briefing.approve"], approvals.Select(r => r.Code));
        Assert.Equal(["signoff.open", "signoff.answer"], group.Select(r => r.Code));
        Assert.All(group, r => Assert.Equal("/signoff/rounds/4", r.Href));
        Assert.True(groupPage.QuerySelector("#action option[value='signoff.']")!.HasAttribute("selected"));
        Assert.Equal(["signoff.open"], both.Select(r => r.Code));
        Assert.Empty(none);
        Assert.Contains("No events match.", nonePage.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DateFilters_AreDaysInTheViewersTimeZone_ToTheSecond()
    {
        // The staff member signs in with the default zone, Europe/Brussels: UTC+1 in winter, UTC+2 from 30 March 2025.
        using var admin = await app.SignedInClientAsync(database, Roles.Admin);
        await InsertAsync(
        [
            new("test.at", "widget", "9 Mar 23:59:59", At: Utc("2025-03-09T22:59:59")),
            new("test.at", "widget", "10 Mar 00:00", At: Utc("2025-03-09T23:00:00")),
            new("test.at", "widget", "10 Mar 23:59:59", At: Utc("2025-03-10T22:59:59")),
            new("test.at", "widget", "11 Mar 00:00", At: Utc("2025-03-10T23:00:00")),
            new("test.at", "widget", "30 Mar 23:59:59", At: Utc("2025-03-30T21:59:59")),
            new("test.at", "widget", "31 Mar 00:00", At: Utc("2025-03-30T22:00:00")),
        ]);

        var (_, tenth, _) = await ReadAsync(admin, "/admin/audit?from=2025-03-10&to=2025-03-10");
        var (_, fromEleventh, _) = await ReadAsync(admin, "/admin/audit?who=system&from=2025-03-11");
        var (_, toThirtieth, _) = await ReadAsync(admin, "/admin/audit?to=2025-03-30");

        Assert.Equal(["widget #10 Mar 23:59:59", "widget #10 Mar 00:00"], tenth.Select(r => r.Record));
        Assert.Equal(["10 Mar 2025, 23:59", "10 Mar 2025, 00:00"], tenth.Select(r => r.When));
        Assert.Equal(["widget #31 Mar 00:00", "widget #30 Mar 23:59:59", "widget #11 Mar 00:00"], fromEleventh.Select(r => r.Record));
        Assert.Equal(5, toThirtieth.Count);
        Assert.DoesNotContain(toThirtieth, r => r.Record == "widget #31 Mar 00:00");
    }

    [Theory]
    [InlineData("/admin/audit?from=2025-02-30", "from", "The from date is not a date")]
    [InlineData("/admin/audit?to=yesterday", "to", "The to date is not a date")]
    [InlineData("/admin/audit?from=2025-03-10&to=2025-03-01", "to", "The to date (2025-03-01) is before the from date (2025-03-10)")]
    public async Task BadDate_ShowsAMessageAtItsField_AndThePageStillAnswers(string url, string field, string message)
    {
        using var admin = await app.SignedInClientAsync(database, Roles.Admin);

        var (status, rows, page) = await ReadAsync(admin, url);

        Assert.Equal(HttpStatusCode.OK, status);
        var error = page.GetElementById($"{field}-error");
        Assert.NotNull(error);
        Assert.StartsWith(message, error.TextContent, StringComparison.Ordinal);
        Assert.Equal(error.ParentElement, page.GetElementById(field)!.ParentElement);
        Assert.Equal("true", page.GetElementById(field)!.GetAttribute("aria-invalid"));
        Assert.Equal($"{field}-error", page.GetElementById(field)!.GetAttribute("aria-describedby"));
        // The dates are not applied; the rest of the page is there.
        Assert.Equal(["staff.sign_in"], rows.Select(r => r.Code));
    }

    [Theory]
    [InlineData(Roles.Viewer)]
    [InlineData(Roles.Lead)]
    public async Task ViewerAndLead_AreRefused(string role)
    {
        using var client = await app.SignedInClientAsync(database, role);

        using var response = await client.GetAsync("/admin/audit");
        using var followed = await client.GetAsync(response.Headers.Location);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/access-denied", response.Headers.Location!.AbsolutePath);
        Assert.Equal(HttpStatusCode.Forbidden, followed.StatusCode);
    }

    [Fact]
    public async Task Anonymous_IsSentToSignIn()
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/admin/audit?action=person.");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/sign-in?ReturnUrl=%2Fadmin%2Faudit%3Faction%3Dperson.", response.Headers.Location!.PathAndQuery);
    }

    [Fact]
    public async Task HostileDataAndLabels_AreShownAsText_AndLongValuesInFullOnRequest()
    {
        using var admin = await app.SignedInClientAsync(database, Roles.Admin);
        var longNote = Hostile.Text("Long") + " " + new string('x', 200);
        await InsertAsync(
        [
            new(Hostile.Script, Hostile.ImageOnError, Hostile.AttributeBreakout, ActorLabel: Hostile.SvgOnLoad,
                Data: new Dictionary<string, object> { [Hostile.Script] = Hostile.Text("Note"), ["url"] = Hostile.Url, ["long"] = longNote }),
        ]);

        using var response = await admin.GetAsync("/admin/audit");
        var html = await response.Content.ReadAsStringAsync();
        var (_, rows, _) = await ReadAsync(admin, "/admin/audit");

        Hostile.AssertInert(html, "/admin/audit", allowOwnScripts: true);
        var row = rows[0];
        Assert.Equal(Hostile.SvgOnLoad, row.Who);
        Assert.Equal(Hostile.Script, row.Code);
        Assert.Null(row.Href);
        Assert.Contains($"{Hostile.Script}: Note {Hostile.Script}", row.Details, StringComparison.Ordinal);
        Assert.Contains(Hostile.Url, row.Details, StringComparison.Ordinal);
        var page = new HtmlParser().ParseDocument(html);
        var details = page.QuerySelectorAll(".audit-table details").Single(d => d.QuerySelector(".audit-data__full")!.TextContent == longNote);
        Assert.StartsWith("long: Long <script>", details.QuerySelector("summary")!.TextContent.Trim(), StringComparison.Ordinal);
        Assert.EndsWith("…", details.QuerySelector("summary")!.TextContent.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefaultPage_ReadsThePrimaryKeyBackwards_AndStopsAfter51Rows()
    {
        await ExecuteAsync(
            """
            insert into audit_event (actor_label, action, entity, entity_id, occurred_at)
            select 'system:test', 'test.bulk', 'widget', n::text, now() - n * interval '1 minute'
            from generate_series(1, 20000) n;
            analyze audit_event;
            """);
        var sql = AuditLog.PageSql(new AuditFilter(), keyset: null, newestFirst: true);

        var plan = JsonDocument.Parse(await PeopleTestData.ScalarAsync<string>(database, "explain (analyze, format json) " + sql))
            .RootElement[0].GetProperty("Plan");

        Assert.Equal("Limit", plan.GetProperty("Node Type").GetString());
        Assert.Equal(51, plan.GetProperty("Actual Rows").GetInt64());
        var scan = plan.GetProperty("Plans")[0];
        Assert.Equal("Index Scan", scan.GetProperty("Node Type").GetString());
        Assert.Equal("audit_event_pkey", scan.GetProperty("Index Name").GetString());
        Assert.Equal("Backward", scan.GetProperty("Scan Direction").GetString());
        Assert.Equal(51, scan.GetProperty("Actual Rows").GetInt64());
    }

    [Fact]
    public void Labels_ReadAsWords_AndUnknownActionsAsTheirCode()
    {
        Assert.Equal("Updated person", AuditLog.ActionLabel("person.update"));
        Assert.Equal("gadget.polish", AuditLog.ActionLabel("gadget.polish"));
        Assert.Equal("/admin/staff/7", AuditLog.RecordHref(Event("staff.deactivate", "staff_user", "7", "{}")));
        Assert.Equal("Sign-off round", AuditLog.KindLabel("signoff_round"));
        Assert.Equal("gadget", AuditLog.KindLabel("gadget"));
        Assert.Equal("/campaigns/3/targets/5", AuditLog.RecordHref(Event("campaign_target.update", "campaign_target", "5", """{"campaign_id": 3}""")));
        Assert.Equal("/campaigns/3", AuditLog.RecordHref(Event("campaign_target.delete", "campaign_target", "5", """{"campaign_id": 3}""")));
        Assert.Equal("/statements/2", AuditLog.RecordHref(Event("statement_version.create", "statement_version", "9", """{"statement_id": 2}""")));
        Assert.Equal("/mail/4", AuditLog.RecordHref(Event("mail.retry", "outbox_message", "4", "{}")));
        Assert.Null(AuditLog.RecordHref(Event("theme.delete", "theme", "4", "{}")));
        Assert.Null(AuditLog.RecordHref(Event("person.privacy_notice_sent", "person", null, """{"ids": [1, 2]}""")));
        Assert.Null(AuditLog.RecordHref(Event("person.update", "person", "1 or 1=1", "{}")));
        Assert.Equal([("ids", "1, 2"), ("nested", """{"a":[1]}"""), ("none", "none")], AuditLog.DataPairs("""{"ids": [1, 2], "nested": {"a":[1]}, "none": null}"""));
        Assert.Equal("ab…", AuditLog.Shorten("ab cd", 3));

        static AuditEvent Event(string action, string entity, string? id, string data) => new(1, DateTime.UtcNow, null, "x", action, entity, id, data, null);
    }

    private sealed record Event(
        string Action, string Entity, string? EntityId, long? ActorId = null, string ActorLabel = "system:test", object? Data = null, DateTime? At = null);

    private static DateTime Utc(string iso) => DateTime.SpecifyKind(DateTime.Parse(iso, CultureInfo.InvariantCulture), DateTimeKind.Utc);

    private async Task InsertAsync(IEnumerable<Event> events)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        foreach (var e in events)
        {
            await db.ExecuteAsync(
                """
                insert into audit_event (occurred_at, actor_id, actor_label, action, entity, entity_id, data)
                values (coalesce(@at, now()), @actorId, @actorLabel, @action, @entity, @entityId, cast(@data as jsonb))
                """,
                new { at = e.At, e.ActorId, e.ActorLabel, e.Action, e.Entity, e.EntityId, data = JsonSerializer.Serialize(e.Data ?? new { }) });
        }
    }

    private async Task ExecuteAsync(string sql, object? args = null)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync(sql, args);
    }

    private Task<long> CountAsync() => PeopleTestData.ScalarAsync<long>(database, "select count(*) from audit_event");

    // Every event's record as the page writes it, newest first.
    private async Task<List<string>> ExpectedRecordsAsync()
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return (await db.QueryAsync<(string Entity, string? EntityId)>("select entity, entity_id from audit_event order by id desc"))
            .Select(e => AuditLog.KindLabel(e.Entity) + (e.EntityId is null ? "" : " #" + e.EntityId))
            .ToList();
    }

    private static async Task<(HttpStatusCode Status, List<Row> Rows, IDocument Page)> ReadAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var page = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        var rows = page.QuerySelectorAll("table.audit-table tbody tr").Select(tr =>
        {
            string Text(string selector) => tr.QuerySelector(selector)!.TextContent.Trim();
            var what = tr.QuerySelector(".audit-table__what")!;
            var code = what.QuerySelector("code")!.TextContent.Trim();
            return new Row(
                Text(".audit-table__when"),
                Text(".audit-table__who"),
                what.TextContent.Replace(code, "", StringComparison.Ordinal).Trim(),
                code,
                Text(".audit-table__record"),
                tr.QuerySelector(".audit-table__record a")?.GetAttribute("href"),
                string.Join("\n", tr.QuerySelectorAll(".audit-data li").Select(li => string.Join(" ", li.TextContent.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)))));
        }).ToList();
        return (response.StatusCode, rows, page);
    }

    private static string? Link(IDocument page, string name) =>
        page.QuerySelectorAll(".pager a").FirstOrDefault(a => a.TextContent.Trim() == name)?.GetAttribute("href");
}
