using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Dapper;

namespace Child10.Advocacy.Tests.Stakeholders;

[Collection(DatabaseGroup.Name)]
public sealed class PrivacyNoticeTests(TestDatabase database) : IAsyncLifetime
{
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
        await using var db = await database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync("""
            insert into person (full_name, email, country_code, category, privacy_notice_sent_on, erased_at) values
                ('Pending Senegal', 'p1@example.org', 'SN', 'decision_maker', null, null),
                ('Pending France', 'p2@example.org', 'FR', 'signatory', null, null),
                ('Already Sent', 'p3@example.org', 'SN', 'decision_maker', '2024-01-02', null),
                ('Erased person', null, 'SN', 'decision_maker', null, now());
            """);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task List_ShowsOnlyPeopleStillWaiting_AndFilters()
    {
        using var viewer = await app.SignedInClientAsync(database, "viewer");

        var all = await viewer.GetStringAsync("/stakeholders/privacy-notices");
        var senegal = await viewer.GetStringAsync("/stakeholders/privacy-notices?country=SN");
        var signatories = await viewer.GetStringAsync("/stakeholders/privacy-notices?category=signatory");

        Assert.Contains("Pending Senegal", all, StringComparison.Ordinal);
        Assert.Contains("Pending France", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Already Sent", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Erased person", all, StringComparison.Ordinal);
        Assert.DoesNotContain("Mark privacy notice sent today", all, StringComparison.Ordinal);
        Assert.Contains("Pending Senegal", senegal, StringComparison.Ordinal);
        Assert.DoesNotContain("Pending France", senegal, StringComparison.Ordinal);
        Assert.DoesNotContain("Pending Senegal", signatories, StringComparison.Ordinal);
        Assert.Contains("Pending France", signatories, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_IsTheFilteredListAsCsv_WithFormulasNeutralised()
    {
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("insert into person (full_name, email, country_code, category) values ('=HYPERLINK(\"x\")', 'p4@example.org', 'SN', 'other')");
        }
        using var viewer = await app.SignedInClientAsync(database, "viewer");

        using var response = await viewer.GetAsync("/stakeholders/privacy-notices?handler=Export&country=SN");
        var csv = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("attachment", response.Content.Headers.ContentDisposition!.ToString(), StringComparison.Ordinal);
        Assert.Contains("Pending Senegal", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("Pending France", csv, StringComparison.Ordinal);
        Assert.DoesNotContain("Already Sent", csv, StringComparison.Ordinal);
        Assert.Contains("\"'=HYPERLINK(\"\"x\"\")\"", csv, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MarkSent_UpdatesTheSelectedPeople_InOneAuditEvent()
    {
        using var lead = await app.SignedInClientAsync(database, "lead");
        var page = await lead.GetStringAsync("/stakeholders/privacy-notices");
        var ids = await IdsAsync("Pending Senegal", "Pending France");

        using var response = await PostAsync(lead, page, ids);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(2, await db.ExecuteScalarAsync<long>("select count(*) from person where privacy_notice_sent_on = current_date"));
        var audit = await db.QuerySingleAsync<string>("select data->>'ids' from audit_event where action = 'person.privacy_notice_sent'");
        Assert.Equal($"[{ids[0]}, {ids[1]}]", audit);
        var after = await lead.GetStringAsync("/stakeholders/privacy-notices");
        Assert.DoesNotContain("Pending Senegal", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MarkSent_ByAViewer_IsForbidden()
    {
        using var viewer = await app.SignedInClientAsync(database, "viewer");
        var page = await viewer.GetStringAsync("/stakeholders/privacy-notices");

        using var response = await PostAsync(viewer, page, await IdsAsync("Pending Senegal"));

        ImportTests.AssertAccessDenied(response);
        Assert.Equal(0, await CountSentTodayAsync());
    }

    private async Task<long> CountSentTodayAsync()
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>("select count(*) from person where privacy_notice_sent_on = current_date");
    }

    private async Task<long[]> IdsAsync(params string[] names)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return (await db.QueryAsync<long>("select id from person where full_name = any(@names) order by id", new { names })).ToArray();
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string page, long[] ids)
    {
        var fields = new List<KeyValuePair<string, string>> { new("__RequestVerificationToken", TestApp.AntiforgeryToken(page)) };
        fields.AddRange(ids.Select(id => new KeyValuePair<string, string>("Ids", id.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        using var form = new FormUrlEncodedContent(fields);
        return await client.PostAsync("/stakeholders/privacy-notices", form);
    }
}
