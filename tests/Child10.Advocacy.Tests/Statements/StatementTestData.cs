using System.Globalization;
using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Dapper;

namespace Child10.Advocacy.Tests.Statements;

/// <summary>Statements made the way leads make them: through the pages.</summary>
internal static class StatementTestData
{
    public const string CoreBody = """
        We, the undersigned member organisations, ask the government to act.

        ## Our asks

        1. Appoint a guardian within 24 hours.
        2. Fund specialised shelters.
        """;

    public static async Task<long> CampaignAsync(TestDatabase database, string title = "Guardianship for every unaccompanied child")
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>("insert into campaign (title, scope, status) values (@title, 'national', 'active') returning id", new { title });
    }

    public static Dictionary<string, string> CoreFields(long campaignId, string title = "A guardian for every child", string body = CoreBody) => new()
    {
        ["Input.Title"] = title,
        ["Input.Kind"] = "joint_statement",
        ["Input.CampaignId"] = campaignId.ToString(CultureInfo.InvariantCulture),
        ["Input.Scope"] = "national",
        ["Input.Language"] = "en",
        ["Input.PlannedReleaseOn"] = DateTime.UtcNow.AddDays(30).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        ["Input.Body"] = body,
    };

    public static async Task<long> CoreAsync(HttpClient lead, long campaignId, string title = "A guardian for every child", string body = CoreBody)
    {
        using var response = await PostAsync(lead, "/statements/new", CoreFields(campaignId, title, body));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return long.Parse(response.Headers.Location!.OriginalString.Split('/')[^1], CultureInfo.InvariantCulture);
    }

    public static async Task<HttpResponseMessage> NewVersionAsync(HttpClient lead, long id, string title, string body, string? note)
    {
        var fields = new Dictionary<string, string> { ["Input.Title"] = title, ["Input.Body"] = body };
        if (note is not null)
        {
            fields["Input.ChangeNote"] = note;
        }
        return await PostAsync(lead, $"/statements/{id}/versions/new", fields);
    }

    public static Dictionary<string, string> VariantFields(string? country, long? region, string language, string title = "Variant", string body = CoreBody, string? releaseOn = null)
    {
        var fields = new Dictionary<string, string> { ["Input.Language"] = language, ["Input.Title"] = title, ["Input.Body"] = body };
        if (country is not null)
        {
            fields["Input.CountryCode"] = country;
        }
        if (region is not null)
        {
            fields["Input.RegionId"] = region.Value.ToString(CultureInfo.InvariantCulture);
        }
        if (releaseOn is not null)
        {
            fields["Input.PlannedReleaseOn"] = releaseOn;
        }
        return fields;
    }

    public static async Task<long> VariantAsync(HttpClient lead, long coreId, string country, string language, string title, string body, string? releaseOn = null)
    {
        using var response = await PostAsync(lead, $"/statements/{coreId}/variants/new", VariantFields(country, null, language, title, body, releaseOn));
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return long.Parse(response.Headers.Location!.OriginalString.Split('/')[^1], CultureInfo.InvariantCulture);
    }

    /// <summary>Posts a form with the antiforgery token of the page at <paramref name="tokenFrom"/> (the form's own page by default).</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, Dictionary<string, string> fields, string? tokenFrom = null)
    {
        var page = await client.GetStringAsync(tokenFrom ?? path.Split('?')[0]);
        fields["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page);
        using var form = new FormUrlEncodedContent(fields);
        return await client.PostAsync(path, form);
    }

    public static async Task<T> ScalarAsync<T>(TestDatabase database, string sql, object? args = null)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return (await db.ExecuteScalarAsync<T>(sql, args))!;
    }

    public static async Task ExecuteAsync(TestDatabase database, string sql, object? args = null)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync(sql, args);
    }
}
