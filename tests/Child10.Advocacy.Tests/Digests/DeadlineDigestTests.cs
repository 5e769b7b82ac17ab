using Child10.Advocacy.Tests.Consultations;
using Child10.Advocacy.Tests.Email;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Digests;
using Dapper;

namespace Child10.Advocacy.Tests.Digests;

[Collection(DatabaseGroup.Name)]
public sealed class DeadlineDigestTests(TestDatabase database) : IAsyncLifetime
{
    private LoopbackSmtpServer smtp = null!;
    private EmailParts parts = null!;
    private DeadlineDigestJob job = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        smtp = LoopbackSmtpServer.Start();
        parts = new EmailParts(database, smtp);
        job = new DeadlineDigestJob(database.DataSource, parts.Outbox, parts.Settings);
    }

    public async Task DisposeAsync()
    {
        await parts.Delivery.DisposeAsync();
        await smtp.DisposeAsync();
    }

    [Fact]
    public async Task Job_RunTwice_SendsEachLeadOneDigestOfTheItemsInTheWindows_AndNothingTheSecondTime()
    {
        var world = await WorldAsync();

        var first = await job.RunAsync(CancellationToken.None);
        var second = await job.RunAsync(CancellationToken.None);

        Assert.Equal(3, first.Messages);
        Assert.Equal(new DigestReport(0, 0), second);
        var keys = await SentKeysAsync();
        Assert.Equal(
            new[]
            {
                $"digest:consultation:{world.Soon}:2d:staff-{world.LeadA}",
                $"digest:consultation:{world.Unowned}:7d:staff-{world.Admin}",
                $"digest:consultation:{world.Unowned}:7d:staff-{world.LeadA}",
                $"digest:consultation:{world.Unowned}:7d:staff-{world.LeadB}",
                $"digest:consultation:{world.InCampaign}:7d:staff-{world.LeadB}",
                $"digest:milestone:{world.Milestone}:7d:staff-{world.LeadB}",
            }.Order(StringComparer.Ordinal),
            keys);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var messages = (await db.QueryAsync<(string Address, string Subject, string Text)>(
            "select recipient_address as address, subject, text_body as text from outbox_message where purpose = 'deadline-digest' order by id")).ToList();
        Assert.Equal(3, messages.Count);
        var leadB = Assert.Single(messages, m => m.Address == world.LeadBEmail);
        Assert.Equal("Deadlines: 3 items due within 7 days", leadB.Subject);
        Assert.Contains("Campaign response on grooming", leadB.Text, StringComparison.Ordinal);
        Assert.Contains("Adopt the national action plan", leadB.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Far away", leadB.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Already submitted", leadB.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Done milestone", leadB.Text, StringComparison.Ordinal);
        Assert.Equal(0, await db.ExecuteScalarAsync<long>("select count(*) from outbox_message where recipient_address = @viewer", new { viewer = world.ViewerEmail }));
        Assert.Equal(3, await db.ExecuteScalarAsync<long>("select count(*) from audit_event where action = 'digest.send' and actor_label = 'system:deadline-digest'"));
    }

    [Fact]
    public async Task Job_WhenAnItemMovesIntoTheTwoDayWindow_SendsOnlyThatStep()
    {
        var world = await WorldAsync();
        await job.RunAsync(CancellationToken.None);
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("update consultation set closes_at = now() + interval '30 hours' where id = @id", new { id = world.InCampaign });
        }

        var later = await job.RunAsync(CancellationToken.None);
        var again = await job.RunAsync(CancellationToken.None);

        Assert.Equal(new DigestReport(1, 1), later);
        Assert.Equal(new DigestReport(0, 0), again);
        Assert.Contains($"digest:consultation:{world.InCampaign}:2d:staff-{world.LeadB}", await SentKeysAsync());
        await using var check = await database.DataSource.OpenConnectionAsync();
        var last = await check.QuerySingleAsync<(string Subject, string Text)>(
            "select subject, text_body as text from outbox_message where purpose = 'deadline-digest' order by id desc limit 1");
        Assert.Equal("Deadlines: 1 item due within 2 days", last.Subject);
        Assert.Contains("Campaign response on grooming", last.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Adopt the national action plan", last.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DigestEmail_ListsBothWindowsWithLinks_ScreenshotForReview()
    {
        var world = await WorldAsync();
        await job.RunAsync(CancellationToken.None);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var html = await db.ExecuteScalarAsync<string>(
            "select html_body from outbox_message where recipient_address = (select email from staff_user where id = @id)", new { id = world.LeadA });

        Assert.Contains("Due within 2 days", html, StringComparison.Ordinal);
        Assert.Contains("Due within 7 days", html, StringComparison.Ordinal);
        Assert.Contains($"https://advocacy.child10.example/consultations/{world.Soon}", html, StringComparison.Ordinal);
        Assert.Contains("Nobody&#39;s consultation", html, StringComparison.Ordinal);
        await using var chromium = await Chromium.LaunchAsync();
        var page = await chromium.Browser.NewPageAsync(new() { ViewportSize = new() { Width = 700, Height = 600 } });
        await page.SetContentAsync(html!);
        await Chromium.ScreenshotAsync(page, "deadline-digest-email");
    }

    [Fact]
    public async Task Job_WithNothingDue_SendsNothing()
    {
        var lead = await TestApp.CreateStaffAsync(database, "lead");
        var institution = await ConsultationTestData.InstitutionAsync(database);
        await ConsultationTestData.ConsultationAsync(database, institution, "Far away", DateTimeOffset.UtcNow.AddDays(20), responsibleId: lead);

        Assert.Equal(new DigestReport(0, 0), await job.RunAsync(CancellationToken.None));
        Assert.Equal(0, await ConsultationTestData.CountAsync(database, "select count(*) from outbox_message"));
    }

    private sealed record World(long LeadA, long LeadB, long Admin, string LeadBEmail, string ViewerEmail, long Soon, long InCampaign, long Unowned, long Milestone);

    /// <summary>Two leads, an admin and a viewer; items inside, outside and on the edges of the windows.</summary>
    private async Task<World> WorldAsync()
    {
        var leadA = await TestApp.CreateStaffAsync(database, "lead");
        var leadB = await TestApp.CreateStaffAsync(database, "lead");
        var admin = await TestApp.CreateStaffAsync(database, "admin");
        var viewer = await TestApp.CreateStaffAsync(database, "viewer");
        var inactive = await TestApp.CreateStaffAsync(database, "lead");
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("update staff_user set is_active = false where id = @inactive", new { inactive });
        }
        var institution = await ConsultationTestData.InstitutionAsync(database);
        var campaign = await ConsultationTestData.CampaignAsync(database, "End online grooming", leadB);
        var now = DateTimeOffset.UtcNow;
        var today = DateOnly.FromDateTime(DateTime.UtcNow);

        var soon = await ConsultationTestData.ConsultationAsync(database, institution, "Closing tomorrow", now.AddDays(1), responsibleId: leadA);
        var inCampaign = await ConsultationTestData.ConsultationAsync(database, institution, "Campaign response on grooming", now.AddDays(5), campaignId: campaign);
        // Responsible is no longer active and no campaign: every lead hears of it.
        var unowned = await ConsultationTestData.ConsultationAsync(database, institution, "Nobody's consultation", now.AddDays(4), responsibleId: inactive);
        await ConsultationTestData.ConsultationAsync(database, institution, "Far away", now.AddDays(8), responsibleId: leadB);
        await ConsultationTestData.ConsultationAsync(database, institution, "Already submitted", now.AddDays(1), status: "submitted", responsibleId: leadB);
        await ConsultationTestData.ConsultationAsync(database, institution, "Already closed", now.AddHours(-2), responsibleId: leadB);
        var milestone = await ConsultationTestData.MilestoneAsync(database, campaign, "Adopt the national action plan", today.AddDays(5));
        await ConsultationTestData.MilestoneAsync(database, campaign, "Done milestone", today.AddDays(1), done: true);
        await ConsultationTestData.MilestoneAsync(database, campaign, "Next month", today.AddDays(30));

        await using var read = await database.DataSource.OpenConnectionAsync();
        var emails = (await read.QueryAsync<(long Id, string Email)>("select id, email from staff_user")).ToDictionary(r => r.Id, r => r.Email);
        return new World(leadA, leadB, admin, emails[leadB], emails[viewer], soon, inCampaign, unowned, milestone);
    }

    private async Task<List<string>> SentKeysAsync()
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return (await db.QueryAsync<string>("select jsonb_array_elements_text(data -> 'items') from audit_event where action = 'digest.send'"))
            .Order(StringComparer.Ordinal).ToList();
    }
}
