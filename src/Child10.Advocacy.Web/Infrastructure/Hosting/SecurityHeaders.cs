namespace Child10.Advocacy.Web.Infrastructure.Hosting;

/// <summary>Headers every response carries; pages get a strict content security policy.</summary>
public sealed class SecurityHeaders(RequestDelegate next, IConfiguration config)
{
    private readonly string contentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; object-src 'none'; " +
        "base-uri 'self'; frame-ancestors 'none'; form-action 'self'" +
        (ConfigurationReader.AbsoluteUri(config, "Oidc:Authority") is { } authority ? " " + authority.GetLeftPart(UriPartial.Authority) : "");

    public Task InvokeAsync(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "same-origin";
        // The jobs dashboard is a third-party UI with inline scripts; it keeps its own defaults.
        if (!context.Request.Path.StartsWithSegments(Jobs.DashboardPath))
        {
            headers.ContentSecurityPolicy = contentSecurityPolicy;
        }
        return next(context);
    }
}
