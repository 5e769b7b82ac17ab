using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Mvc.Filters;

namespace Child10.Advocacy.Web.Infrastructure.Hosting;

/// <summary>
/// PostgreSQL text cannot hold U+0000, so a search or form value carrying one made the query fail (and the
/// error page blamed the database). No person types it: a request with one in its query, form or route values
/// is answered 400 before any handler runs.
/// </summary>
public static class NulCharacters
{
    public static void RefuseNulCharacters(this PageConventionCollection conventions) =>
        conventions.ConfigureFilter(new RefuseFilter());

    public static bool Carries(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        static bool Has(string? value) => value is not null && value.Contains('\0', StringComparison.Ordinal);
        return request.Query.Any(p => Has(p.Key) || p.Value.Any(Has))
            || request.RouteValues.Values.Any(v => Has(v as string))
            || request.HasFormContentType && request.Form.Any(p => Has(p.Key) || p.Value.Any(Has));
    }

    private sealed class RefuseFilter : IAsyncPageFilter
    {
        public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

        public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
        {
            if (Carries(context.HttpContext.Request))
            {
                context.Result = new BadRequestResult();
                return;
            }
            await next();
        }
    }
}
