using Child10.Advocacy.Web.Features.Demo;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Infrastructure;

/// <summary>A browser test against the demo network: a fresh database with seed-demo, the app on loopback, Chromium.</summary>
public abstract class DemoBrowserTest(TestDatabase database) : IAsyncLifetime
{
    protected TestDatabase Database { get; } = database;

    protected TestApp App { get; private set; } = null!;

    protected IBrowser Browser => chromium.Browser;

    private Chromium chromium = null!;

    public async Task InitializeAsync()
    {
        await Database.ResetAsync();
        await DemoSeed.RunAsync(Database.DataSource, CancellationToken.None);
        App = await TestApp.StartAsync(Database);
        chromium = await Chromium.LaunchAsync();
    }

    public async Task DisposeAsync()
    {
        await chromium.DisposeAsync();
        await App.DisposeAsync();
    }

    protected string Url(string path) => new Uri(App.BaseAddress, path).ToString();

    /// <summary>A browser context signed in (development sign-in) as a staff member of the role, created for the test.</summary>
    protected async Task<IBrowserContext> SignedInContextAsync(string role, int width = 1280, int height = 900)
    {
        var cookies = await App.SignedInCookiesAsync(Database, role);
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        await context.AddCookiesAsync(cookies.GetAllCookies().Select(c => new Cookie { Name = c.Name, Value = c.Value, Url = App.BaseAddress.ToString() }));
        return context;
    }
}
