using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;

namespace Child10.Advocacy.Tests.Security;

/// <summary>Every page answers with the security headers; session and antiforgery cookies are HttpOnly, SameSite and Secure over HTTPS.</summary>
[Collection(DatabaseGroup.Name)]
public sealed class HeaderAndCookieTests(TestDatabase database) : IAsyncLifetime
{
    private static readonly string[] ReferrerPolicies = ["same-origin", "no-referrer"];

    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        // The deployment shape: TLS ends at a reverse proxy on a known address, which forwards the scheme.
        app = await TestApp.StartAsync(database, new Dictionary<string, string?>
        {
            ["ForwardedHeaders:Enabled"] = "true",
            ["ForwardedHeaders:KnownProxies"] = "127.0.0.1",
        });
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task EveryPage_SendsCspNosniffFrameAncestorsAndReferrerPolicy()
    {
        using var client = await app.SignedInClientAsync(database, Roles.Admin);
        var pages = (await PageHandlers.AllAsync(app.App)).Where(h => !h.IsWrite()).Select(h => h.Url()).Append("/no-such-page").Distinct().ToList();
        Assert.True(pages.Count > 20, $"Only {pages.Count} pages found");

        foreach (var url in pages)
        {
            using var response = await client.GetAsync(url);
            // The error page without a code is the 500 page by design.
            Assert.True((int)response.StatusCode < 500 || url == "/error", $"GET {url} answered {(int)response.StatusCode}");

            var csp = Header(response, "Content-Security-Policy");
            Assert.True(csp is not null, $"GET {url} has no Content-Security-Policy");
            var directives = csp!.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
            Assert.Contains("frame-ancestors 'none'", directives);
            Assert.Contains("object-src 'none'", directives);
            var scripts = directives.Single(d => d.StartsWith("script-src ", StringComparison.Ordinal));
            Assert.DoesNotContain("unsafe", scripts, StringComparison.Ordinal);
            Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
            Assert.Contains(Header(response, "Referrer-Policy"), ReferrerPolicies);
        }
    }

    [Fact]
    public async Task OverHttps_SessionAndAntiforgeryCookies_AreSecureHttpOnlyAndSameSite()
    {
        var (antiforgery, session) = await SignInAsync(https: true);

        Assert.Contains("secure", antiforgery);
        Assert.Contains("httponly", antiforgery);
        Assert.True(antiforgery.Contains("samesite=lax") || antiforgery.Contains("samesite=strict"), string.Join("; ", antiforgery));
        Assert.Contains("secure", session);
        Assert.Contains("httponly", session);
        Assert.Contains("samesite=lax", session);
    }

    [Fact]
    public async Task OverPlainHttp_CookiesAreNotMarkedSecure_SoDevelopmentWorks()
    {
        var (antiforgery, session) = await SignInAsync(https: false);

        Assert.DoesNotContain("secure", antiforgery);
        Assert.DoesNotContain("secure", session);
        Assert.Contains("httponly", session);
    }

    [Fact]
    public async Task ForwardedProtoFromAnUnknownAddress_IsIgnored()
    {
        await using var other = await TestApp.StartAsync(database, new Dictionary<string, string?>
        {
            ["ForwardedHeaders:Enabled"] = "true",
            ["ForwardedHeaders:KnownProxies"] = "10.9.8.7",
        });
        await TestApp.CreateStaffAsync(database, Roles.Lead); // the sign-in page shows its form only when there is someone to pick
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = other.BaseAddress };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/sign-in");
        request.Headers.Add("X-Forwarded-Proto", "https");

        using var response = await client.SendAsync(request);

        var cookie = Attributes(response, "child10.antiforgery");
        Assert.DoesNotContain("secure", cookie);
    }

    // Signs in through the development sign-in page, handling cookies by hand (a cookie container would not send
    // Secure cookies over the loopback's plain HTTP), and returns the attributes of the two cookies.
    private async Task<(HashSet<string> Antiforgery, HashSet<string> Session)> SignInAsync(bool https)
    {
        var staffId = await TestApp.CreateStaffAsync(database, Roles.Lead);
        using var client = new HttpClient(new HttpClientHandler { UseCookies = false, AllowAutoRedirect = false }) { BaseAddress = app.BaseAddress };

        using var get = new HttpRequestMessage(HttpMethod.Get, "/account/sign-in");
        Forward(get, https);
        using var page = await client.SendAsync(get);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var antiforgery = Attributes(page, "child10.antiforgery");
        var cookieValue = page.Headers.GetValues("Set-Cookie").First(c => c.StartsWith("child10.antiforgery=", StringComparison.Ordinal)).Split(';')[0];

        using var post = new HttpRequestMessage(HttpMethod.Post, "/account/sign-in")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(await page.Content.ReadAsStringAsync()),
                ["StaffId"] = staffId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            }),
        };
        post.Headers.Add("Cookie", cookieValue);
        Forward(post, https);
        using var signedIn = await client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        return (antiforgery, Attributes(signedIn, "child10.session"));
    }

    private static void Forward(HttpRequestMessage request, bool https)
    {
        if (https)
        {
            request.Headers.Add("X-Forwarded-Proto", "https");
        }
    }

    private static HashSet<string> Attributes(HttpResponseMessage response, string cookie)
    {
        var header = response.Headers.TryGetValues("Set-Cookie", out var values)
            ? values.FirstOrDefault(c => c.StartsWith(cookie + "=", StringComparison.Ordinal) || c.StartsWith(cookie + ".", StringComparison.Ordinal))
            : null;
        Assert.True(header is not null, $"No {cookie} cookie was set: {(int)response.StatusCode} {response.Headers}");
        return header!.Split(';', StringSplitOptions.TrimEntries).Skip(1).Select(a => a.ToLowerInvariant()).ToHashSet();
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(", ", values)
        : response.Content.Headers.TryGetValues(name, out var contentValues) ? string.Join(", ", contentValues)
        : null;
}
