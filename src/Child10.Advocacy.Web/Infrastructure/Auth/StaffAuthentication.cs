using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace Child10.Advocacy.Web.Infrastructure.Auth;

/// <summary>How staff sign in on this instance: OpenID Connect, or (Development only) a picked demo user.</summary>
public sealed record SignInMode(bool UsesOidc);

public static class StaffAuthentication
{
    public const string SignInPath = "/account/sign-in";

    public static void AddStaffAuthentication(this WebApplicationBuilder builder)
    {
        var config = builder.Configuration;
        var authority = ConfigurationReader.AbsoluteUri(config, "Oidc:Authority");
        if (authority is null && !builder.Environment.IsDevelopment())
        {
            throw new ConfigurationException("Oidc:Authority", "is required outside Development: staff sign in with OpenID Connect");
        }

        builder.Services.AddSingleton(new SignInMode(authority is not null));
        builder.Services.AddScoped<StaffSignIn>();
        builder.Services.AddSingleton<StaffSessionCheck>();

        var authentication = builder.Services
            .AddAuthentication(options =>
            {
                options.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                options.DefaultChallengeScheme = CookieAuthenticationDefaults.AuthenticationScheme;
            })
            .AddCookie(options =>
            {
                options.Cookie.Name = "child10.session";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.LoginPath = SignInPath;
                options.LogoutPath = "/account/sign-out";
                options.AccessDeniedPath = "/account/access-denied";
                options.ExpireTimeSpan = TimeSpan.FromHours(ConfigurationReader.Number(config, "Auth:SessionHours", 10, 1, 24 * 14));
                options.SlidingExpiration = true;
                options.Events.OnValidatePrincipal = context =>
                    context.HttpContext.RequestServices.GetRequiredService<StaffSessionCheck>().ValidateAsync(context);
                options.Events.OnRedirectToLogin = context => RedirectOrStatus(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => RedirectOrStatus(context, StatusCodes.Status403Forbidden);
            });

        if (authority is not null)
        {
            var clientId = ConfigurationReader.Required(config, "Oidc:ClientId");
            var requireHttps = ConfigurationReader.Flag(config, "Oidc:RequireHttpsMetadata", fallback: true);
            authentication.AddOpenIdConnect(OpenIdConnectDefaults.AuthenticationScheme, options =>
            {
                options.Authority = authority.ToString();
                options.ClientId = clientId;
                options.ClientSecret = config["Oidc:ClientSecret"] is { Length: > 0 } secret ? secret : null;
                options.RequireHttpsMetadata = requireHttps;
                options.ResponseType = OpenIdConnectResponseType.Code;
                options.ResponseMode = OpenIdConnectResponseMode.Query;
                options.UsePkce = true;
                options.SaveTokens = false;
                options.MapInboundClaims = false;
                options.GetClaimsFromUserInfoEndpoint = ConfigurationReader.Flag(config, "Oidc:UseUserInfo", fallback: false);
                options.CallbackPath = "/signin-oidc";
                options.Scope.Clear();
                var scopes = config["Oidc:Scopes"] is { Length: > 0 } s ? s : "openid profile email";
                foreach (var scope in scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    options.Scope.Add(scope);
                }
                // The callback is a top-level GET (query response mode), so Lax cookies survive it;
                // SameAsRequest lets the flow work on plain http in development and tests.
                options.CorrelationCookie.SameSite = SameSiteMode.Lax;
                options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.NonceCookie.SameSite = SameSiteMode.Lax;
                options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.Events.OnTokenValidated = async context =>
                {
                    var signIn = context.HttpContext.RequestServices.GetRequiredService<StaffSignIn>();
                    var principal = await signIn.SignInFromOidcAsync(context.Principal!, context.HttpContext.RequestAborted);
                    if (principal is null)
                    {
                        context.Fail("This account may not sign in to Child10 Advocacy.");
                        return;
                    }
                    context.Principal = principal;
                };
                options.Events.OnRemoteFailure = context =>
                {
                    context.Response.Redirect("/account/sign-in-failed");
                    context.HandleResponse();
                    return Task.CompletedTask;
                };
            });
        }

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(StaffClaims.StaffId).Build())
            .AddPolicy(Policies.AdminOnly, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin))
            .AddPolicy(Policies.CanEdit, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin, Roles.Lead));
    }

    // People get the sign-in page; scripts and background requests get a plain status code.
    private static Task RedirectOrStatus(RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var request = context.Request;
        var isPage = context.HttpContext.GetEndpoint()?.Metadata.GetMetadata<PageActionDescriptor>() is not null
            || request.Headers.Accept.Any(a => a is not null && a.Contains("text/html", StringComparison.OrdinalIgnoreCase));
        if (isPage)
        {
            context.Response.Redirect(context.RedirectUri);
        }
        else
        {
            context.Response.StatusCode = status;
        }
        return Task.CompletedTask;
    }
}
