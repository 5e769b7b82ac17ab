using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Hangfire;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Child10.Advocacy.Tests.Foundation;

[Collection(DatabaseGroup.Name)]
public sealed class HostingTests(TestDatabase database)
{
    [Fact]
    public async Task WorkerRole_RunsTheJobServer_AndServesNoPages()
    {
        await using var app = await TestApp.StartAsync(database, new Dictionary<string, string?> { ["Hosting:Role"] = "worker" });
        using var client = app.CreateClient();

        using var live = await client.GetAsync("/health/live");
        using var home = await client.GetAsync("/account/sign-in");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.NotEqual(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains(app.App.Services.GetServices<IHostedService>(), s => s.GetType().Name.Contains("BackgroundJobServer", StringComparison.Ordinal));
        // The server announces itself to the shared storage shortly after start.
        var monitoring = app.App.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        var announced = false;
        for (var attempt = 0; attempt < 100 && !announced; attempt++)
        {
            announced = monitoring.Servers().Any(s => s.Name.Contains($":{Environment.ProcessId}", StringComparison.Ordinal));
            if (!announced)
            {
                await Task.Delay(100);
            }
        }
        Assert.True(announced, "The worker's Hangfire server never registered in PostgreSQL.");
    }

    [Fact]
    public async Task WebRole_ServesPages_AndRunsNoJobServer()
    {
        await using var app = await TestApp.StartAsync(database, new Dictionary<string, string?> { ["Hosting:Role"] = "web" });
        using var client = app.CreateClient();

        using var signIn = await client.GetAsync("/account/sign-in");

        Assert.Equal(HttpStatusCode.OK, signIn.StatusCode);
        Assert.DoesNotContain(app.App.Services.GetServices<IHostedService>(), s => s.GetType().Name.Contains("BackgroundJobServer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BehindAProxy_ForwardedSchemeAndHost_AreHonouredOnlyFromKnownProxies()
    {
        await using var app = await TestApp.StartAsync(database, new Dictionary<string, string?>
        {
            ["ForwardedHeaders:Enabled"] = "true",
            ["ForwardedHeaders:KnownProxies"] = "127.0.0.1",
        });
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "advocacy.child10.example");

        using var response = await client.SendAsync(request);

        Assert.Equal("https://advocacy.child10.example/account/sign-in?ReturnUrl=%2F", response.Headers.Location!.ToString());
    }

    [Fact]
    public async Task BehindAProxy_FromAnUnknownAddress_ForwardedHeadersAreIgnored()
    {
        await using var app = await TestApp.StartAsync(database, new Dictionary<string, string?>
        {
            ["ForwardedHeaders:Enabled"] = "true",
            ["ForwardedHeaders:KnownProxies"] = "10.1.2.3",
        });
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-Host", "evil.example");

        using var response = await client.SendAsync(request);

        Assert.StartsWith(app.BaseAddress.ToString(), response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }
}
