using System.Net;
using System.Security.Claims;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Child10.Advocacy.Tests.Infrastructure;

/// <summary>The person the provider signs in at its authorize endpoint, with no login form.</summary>
public sealed record TestUser(string Subject, string Name, string Email, params string[] Roles);

/// <summary>
/// A real OpenID Connect provider (OpenIddict server) on Kestrel at a free loopback port, for end-to-end sign-in tests.
/// Authorization code flow with PKCE only; one confidential client; the authorize endpoint signs in <see cref="CurrentUser"/>.
/// </summary>
public sealed class TestIdentityProvider : IAsyncDisposable
{
    /// <summary>The claim type carrying one role per claim, in both the identity token and the access token.</summary>
    public const string RolesClaim = "roles";

    private readonly WebApplication app;
    private readonly string clientId;
    private int authorizeRequests;
    private volatile TestUser currentUser = new("test-user", "Test User", "test.user@child10.example", "admin");
    private volatile bool denyNext;

    private TestIdentityProvider(WebApplication app, string clientId)
    {
        this.app = app;
        this.clientId = clientId;
    }

    /// <summary>The issuer, e.g. <c>http://127.0.0.1:PORT/</c>; discovery lives at <c>.well-known/openid-configuration</c> under it.</summary>
    public Uri Authority { get; private set; } = null!;

    /// <summary>Who the next authorization request signs in.</summary>
    public TestUser CurrentUser
    {
        get => currentUser;
        set => currentUser = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>How many requests reached the authorize endpoint (valid ones that passed OpenIddict's checks).</summary>
    public int AuthorizeRequests => Volatile.Read(ref authorizeRequests);

    /// <summary>When set, the next authorization request is answered with <c>error=access_denied</c>; it then resets.</summary>
    public bool DenyNext
    {
        get => denyNext;
        set => denyNext = value;
    }

    public static async Task<TestIdentityProvider> StartAsync(string clientId, string clientSecret, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentException.ThrowIfNullOrEmpty(clientSecret);

        // The issuer is only known once Kestrel has picked a port; OpenIddict reads its options lazily (first request),
        // so the configure delegate below sees the bound address.
        var issuer = new IssuerHolder();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            EnvironmentName = "Development",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));

        var databaseName = "test-idp-" + Guid.NewGuid().ToString("N");
        builder.Services.AddDbContext<DbContext>(options =>
        {
            options.UseInMemoryDatabase(databaseName);
            options.UseOpenIddict();
        });

        builder.Services.AddOpenIddict()
            .AddCore(options => options.UseEntityFrameworkCore().UseDbContext<DbContext>())
            .AddServer(options =>
            {
                options.SetAuthorizationEndpointUris("connect/authorize")
                    .SetTokenEndpointUris("connect/token")
                    .SetUserInfoEndpointUris("connect/userinfo");
                options.AllowAuthorizationCodeFlow()
                    .RequireProofKeyForCodeExchange();
                options.RegisterScopes(Scopes.OpenId, Scopes.Profile, Scopes.Email, Scopes.Roles);
                options.RegisterClaims(Claims.Subject, Claims.Name, Claims.Email, RolesClaim);
                options.AddEphemeralEncryptionKey()
                    .AddEphemeralSigningKey()
                    .DisableAccessTokenEncryption();
                options.UseAspNetCore()
                    .DisableTransportSecurityRequirement()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough();
                options.Configure(server => server.Issuer = issuer.Value);
            });

        var app = builder.Build();
        var provider = new TestIdentityProvider(app, clientId);
        try
        {
            app.UseRouting();
            app.UseAuthentication();
            app.MapMethods("/connect/authorize", [HttpMethods.Get, HttpMethods.Post], (Delegate)provider.Authorize);
            app.MapMethods("/connect/userinfo", [HttpMethods.Get, HttpMethods.Post], (Delegate)UserInfoAsync);

            await using (var scope = app.Services.CreateAsyncScope())
            {
                var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
                await applications.CreateAsync(new OpenIddictApplicationDescriptor
                {
                    ClientId = clientId,
                    ClientSecret = clientSecret,
                    ClientType = ClientTypes.Confidential,
                    DisplayName = "Child10 Advocacy (tests)",
                    Permissions =
                    {
                        Permissions.Endpoints.Authorization,
                        Permissions.Endpoints.Token,
                        Permissions.GrantTypes.AuthorizationCode,
                        Permissions.ResponseTypes.Code,
                        Permissions.Scopes.Profile,
                        Permissions.Scopes.Email,
                        Permissions.Scopes.Roles,
                    },
                    Requirements =
                    {
                        Requirements.Features.ProofKeyForCodeExchange,
                    },
                }, ct);
            }

            await app.StartAsync(ct);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("The test identity provider did not report a bound address.");
            var authority = new Uri(address.TrimEnd('/') + "/");
            issuer.Value = authority;
            provider.Authority = authority;
            return provider;
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
    }

    /// <summary>Adds a redirect URI (typically <c>&lt;appBaseUrl&gt;/signin-oidc</c>) to the registered client.</summary>
    public async Task RegisterRedirectUriAsync(Uri redirectUri)
    {
        ArgumentNullException.ThrowIfNull(redirectUri);
        await using var scope = app.Services.CreateAsyncScope();
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var application = await applications.FindByClientIdAsync(clientId)
            ?? throw new InvalidOperationException($"Client {clientId} is not registered.");
        var descriptor = new OpenIddictApplicationDescriptor();
        await applications.PopulateAsync(descriptor, application);
        if (descriptor.RedirectUris.Add(redirectUri))
        {
            await applications.UpdateAsync(application, descriptor);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    // Passthrough: OpenIddict has already validated the client, redirect URI, scopes and PKCE parameters.
    private IResult Authorize(HttpContext context)
    {
        Interlocked.Increment(ref authorizeRequests);
        var request = context.GetOpenIddictServerRequest()
            ?? throw new InvalidOperationException("The OpenID Connect request cannot be retrieved.");

        if (denyNext)
        {
            denyNext = false;
            return Results.Forbid(
                new AuthenticationProperties(new Dictionary<string, string?>
                {
                    [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.AccessDenied,
                    [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The test identity provider was told to deny this request.",
                }),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        var user = currentUser;
        var identity = new ClaimsIdentity(
            authenticationType: TokenValidationParameters.DefaultAuthenticationType,
            nameType: Claims.Name,
            roleType: RolesClaim);
        identity.AddClaim(Claims.Subject, user.Subject)
            .AddClaim(Claims.Name, user.Name)
            .AddClaim(Claims.Email, user.Email);
        foreach (var role in user.Roles)
        {
            identity.AddClaim(RolesClaim, role);
        }

        // Every claim goes to both tokens whatever the requested scopes, so the client needs no extra scope for roles.
        identity.SetScopes(request.GetScopes());
        identity.SetDestinations(static _ => [Destinations.AccessToken, Destinations.IdentityToken]);

        return Results.SignIn(new ClaimsPrincipal(identity), authenticationScheme: OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    private static async Task<IResult> UserInfoAsync(HttpContext context)
    {
        var result = await context.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        if (result.Principal is not { } principal)
        {
            return Results.Challenge(
                new AuthenticationProperties(new Dictionary<string, string?>
                {
                    [OpenIddictServerAspNetCoreConstants.Properties.Error] = Errors.InvalidToken,
                    [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = "The access token is missing or invalid.",
                }),
                [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);
        }

        return Results.Ok(new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            [Claims.Subject] = principal.GetClaim(Claims.Subject),
            [Claims.Name] = principal.GetClaim(Claims.Name),
            [Claims.Email] = principal.GetClaim(Claims.Email),
            [RolesClaim] = principal.GetClaims(RolesClaim).ToArray(),
        });
    }

    private sealed class IssuerHolder
    {
        public Uri? Value { get; set; }
    }
}
