using System.Security.Cryptography;
using System.Text;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Stakeholders;
using Dapper;

namespace Child10.Advocacy.Tests.Briefings;

/// <summary>Campaigns, people, segments, statements and briefings written straight to the test database.</summary>
public static class BriefingTestData
{
    public static async Task<long> StaffAsync(TestDatabase database, string role, string name, string email)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>(
            "insert into staff_user (issuer, subject, email, display_name, role) values ('local-dev', @subject, @email, @name, @role) returning id",
            new { subject = "briefing-" + Guid.NewGuid().ToString("N"), email, name, role });
    }

    public static async Task<long> CampaignAsync(TestDatabase database, long? leadId, string title = "Guardianship for every unaccompanied child")
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>(
            "insert into campaign (title, scope, status, lead_id) values (@title, 'regional', 'active', @leadId) returning id", new { title, leadId });
    }

    public static async Task<long> OrganisationAsync(TestDatabase database, string name, string? country)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>(
            "insert into organisation (name, kind, country_code) values (@name, 'government', @country) returning id", new { name, country });
    }

    public static async Task<long> PersonAsync(
        TestDatabase database, string name, string? email, string? country, long? organisationId = null, string language = "en",
        string category = "decision_maker", bool doNotContact = false, bool erased = false, string? position = null)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>(
            """
            insert into person (full_name, email, country_code, organisation_id, preferred_language, category, do_not_contact, erased_at, position)
            values (@name, @email, @country, @organisationId, @language, @category, @doNotContact, case when @erased then now() end, @position)
            returning id
            """,
            new { name, email, country, organisationId, language, category, doNotContact, erased, position });
    }

    public static async Task SuppressAsync(TestDatabase database, string email, string reason)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync("insert into suppression (email_hash, reason) values (@hash, @reason)", new { hash = Rules.EmailHash(email), reason });
    }

    public static async Task<long> SegmentAsync(TestDatabase database, string name, PeopleFilter filter)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>(
            "insert into segment (name, filter) values (@name, cast(@filter as jsonb)) returning id", new { name, filter = filter.ToJson() });
    }

    /// <summary>A statement (core when coreId is null, else a variant for country/language) with one version.</summary>
    public static async Task<long> StatementAsync(TestDatabase database, long campaignId, string title, string body, long? coreId = null, string? country = null, string language = "en")
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var id = await db.ExecuteScalarAsync<long>(
            """
            insert into statement (campaign_id, kind, scope, title, core_id, country_code, language, status)
            values (@campaignId, 'joint_statement', @scope, @title, @coreId, @country, @language, 'final') returning id
            """,
            new { campaignId, scope = coreId is null ? "regional" : "national", title, coreId, country, language });
        await db.ExecuteAsync(
            "insert into statement_version (statement_id, number, title, body, content_hash) values (@id, 1, @title, @body, @hash)",
            new { id, title, body, hash = SHA256.HashData(Encoding.UTF8.GetBytes(title + body)) });
        return id;
    }

    public static async Task<long> BriefingAsync(
        TestDatabase database, long campaignId, long authorId, string subject, string body, long[] segmentIds, long[] personIds,
        long? statementId = null, long? approvedBy = null)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var id = await db.ExecuteScalarAsync<long>(
            """
            insert into briefing (campaign_id, title, subject, body, statement_id, author_id, approved_by, approved_at, approved_version)
            values (@campaignId, 'Test briefing', @subject, @body, @statementId, @authorId, @approvedBy,
                    case when @approvedBy is null then null else now() end, case when @approvedBy is null then null else 1 end)
            returning id
            """,
            new { campaignId, subject, body, statementId, authorId, approvedBy });
        await db.ExecuteAsync(
            """
            insert into briefing_segment (briefing_id, segment_id) select @id, unnest(@segmentIds);
            insert into briefing_person (briefing_id, person_id) select @id, unnest(@personIds);
            """,
            new { id, segmentIds, personIds });
        return id;
    }

    /// <summary>Makes the briefing due now with a one-off schedule.</summary>
    public static async Task ScheduleNowAsync(TestDatabase database, long briefingId, DateTimeOffset? at = null)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync("update briefing set state = 'scheduled', schedule_kind = 'now', next_run_at = @at where id = @briefingId",
            new { briefingId, at = at ?? DateTimeOffset.UtcNow.AddSeconds(-1) });
    }
}
