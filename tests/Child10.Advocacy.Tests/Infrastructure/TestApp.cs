using System.Net;
using System.Text.RegularExpressions;
using Child10.Advocacy.Web;
using Dapper;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Child10.Advocacy.Tests.Infrastructure;

/// <summary>The real app on Kestrel at a free loopback port, composed exactly as Program composes it.</summary>
public sealed partial class TestApp : IAsyncDisposable
{
    private TestApp(WebApplication app, Uri baseAddress, CapturedErrors errors)
    {
        App = app;
        BaseAddress = baseAddress;
        Errors = errors;
    }

    /// <summary>What the app logged as errors; failing helpers quote the last one.</summary>
    public CapturedErrors Errors { get; }

    public WebApplication App { get; }

    public Uri BaseAddress { get; }

    static TestApp()
    {
        // Each app instance watches its web root (asp-append-version) and is never unwatched; a test run
        // starts hundreds, which would exhaust the kernel's inotify instances. Polling watchers use none.
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "true");
    }

    public static Task<TestApp> StartAsync(TestDatabase database, IDictionary<string, string?>? settings = null, string environment = "Development") =>
        StartAsync(database.ConnectionString, settings, environment);

    public static async Task<TestApp> StartAsync(string connectionString, IDictionary<string, string?>? settings = null, string environment = "Development")
    {
        var config = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["Hosting:Role"] = "web",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }
        var errors = new CapturedErrors();
        var app = Program.Build(
            ["--urls", "http://127.0.0.1:0", "--environment", environment, "--contentRoot", Repository.WebProject,
             // Hundreds of app instances start in one test run; file watchers would exhaust inotify.
             "--hostBuilder:reloadConfigOnChange", "false"],
            builder =>
            {
                builder.Configuration.AddInMemoryCollection(config);
                builder.Logging.AddProvider(errors);
            });
        await Program.PrepareAsync(app, CancellationToken.None);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new TestApp(app, new Uri(address), errors);
    }

    /// <summary>A browser-like client: keeps cookies, does not follow redirects unless asked.</summary>
    public HttpClient CreateClient(CookieContainer? cookies = null, bool followRedirects = false) =>
        new(new HttpClientHandler { CookieContainer = cookies ?? new CookieContainer(), AllowAutoRedirect = followRedirects, UseCookies = true })
        {
            BaseAddress = BaseAddress,
        };

    /// <summary>Signs in through the development sign-in page as a staff member created for the test.</summary>
    public async Task<HttpClient> SignedInClientAsync(TestDatabase database, string role) =>
        CreateClient(await SignedInCookiesAsync(database, role));

    /// <summary>The cookies of a session signed in through the development sign-in page as a staff member created for the test.</summary>
    public async Task<CookieContainer> SignedInCookiesAsync(TestDatabase database, string role)
    {
        var staffId = await CreateStaffAsync(database, role);
        var cookies = new CookieContainer();
        using var client = CreateClient(cookies);
        using var signInPage = await client.GetAsync("/account/sign-in");
        if (!signInPage.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"The sign-in page answered {(int)signInPage.StatusCode}: {Errors.Last}");
        }
        var page = await signInPage.Content.ReadAsStringAsync();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = AntiforgeryToken(page),
            ["StaffId"] = staffId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var response = await client.PostAsync("/account/sign-in", form);
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"Demo sign-in as {role} answered {(int)response.StatusCode}");
        }
        return cookies;
    }

    public static async Task<long> CreateStaffAsync(TestDatabase database, string role)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var subject = $"test-{role}-{Guid.NewGuid():N}";
        return await db.ExecuteScalarAsync<long>(
            """
            insert into staff_user (issuer, subject, email, display_name, role)
            values ('local-dev', @subject, @email, @name, @role)
            returning id
            """,
            new { subject, email = subject + "@child10.example", name = $"Test {role}", role });
    }

    public static string AntiforgeryToken(string html)
    {
        var match = AntiforgeryPattern().Match(html);
        return match.Success ? match.Groups[1].Value : throw new InvalidOperationException("No antiforgery token on the page.");
    }

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryPattern();
}
