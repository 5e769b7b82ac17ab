using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Child10.Advocacy.Web.Infrastructure.Hosting;

/// <summary>
/// The public token pages (sign-off links, unsubscribe) answer anyone who has a link, so each client
/// address gets a budget of requests per minute (PublicLinks:RequestsPerMinute); over it, 429 with Retry-After.
/// Pages opt in with [EnableRateLimiting(PublicRateLimit.Policy)].
/// </summary>
public static class PublicRateLimit
{
    public const string Policy = "public-links";

    public static void AddPublicRateLimit(this WebApplicationBuilder builder)
    {
        var perMinute = ConfigurationReader.Number(builder.Configuration, "PublicLinks:RequestsPerMinute", 30, 1, 100_000);
        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(Policy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = perMinute,
                    Window = TimeSpan.FromMinutes(1),
                    QueueLimit = 0,
                }));
            options.OnRejected = async (context, ct) =>
            {
                context.HttpContext.Response.Headers.RetryAfter = "60";
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await context.HttpContext.Response.WriteAsync(
                    string.Create(CultureInfo.InvariantCulture, $"Too many requests from your address. Please wait a minute and try the link again."), ct);
            };
        });
    }
}
