using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Stakeholders;
using Dapper;

namespace Child10.Advocacy.Tests.Security;

/// <summary>
/// The pages a link in an email opens without sign-in. Each route is one line of <see cref="Routes"/>: a wrong
/// token gets a neutral page and changes nothing, GET and HEAD never change anything, answers carry
/// Referrer-Policy: no-referrer and no-store, and each client address is rate-limited.
/// Tests that need a valid token take it from <see cref="Seeds"/>.
/// </summary>
[Collection(DatabaseGroup.Name)]
public sealed class PublicTokenTests(TestDatabase database) : IAsyncLifetime
{
    private const int RequestsPerMinute = 8;

    /// <summary>Every public token route ({0} is the token).</summary>
    public static TheoryData<string> Routes => new()
    {
        "/unsubscribe/{0}",
        "/sign/{0}",
    };

    /// <summary>Routes with a way to create a valid, unused token in the database.</summary>
    public static TheoryData<string> Seeds => new()
    {
        "unsubscribe",
    };

    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task WrongToken_AnyMethod_ShowsTheSameNeutralPage_AndChangesNothing(string route)
    {
        using var client = app.CreateClient();
        var before = await DatabaseFingerprint.TakeAsync(database);
        var bodies = new List<string>();

        foreach (var token in new[] { "wrong", UnsubscribeTokens.NewToken(), new string('A', 22), "%27%20or%201%3D1--", new string('x', 5000) })
        {
            var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, route, token);
            foreach (var method in new[] { HttpMethod.Get, HttpMethod.Head, HttpMethod.Post })
            {
                using var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Post ? new FormUrlEncodedContent([]) : null };
                using var response = await client.SendAsync(request);

                Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest,
                    $"{method} {route} with a wrong token answered {(int)response.StatusCode}");
                if (method == HttpMethod.Get)
                {
                    var body = await response.Content.ReadAsStringAsync();
                    Assert.DoesNotContain(token, body, StringComparison.Ordinal);
                    bodies.Add(body.Replace(token, "", StringComparison.Ordinal));
                }
            }
        }

        Assert.Single(bodies.Distinct(StringComparer.Ordinal));
        DatabaseFingerprint.AssertUnchanged(before, await DatabaseFingerprint.TakeAsync(database), $"A wrong token on {route}");
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task Answers_SendNoReferrerAndNoStore(string route)
    {
        using var client = app.CreateClient();
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, route, UnsubscribeTokens.NewToken());

        using var get = await client.GetAsync(path);
        using var post = await client.PostAsync(path, new FormUrlEncodedContent([]));

        foreach (var response in new[] { get, post })
        {
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("no-store", response.Headers.CacheControl?.ToString() ?? "", StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Routes))]
    public async Task TooManyRequestsFromOneAddress_Get429WithRetryAfter(string route)
    {
        await using var limited = await TestApp.StartAsync(database, new Dictionary<string, string?>
        {
            ["PublicLinks:RequestsPerMinute"] = RequestsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = limited.CreateClient();
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, route, "wrong");

        for (var i = 0; i < RequestsPerMinute; i++)
        {
            using var allowed = await client.GetAsync(path);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, allowed.StatusCode);
        }
        using var refused = await client.GetAsync(path);
        using var refusedPost = await client.PostAsync(path, new FormUrlEncodedContent([]));

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refusedPost.StatusCode);
        Assert.Equal("60", refused.Headers.GetValues("Retry-After").Single());
        // Signed-in pages are not limited by the public budget.
        using var health = await client.GetAsync("/health/live");
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task ValidToken_GetAndHead_ChangeNothing(string kind)
    {
        var path = await SeedAsync(kind);
        using var client = app.CreateClient();
        var before = await DatabaseFingerprint.TakeAsync(database);

        for (var i = 0; i < 3; i++)
        {
            using var get = await client.GetAsync(path);
            using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));
            Assert.Equal(HttpStatusCode.OK, get.StatusCode);
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        }

        DatabaseFingerprint.AssertUnchanged(before, await DatabaseFingerprint.TakeAsync(database), $"GET and HEAD of a valid {kind} link");
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task UsedToken_PostedAgain_ChangesNothingMore(string kind)
    {
        var path = await SeedAsync(kind);
        using var client = app.CreateClient();
        using var first = await client.PostAsync(path, new FormUrlEncodedContent([]));
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        var before = await DatabaseFingerprint.TakeAsync(database);

        using var second = await client.PostAsync(path, new FormUrlEncodedContent([]));
        using var get = await client.GetAsync(path);

        Assert.True(second.StatusCode is HttpStatusCode.OK or HttpStatusCode.NotFound or HttpStatusCode.Gone, $"A used link answered {(int)second.StatusCode}");
        DatabaseFingerprint.AssertUnchanged(before, await DatabaseFingerprint.TakeAsync(database), $"A used {kind} link posted again");
    }

    // One case per public token page: creates what a real email would carry and returns the link's path.
    private async Task<string> SeedAsync(string kind)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        switch (kind)
        {
            case "unsubscribe":
                var token = UnsubscribeTokens.NewToken();
                var email = $"reader-{Guid.NewGuid():N}@example.org";
                var personId = await db.ExecuteScalarAsync<long>(
                    "insert into person (full_name, email) values ('Link Reader', @email) returning id", new { email });
                await db.ExecuteAsync(
                    "insert into unsubscribe_token (token_hash, email_hash, person_id) values (@hash, @emailHash, @personId)",
                    new { hash = UnsubscribeTokens.Hash(token), emailHash = Rules.EmailHash(email), personId });
                return "/unsubscribe/" + token;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, "No seed for this public token route.");
        }
    }
}
