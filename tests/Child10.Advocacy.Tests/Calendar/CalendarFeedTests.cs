using System.Net;
using System.Text.RegularExpressions;
using Child10.Advocacy.Tests.Consultations;
using Child10.Advocacy.Tests.Infrastructure;
using Dapper;

namespace Child10.Advocacy.Tests.Calendar;

[Collection(DatabaseGroup.Name)]
public sealed partial class CalendarFeedTests(TestDatabase database) : IAsyncLifetime
{
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task Feed_IsValidICalendar_WithConsultationDeadlinesAtTheirUtcInstantAndMilestonesAsDays()
    {
        var lead = await TestApp.CreateStaffAsync(database, "lead");
        var institution = await ConsultationTestData.InstitutionAsync(database);
        var closes = new DateTimeOffset(DateTime.UtcNow.Year + 1, 1, 12, 17, 0, 0, TimeSpan.Zero);
        var consultation = await ConsultationTestData.ConsultationAsync(database, institution, "Child sexual abuse regulation", closes);
        await ConsultationTestData.ConsultationAsync(database, institution, "Submitted one", closes, status: "submitted");
        var campaign = await ConsultationTestData.CampaignAsync(database, "End online grooming", lead);
        var due = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(10);
        var milestone = await ConsultationTestData.MilestoneAsync(database, campaign, "Adopt the national action plan", due);
        using var viewer = await app.SignedInClientAsync(database, "viewer");
        var url = await CreateFeedAsync(viewer, "Create");

        using var anonymous = app.CreateClient();
        using var response = await anonymous.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/calendar", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
        Assert.Contains("no-store", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        Assert.Contains("private", response.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        var calendar = Ical.Net.Calendar.Load(text)!;
        var deadline = Assert.Single(calendar.Events, e => e.Uid == $"consultation-{consultation}@child10-advocacy");
        Assert.Equal(closes.UtcDateTime, deadline.Start!.AsUtc);
        Assert.True(deadline.Start.IsUtc);
        Assert.Contains("Child sexual abuse regulation", deadline.Summary, StringComparison.Ordinal);
        Assert.Contains("18:00 Brussels", deadline.Description, StringComparison.Ordinal);
        var day = Assert.Single(calendar.Events, e => e.Uid == $"milestone-{milestone}@child10-advocacy");
        Assert.False(day.Start!.HasTime);
        Assert.Equal(due, DateOnly.FromDateTime(day.Start.Value));
        Assert.DoesNotContain(calendar.Events, e => e.Summary?.Contains("Submitted one", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Feed_AfterRenewOrRevoke_OldAddressAnswers404()
    {
        using var viewer = await app.SignedInClientAsync(database, "viewer");
        using var anonymous = app.CreateClient();
        var first = await CreateFeedAsync(viewer, "Create");
        var second = await CreateFeedAsync(viewer, "Renew");

        using var oldAnswer = await anonymous.GetAsync(first);
        using var newAnswer = await anonymous.GetAsync(second);
        Assert.Equal(HttpStatusCode.NotFound, oldAnswer.StatusCode);
        Assert.Equal("", await oldAnswer.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, newAnswer.StatusCode);

        var page = await viewer.GetStringAsync("/calendar");
        using var revoke = await viewer.PostAsync("/calendar?handler=Revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page),
        }));
        Assert.Equal(HttpStatusCode.Redirect, revoke.StatusCode);
        using var revokedAnswer = await anonymous.GetAsync(second);
        Assert.Equal(HttpStatusCode.NotFound, revokedAnswer.StatusCode);

        Assert.Equal(
            ["calendar_feed.create", "calendar_feed.renew", "calendar_feed.revoke"],
            (await QueryAsync<string>("select action from audit_event where entity = 'calendar_feed_token' and actor_id is not null order by id")).ToArray());
        Assert.Equal(0, await ConsultationTestData.CountAsync(database, "select count(*) from calendar_feed_token where revoked_at is null"));
    }

    [Fact]
    public async Task Feed_UnknownToken_Answers404WithNoDetail()
    {
        using var anonymous = app.CreateClient();

        using var response = await anonymous.GetAsync("/calendar/feed/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Token_IsStoredOnlyAsItsSha256_AndShownOnlyOnce()
    {
        using var viewer = await app.SignedInClientAsync(database, "viewer");
        var url = await CreateFeedAsync(viewer, "Create");
        var token = FeedToken().Match(url).Groups[1].Value;

        var hash = (await QueryAsync<byte[]>("select token_hash from calendar_feed_token")).Single();
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)), hash);
        Assert.True(Convert.FromBase64String(token.Replace('-', '+').Replace('_', '/') + "=").Length >= 16);
        Assert.DoesNotContain(token, await viewer.GetStringAsync("/calendar"), StringComparison.Ordinal);
    }

    private static async Task<string> CreateFeedAsync(HttpClient client, string handler)
    {
        var page = await client.GetStringAsync("/calendar");
        using var response = await client.PostAsync($"/calendar?handler={handler}", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page),
        }));
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var match = FeedToken().Match(html);
        Assert.True(match.Success, "The answer shows no feed address.");
        return "/calendar/feed/" + match.Groups[1].Value + ".ics";
    }

    private async Task<IEnumerable<T>> QueryAsync<T>(string sql)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return (await db.QueryAsync<T>(sql)).ToList();
    }

    [GeneratedRegex(@"/calendar/feed/([A-Za-z0-9_-]+)\.ics")]
    private static partial Regex FeedToken();
}
