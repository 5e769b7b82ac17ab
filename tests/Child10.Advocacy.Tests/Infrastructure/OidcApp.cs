namespace Child10.Advocacy.Tests.Infrastructure;

/// <summary>The app configured as in production: staff sign in through a real OpenID Connect provider on loopback.</summary>
public sealed class OidcApp : IAsyncDisposable
{
    private const string ClientId = "child10-advocacy";
    private const string ClientSecret = "test-client-secret-4f1c2b";

    private OidcApp(TestIdentityProvider provider, TestApp app)
    {
        Provider = provider;
        App = app;
    }

    public TestIdentityProvider Provider { get; }

    public TestApp App { get; }

    public static async Task<OidcApp> StartAsync(TestDatabase database, IDictionary<string, string?>? extra = null)
    {
        var provider = await TestIdentityProvider.StartAsync(ClientId, ClientSecret);
        var settings = new Dictionary<string, string?>
        {
            ["Oidc:Authority"] = provider.Authority.ToString(),
            ["Oidc:ClientId"] = ClientId,
            ["Oidc:ClientSecret"] = ClientSecret,
            ["Oidc:RequireHttpsMetadata"] = "false",
            ["Oidc:Scopes"] = "openid profile email roles",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }
        var app = await TestApp.StartAsync(database, settings, environment: "Production");
        await provider.RegisterRedirectUriAsync(new Uri(app.BaseAddress, "/signin-oidc"));
        return new OidcApp(provider, app);
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Provider.DisposeAsync();
    }
}
