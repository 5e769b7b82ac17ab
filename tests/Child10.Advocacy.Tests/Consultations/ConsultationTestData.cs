using System.Globalization;
using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Dapper;

namespace Child10.Advocacy.Tests.Consultations;

/// <summary>Institutions, consultations, campaigns and milestones written straight to the test database.</summary>
public static class ConsultationTestData
{
    public static async Task<long> InstitutionAsync(TestDatabase database, string name = "European Commission, DG HOME", string kind = "intergovernmental")
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>("insert into organisation (name, kind) values (@name, @kind) returning id", new { name, kind });
    }

    public static async Task<long> ConsultationAsync(
        TestDatabase database, long institutionId, string title, DateTimeOffset closesAt, string status = "open",
        long? responsibleId = null, long? campaignId = null, string timeZone = "Europe/Brussels")
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>(
            """
            insert into consultation (institution_id, title, scope, closes_at, institution_time_zone, status, responsible_id, campaign_id)
            values (@institutionId, @title, 'international', @closesAt, @timeZone, @status, @responsibleId, @campaignId)
            returning id
            """,
            new { institutionId, title, closesAt = closesAt.UtcDateTime, timeZone, status, responsibleId, campaignId });
    }

    public static async Task<long> CampaignAsync(TestDatabase database, string title, long? leadId, string status = "active")
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>(
            "insert into campaign (title, scope, status, lead_id) values (@title, 'international', @status, @leadId) returning id",
            new { title, status, leadId });
    }

    public static async Task<long> MilestoneAsync(TestDatabase database, long campaignId, string title, DateOnly dueOn, bool done = false)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>(
            "insert into milestone (campaign_id, title, due_on, done_at) values (@campaignId, @title, @dueOn, case when @done then now() end) returning id",
            new { campaignId, title, dueOn, done });
    }

    public static async Task<long> CountAsync(TestDatabase database, string sql, object? args = null)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>(sql, args);
    }

    /// <summary>Signs in through the development sign-in page as a new staff member living in the given time zone.</summary>
    public static async Task<HttpClient> SignedInClientInZoneAsync(TestApp app, TestDatabase database, string role, string timeZone)
    {
        var staffId = await TestApp.CreateStaffAsync(database, role);
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("update staff_user set time_zone = @timeZone where id = @staffId", new { timeZone, staffId });
        }
        var client = app.CreateClient(new CookieContainer());
        var page = await client.GetStringAsync("/account/sign-in");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page),
            ["StaffId"] = staffId.ToString(CultureInfo.InvariantCulture),
        });
        using var response = await client.PostAsync("/account/sign-in", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }
}
