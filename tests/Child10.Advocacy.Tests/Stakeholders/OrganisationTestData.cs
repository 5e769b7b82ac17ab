using System.Net;
using System.Text.RegularExpressions;
using Child10.Advocacy.Tests.Infrastructure;
using Dapper;

namespace Child10.Advocacy.Tests.Stakeholders;

/// <summary>Rows written straight into the database for the organisation, theme and actor-map tests.</summary>
public static partial class OrganisationTestData
{
    public static async Task<long> InsertAsync(
        TestDatabase database, string name, string kind = "ngo", string? country = null,
        string[]? themes = null, int? awardYear = null, string? notes = null, long? regionId = null)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var id = await db.ExecuteScalarAsync<long>(
            """
            insert into organisation (name, kind, award_year, country_code, region_id, notes)
            values (@name, @kind, @awardYear, @country,
                    coalesce(@regionId, (select region_id from country where code = @country)), @notes)
            returning id
            """,
            new { name, kind, awardYear, country, regionId, notes });
        await db.ExecuteAsync(
            """
            insert into organisation_theme (organisation_id, theme_id)
            select @id, t.id from theme t where t.name = any(@themes)
            """,
            new { id, themes = themes ?? [] });
        return id;
    }

    public static async Task<long> InsertPersonAsync(TestDatabase database, string name, long organisationId, string[]? themes = null)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var id = await db.ExecuteScalarAsync<long>(
            "insert into person (full_name, organisation_id, category, position) values (@name, @organisationId, 'decision_maker', 'Adviser') returning id",
            new { name, organisationId });
        await db.ExecuteAsync(
            "insert into person_theme (person_id, theme_id) select @id, t.id from theme t where t.name = any(@themes)",
            new { id, themes = themes ?? [] });
        return id;
    }

    public static async Task<long> ThemeIdAsync(TestDatabase database, string name)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>("select id from theme where name = @name", new { name });
    }

    public static async Task<long> RegionIdAsync(TestDatabase database, string name)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>("select id from region where name = @name", new { name });
    }

    public static async Task<long> CountAsync(TestDatabase database, string sql, object? args = null)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>(sql, args);
    }

    /// <summary>The names in the organisation list's table, in order.</summary>
    public static IReadOnlyList<string> ListedNames(string html) =>
        ListedRow().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    /// <summary>Posts a form with the antiforgery token taken from <paramref name="tokenPage"/>.</summary>
    public static async Task<HttpResponseMessage> PostFormAsync(HttpClient client, string tokenPage, string url, IEnumerable<KeyValuePair<string, string>> fields)
    {
        var page = await client.GetStringAsync(tokenPage);
        var all = new List<KeyValuePair<string, string>> { new("__RequestVerificationToken", TestApp.AntiforgeryToken(page)) };
        all.AddRange(fields);
        using var form = new FormUrlEncodedContent(all);
        return await client.PostAsync(url, form);
    }

    /// <summary>
    /// A refusal for the signed-in role: the cookie handler answers a forbidden page request by sending
    /// the browser to the access-denied page (StaffAuthentication), any other request with a bare 403.
    /// </summary>
    public static void AssertRefused(HttpResponseMessage response)
    {
        if (response.StatusCode == HttpStatusCode.Forbidden)
        {
            return;
        }
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/access-denied", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [GeneratedRegex("<th scope=\"row\" class=\"org-name\"><a href=\"/stakeholders/organisations/\\d+\">([^<]*)</a>")]
    private static partial Regex ListedRow();
}
