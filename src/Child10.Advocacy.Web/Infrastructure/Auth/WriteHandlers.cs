using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ApplicationModels;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;

namespace Child10.Advocacy.Web.Infrastructure.Auth;

/// <summary>
/// Marks a page, or one of its handlers, whose writes any signed-in staff member may make, viewers included,
/// because they change only the caller's own things (their calendar feed). The reason is read by reviewers.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = false)]
public sealed class AnyStaffMayWriteAttribute(string reason) : Attribute
{
    public string Reason { get; } = reason;
}

/// <summary>
/// The rule that makes "write handlers require <see cref="Policies.CanEdit"/>" hold by construction: every request
/// to a signed-in page with a method other than GET or HEAD needs a lead or admin, unless the page or handler says
/// <see cref="AnyStaffMayWriteAttribute"/>. Public pages ([AllowAnonymous]) decide for themselves. A page may still
/// ask for more (AdminOnly) in its own attribute or handler.
/// </summary>
public static class WriteHandlers
{
    public static void RequireCanEditForWrites(this PageConventionCollection conventions) =>
        conventions.ConfigureFilter(new CanEditFilter());

    /// <summary>Whether a request with this method to this page and handler needs <see cref="Policies.CanEdit"/>.</summary>
    public static bool RequiresCanEdit(CompiledPageActionDescriptor page, HandlerMethodDescriptor? handler, string method)
    {
        ArgumentNullException.ThrowIfNull(page);
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
        {
            return false;
        }
        if (page.EndpointMetadata.OfType<IAllowAnonymous>().Any())
        {
            return false;
        }
        var optedOut = page.ModelTypeInfo?.IsDefined(typeof(AnyStaffMayWriteAttribute), inherit: false) == true
            || page.HandlerTypeInfo?.IsDefined(typeof(AnyStaffMayWriteAttribute), inherit: false) == true
            || handler?.MethodInfo.IsDefined(typeof(AnyStaffMayWriteAttribute), inherit: false) == true;
        return !optedOut;
    }

    private sealed class CanEditFilter : IAsyncPageFilter
    {
        public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

        public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
        {
            if (RequiresCanEdit(context.ActionDescriptor, context.HandlerMethod, context.HttpContext.Request.Method))
            {
                var authorization = context.HttpContext.RequestServices.GetRequiredService<IAuthorizationService>();
                if (!(await authorization.AuthorizeAsync(context.HttpContext.User, Policies.CanEdit)).Succeeded)
                {
                    context.Result = new ForbidResult();
                    return;
                }
            }
            await next();
        }
    }
}
