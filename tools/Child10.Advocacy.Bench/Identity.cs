using System.Net;
using Child10.Advocacy.Tests.Infrastructure;

namespace Child10.Advocacy.Bench;

/// <summary>The OpenID Connect provider the app signs staff in with during a run; it signs in one admin, no login form.</summary>
internal static class IdentityProviderHost
{
    public static async Task RunAsync(Options options, CancellationToken ct)
    {
        await using var provider = await TestIdentityProvider.StartAsync(options.Required("client-id"), options.Required("client-secret"), ct);
        provider.CurrentUser = new TestUser("bench-admin", "Amara Okafor", "amara.okafor@child10.example", "admin");
        foreach (var redirect in options.Required("redirect").Split(',', StringSplitOptions.RemoveEmptyEntries))
        {
            await provider.RegisterRedirectUriAsync(new Uri(redirect));
        }
        var file = options.Required("authority-file");
        await File.WriteAllTextAsync(file + ".tmp", provider.Authority.ToString(), ct);
        File.Move(file + ".tmp", file, overwrite: true);
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>The real sign-in flow (app → provider → /signin-oidc → app) with HttpClient; returns the Cookie header of the session.</summary>
internal static class SignIn
{
    public static async Task<string> CookieHeaderAsync(Uri app, CancellationToken ct)
    {
        var cookies = new CookieContainer();
        using var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = true, MaxAutomaticRedirections = 10 };
        using var client = new HttpClient(handler) { BaseAddress = app, Timeout = TimeSpan.FromSeconds(60) };
        using var response = await client.GetAsync(new Uri("/account/sign-in", UriKind.Relative), ct);
        if (!response.IsSuccessStatusCode || response.RequestMessage?.RequestUri?.AbsolutePath != "/")
        {
            throw new BenchException($"sign-in ended at {response.RequestMessage?.RequestUri} with {(int)response.StatusCode}");
        }
        var session = cookies.GetCookies(app).Where(c => c.Name.StartsWith("child10.session", StringComparison.Ordinal)).ToList();
        if (session.Count == 0)
        {
            throw new BenchException("sign-in set no session cookie");
        }
        return string.Join("; ", session.Select(c => $"{c.Name}={c.Value}"));
    }

    /// <summary>A client carrying the session cookie (for the import, which also needs antiforgery cookies it collects itself).</summary>
    public static HttpClient Client(Uri app, string cookieHeader, CookieContainer cookies)
    {
        foreach (var part in cookieHeader.Split("; ", StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            cookies.Add(app, new Cookie(part[..eq], part[(eq + 1)..]));
        }
#pragma warning disable CA2000 // the client owns and disposes its handler
        var handler = new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false };
#pragma warning restore CA2000
        return new HttpClient(handler, disposeHandler: true) { BaseAddress = app, Timeout = TimeSpan.FromMinutes(10) };
    }
}
