using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Mvc.ViewFeatures;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Child10.Advocacy.Tests.Security;

/// <summary>One handler of one page as the running app has it: a page added later is found without editing a list.</summary>
public sealed record PageHandler(
    string Route,
    CompiledPageActionDescriptor Page,
    HandlerMethodDescriptor? Handler,
    string Method,
    IReadOnlyList<object> Metadata)
{
    public bool IsPublic => Metadata.OfType<IAllowAnonymous>().Any();

    public bool IsAdminOnly => Metadata.OfType<IAuthorizeData>().Any(a => a.Policy == Web.Infrastructure.Auth.Policies.AdminOnly);

    public bool IgnoresAntiforgery => Metadata.OfType<IAntiforgeryPolicy>().LastOrDefault() is IgnoreAntiforgeryTokenAttribute;

    /// <summary>A concrete URL: route parameters filled with the given id (or "x" for strings), plus ?handler=Name.</summary>
    public string Url(long id = 1) =>
        PageHandlers.Concrete(Route, id) + (Handler?.Name is { Length: > 0 } name ? "?handler=" + name : "");

    public override string ToString() => $"{Method} {Url()} ({Page.ModelTypeInfo?.Name}.{Handler?.MethodInfo.Name ?? "(none)"})";
}

public static partial class PageHandlers
{
    /// <summary>Every page and handler of the app, one route per page (the shortest of its routes).</summary>
    public static async Task<IReadOnlyList<PageHandler>> AllAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var loader = app.Services.GetRequiredService<PageLoader>();
        var result = new List<PageHandler>();
        var pages = app.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Select(e => (Endpoint: e, Descriptor: e.Metadata.GetMetadata<PageActionDescriptor>()))
            .Where(p => p.Descriptor is not null)
            .GroupBy(p => p.Descriptor!.RelativePath, StringComparer.Ordinal);
        foreach (var group in pages)
        {
            var (endpoint, descriptor) = group.OrderBy(p => p.Endpoint.RoutePattern.RawText!.Length).First();
            var compiled = await loader.LoadAsync(descriptor!, endpoint.Metadata);
            var route = "/" + endpoint.RoutePattern.RawText!.TrimStart('/');
            var metadata = endpoint.Metadata.ToList();
            if (compiled.HandlerMethods.Count == 0)
            {
                result.Add(new PageHandler(route, compiled, null, "GET", metadata));
            }
            foreach (var handler in compiled.HandlerMethods)
            {
                result.Add(new PageHandler(route, compiled, handler, handler.HttpMethod.ToUpperInvariant(), metadata));
            }
        }
        return result;
    }

    public static bool IsWrite(this PageHandler handler) =>
        !HttpMethods.IsGet(handler.Method) && !HttpMethods.IsHead(handler.Method);

    public static string Concrete(string pattern, long id)
    {
        var url = ParameterPattern().Replace(pattern, m =>
            m.Value.StartsWith("{**", StringComparison.Ordinal) || m.Value.EndsWith("?}", StringComparison.Ordinal) ? ""
            : m.Value.Contains("token", StringComparison.OrdinalIgnoreCase) ? "not-a-token"
            : id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        url = "/" + url.Trim('/');
        return url.Replace("//", "/", StringComparison.Ordinal);
    }

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex ParameterPattern();
}
