using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Dapper;

namespace Child10.Advocacy.Tests.Stakeholders;

/// <summary>People written straight into the database for the people and segment tests.</summary>
public static class PeopleTestData
{
    public static async Task<long> OrganisationAsync(TestDatabase database, string name, string kind = "ngo", string? country = null)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>(
            """
            insert into organisation (name, kind, country_code, region_id)
            values (@name, @kind, @country, (select region_id from country where code = @country))
            returning id
            """,
            new { name, kind, country });
    }

    public static async Task<long> PersonAsync(
        TestDatabase database, string name, long? organisationId = null, string category = "decision_maker",
        string? country = null, string? email = null, string language = "en", string? jurisdiction = null,
        bool doNotContact = false, string[]? themes = null, string? position = null, bool erased = false)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var id = await db.ExecuteScalarAsync<long>(
            """
            insert into person (full_name, position, category, organisation_id, email, country_code, preferred_language,
                                jurisdiction, do_not_contact, privacy_notice_sent_on, erased_at)
            values (@name, @position, @category, @organisationId, @email, @country, @language,
                    @jurisdiction, @doNotContact, date '2025-01-15', case when @erased then now() end)
            returning id
            """,
            new { name, position, category, organisationId, email, country, language, jurisdiction, doNotContact, erased });
        await db.ExecuteAsync(
            "insert into person_theme (person_id, theme_id) select @id, t.id from theme t where t.name = any(@themes)",
            new { id, themes = themes ?? [] });
        return id;
    }

    /// <summary>Refused: a page answers a forbidden request with 403, or a browser with a redirect to the access-denied page.</summary>
    public static void AssertForbidden(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        Assert.True(
            response.StatusCode == HttpStatusCode.Forbidden
            || response.StatusCode == HttpStatusCode.Redirect && (response.Headers.Location!.IsAbsoluteUri ? response.Headers.Location.AbsolutePath : response.Headers.Location.OriginalString)
                   .StartsWith("/account/access-denied", StringComparison.Ordinal),
            $"Expected a refusal, got {(int)response.StatusCode} {response.Headers.Location}");
    }

    /// <summary>The page's text with entities decoded (Razor encodes every non-ASCII letter).</summary>
    public static async Task<string> TextAsync(HttpResponseMessage response) =>
        WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

    public static async Task<T> ScalarAsync<T>(TestDatabase database, string sql, object? args = null)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return (await db.ExecuteScalarAsync<T>(sql, args))!;
    }

    /// <summary>Posts a form the way a browser does: fetches the page for its antiforgery token first.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string pageUrl, string postUrl, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var page = await client.GetAsync(pageUrl);
        var html = await page.Content.ReadAsStringAsync();
        var token = page.StatusCode == HttpStatusCode.OK ? TestApp.AntiforgeryToken(html) : await AnyTokenAsync(client);
        using var form = new FormUrlEncodedContent(fields.Append(new("__RequestVerificationToken", token)));
        return await client.PostAsync(postUrl, form);
    }

    // A viewer cannot open edit pages; the token from any page of the same session is as good.
    private static async Task<string> AnyTokenAsync(HttpClient client) =>
        TestApp.AntiforgeryToken(await client.GetStringAsync("/stakeholders/people"));
}
