using System.Text.RegularExpressions;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.SignOff;
using Child10.Advocacy.Web.Features.Statements;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Child10.Advocacy.Tests.SignOff;

/// <summary>A campaign with member organisations and signatories, a statement with a version, written straight to the database.</summary>
public sealed partial record SignOffScene(long LeadId, long CampaignId, long StatementId, long VersionId, IReadOnlyList<SignOffScene.Member> Members)
{
    public sealed record Member(long OrganisationId, string Name, long SignatoryId, string Email, long ContactId, string ContactEmail);

    public const string Body = "Every unaccompanied child must have a guardian from the first day.\n\nStates shall appoint a guardian within 24 hours.";

    public static async Task<SignOffScene> CreateAsync(TestDatabase database, int members = 3, string[]? languages = null)
    {
        var leadId = await TestApp.CreateStaffAsync(database, "lead");
        await using var db = await database.DataSource.OpenConnectionAsync();
        var campaignId = await db.ExecuteScalarAsync<long>(
            "insert into campaign (title, scope, status, lead_id) values ('Guardianship for every child', 'international', 'active', @leadId) returning id", new { leadId });
        var list = new List<Member>();
        for (var i = 0; i < members; i++)
        {
            var name = i < 26 ? $"Member {(char)('A' + i)} for Children" : $"Member {i} for Children";
            var orgId = await db.ExecuteScalarAsync<long>("insert into organisation (name, kind, country_code) values (@name, 'member', 'BE') returning id", new { name });
            await db.ExecuteAsync("insert into campaign_member (campaign_id, organisation_id) values (@campaignId, @orgId)", new { campaignId, orgId });
            var email = $"signatory{i}@member{i}.example";
            var language = languages is not null && i < languages.Length ? languages[i] : "en";
            var signatoryId = await db.ExecuteScalarAsync<long>(
                "insert into person (full_name, category, organisation_id, email, preferred_language) values (@fullName, 'signatory', @orgId, @email, @language) returning id",
                new { fullName = i < 26 ? $"Signatory {(char)('A' + i)}" : $"Signatory {i}", orgId, email, language });
            var contactEmail = $"contact{i}@member{i}.example";
            var contactId = await db.ExecuteScalarAsync<long>(
                "insert into person (full_name, category, organisation_id, email) values (@fullName, 'member_contact', @orgId, @contactEmail) returning id",
                new { fullName = $"Contact {(char)('A' + i)}", orgId, contactEmail });
            list.Add(new Member(orgId, name, signatoryId, email, contactId, contactEmail));
        }
        var statementId = await db.ExecuteScalarAsync<long>(
            "insert into statement (campaign_id, kind, scope, title, lead_id) values (@campaignId, 'joint_statement', 'international', 'A guardian for every child', @leadId) returning id",
            new { campaignId, leadId });
        var versionId = await VersionAsync(database, statementId, 1, "A guardian for every child", Body);
        return new SignOffScene(leadId, campaignId, statementId, versionId, list);
    }

    public static async Task<long> VersionAsync(TestDatabase database, long statementId, int number, string title, string body)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>(
            "insert into statement_version (statement_id, number, title, body, content_hash) values (@statementId, @number, @title, @body, @hash) returning id",
            new { statementId, number, title, body, hash = StatementText.ContentHash(title, body) });
    }

    /// <summary>Opens a round through the feature's own code, as the lead would.</summary>
    public async Task<long> OpenRoundAsync(TestApp app, TestDatabase database, string rule = SignOffVocabulary.AllMustApprove, DateTime? deadline = null,
        ChasePolicy? policy = null, bool alternates = false)
    {
        var rounds = app.App.Services.GetRequiredService<SignOffRounds>();
        await using var db = await database.DataSource.OpenConnectionAsync();
        await using var tx = await db.BeginTransactionAsync();
        var spec = new RoundSpec(StatementId, VersionId, rule, deadline ?? DateTime.UtcNow.AddDays(10), "Europe/Brussels", policy ?? ChasePolicy.Default,
            "Please sign by Friday.", LeadId, Members.Select(m => new RoundInvite(m.OrganisationId, m.SignatoryId, alternates ? m.ContactId : null)).ToList());
        var id = await rounds.OpenAsync(db, tx, spec, new Actor(LeadId, "Test lead"), CancellationToken.None);
        await tx.CommitAsync();
        return id;
    }

    /// <summary>The /sign/... path in the newest queued link mail to an address (the token exists only in the mail).</summary>
    public static async Task<string> LinkPathAsync(TestDatabase database, string email)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var body = await db.ExecuteScalarAsync<string>(
            "select text_body from outbox_message where recipient_address = @email and purpose in ('signoff-request', 'signoff-reminder') order by id desc limit 1", new { email })
            ?? throw new InvalidOperationException($"No link mail to {email}.");
        return LinkPath(body);
    }

    public static string LinkPath(string text) =>
        SignLink().Match(text) is { Success: true } match ? match.Value : throw new InvalidOperationException("No /sign/ link in the message.");

    [GeneratedRegex(@"/sign/[A-Za-z0-9_\-%]+")]
    private static partial Regex SignLink();
}
