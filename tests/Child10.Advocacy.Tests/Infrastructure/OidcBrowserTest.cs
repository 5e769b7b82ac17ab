using Child10.Advocacy.Web.Features.Demo;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Infrastructure;

/// <summary>A browser test of the app as in production: the demo network, sign-in through the loopback identity provider, Chromium.</summary>
public abstract class OidcBrowserTest(TestDatabase database) : IAsyncLifetime
{
    protected TestDatabase Database { get; } = database;

    protected OidcApp Oidc { get; private set; } = null!;

    protected IBrowser Browser => chromium.Browser;

    private Chromium chromium = null!;

    public async Task InitializeAsync()
    {
        await Database.ResetAsync();
        await DemoSeed.RunAsync(Database.DataSource, CancellationToken.None);
        Oidc = await OidcApp.StartAsync(Database);
        chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await chromium.DisposeAsync();
        await Oidc.DisposeAsync();
    }
}
