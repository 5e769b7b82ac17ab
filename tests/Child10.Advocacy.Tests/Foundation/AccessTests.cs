using System.Net;
using System.Text.RegularExpressions;
using Child10.Advocacy.Tests.Infrastructure;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Child10.Advocacy.Tests.Foundation;

[Collection(DatabaseGroup.Name)]
public sealed partial class AccessTests(TestDatabase database) : IAsyncLifetime
{
    // The public list from DESIGN.md. Anything else that allows anonymous access fails the first test.
    private static readonly HashSet<string> PublicEndpoints =
    [
        "/health/live",
        "/health/ready",
        "/account/sign-in",
        "/account/sign-in-failed",
        "/account/sign-out",
        "/error/{code:int?}",
        "/unsubscribe/{token}",
        "/sign/{token}",
        "/calendar/feed/{token}.ics",
    ];

    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public void OnlyThePublicListAllowsAnonymousAccess()
    {
        var anonymous = Endpoints()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .ToHashSet();

        Assert.Subset(PublicEndpoints, anonymous);
    }

    [Fact]
    public async Task EveryOtherEndpoint_RefusesAnonymousRequests()
    {
        using var client = app.CreateClient();
        var protectedEndpoints = Endpoints().Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is null).ToList();
        Assert.NotEmpty(protectedEndpoints);

        foreach (var endpoint in protectedEndpoints)
        {
            var url = ConcreteUrl(endpoint.RoutePattern.RawText!);
            var isPage = endpoint.Metadata.GetMetadata<PageActionDescriptor>() is not null;
            foreach (var method in endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"])
            {
                using var request = new HttpRequestMessage(new HttpMethod(method), url);
                using var response = await client.SendAsync(request);

                if (isPage)
                {
                    Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{method} {url} answered {(int)response.StatusCode}, not a redirect to sign-in");
                    Assert.StartsWith("/account/sign-in", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
                }
                else
                {
                    Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{method} {url} answered {(int)response.StatusCode}, not 401");
                }
            }
        }
    }

    [Fact]
    public async Task Home_Anonymous_RedirectsToSignInWithReturnUrl()
    {
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/?tab=x");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/account/sign-in?ReturnUrl=%2F%3Ftab%3Dx", response.Headers.Location!.PathAndQuery);
    }

    [Theory]
    [InlineData("viewer", HttpStatusCode.Forbidden)]
    [InlineData("lead", HttpStatusCode.Forbidden)]
    [InlineData("admin", HttpStatusCode.OK)]
    public async Task JobsDashboard_IsForAdminsOnly(string role, HttpStatusCode expected)
    {
        using var client = await app.SignedInClientAsync(database, role);

        using var response = await client.GetAsync("/jobs");

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task JobsDashboard_AnonymousBrowser_IsSentToSignIn()
    {
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/jobs");
        request.Headers.Accept.ParseAdd("text/html");

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("/account/sign-in", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    private List<RouteEndpoint> Endpoints() =>
        app.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

    private static string ConcreteUrl(string pattern)
    {
        var url = ParameterPattern().Replace(pattern, m =>
            m.Value.StartsWith("{**", StringComparison.Ordinal) || m.Value.EndsWith("?}", StringComparison.Ordinal) ? "" : "1");
        url = "/" + url.Trim('/');
        return url.Replace("//", "/", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex ParameterPattern();
}
