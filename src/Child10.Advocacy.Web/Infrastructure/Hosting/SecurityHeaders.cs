using Microsoft.AspNetCore.Diagnostics;

namespace Child10.Advocacy.Web.Infrastructure.Hosting;

/// <summary>Headers every response carries; pages get a strict content security policy.</summary>
public sealed class SecurityHeaders(RequestDelegate next, IConfiguration config)
{
    private readonly string contentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; " +
        "base-uri 'self'; frame-ancestors 'none'; form-action 'self'" +
        (ConfigurationReader.AbsoluteUri(config, "Oidc:Authority") is { } authority ? " " + authority.GetLeftPart(UriPartial.Authority) : "");

    private static readonly PathString[] TokenPaths = ["/sign", "/unsubscribe"];

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        // Links sent by email carry their token in the URL: whatever answers them (a page, a refusal, a 429) must not
        // leak the URL through a Referer header or keep it in a cache.
        // An error page re-executed for such a link (a refused POST, say) counts as answering it.
        var path = context.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath is { } original ? new PathString(original) : context.Request.Path;
        if (TokenPaths.Any(p => path.StartsWithSegments(p)))
        {
            headers["Referrer-Policy"] = "no-referrer";
            headers.CacheControl = "no-store";
        }
        else
        {
            headers["Referrer-Policy"] = "same-origin";
        }
        // The jobs dashboard is a third-party UI with inline scripts; it keeps its own defaults.
        if (!context.Request.Path.StartsWithSegments(Jobs.DashboardPath))
        {
            headers.ContentSecurityPolicy = contentSecurityPolicy;
        }
        return next(context);
    }
}
