using Child10.Advocacy.Web.Infrastructure.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Child10.Advocacy.Web.Pages.Account;

[AllowAnonymous]
public sealed class SignInModel(SignInMode mode, StaffSignIn staffSignIn) : PageModel
{
    public IReadOnlyList<StaffUserRow> DemoUsers { get; private set; } = [];

    [BindProperty(SupportsGet = true)]
    public string? ReturnUrl { get; set; }

    [BindProperty]
    public long StaffId { get; set; }

    public string? Error { get; private set; }

    public async Task<IActionResult> OnGetAsync(CancellationToken ct)
    {
        if (User.Identity?.IsAuthenticated == true)
        {
            return LocalRedirect(SafeReturnUrl());
        }
        if (mode.UsesOidc)
        {
            // Nothing is recorded here: the provider's answer comes back to /signin-oidc.
            return Challenge(new AuthenticationProperties { RedirectUri = SafeReturnUrl() }, OpenIdConnectDefaults.AuthenticationScheme);
        }
        DemoUsers = await staffSignIn.DemoUsersAsync(ct);
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (mode.UsesOidc)
        {
            return BadRequest();
        }
        var principal = await staffSignIn.SignInDemoAsync(StaffId, ct);
        if (principal is null)
        {
            Error = "That demo user does not exist or is deactivated. Pick another.";
            DemoUsers = await staffSignIn.DemoUsersAsync(ct);
            return Page();
        }
        await HttpContext.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        return LocalRedirect(SafeReturnUrl());
    }

    private string SafeReturnUrl() => ReturnUrl is { Length: > 0 } url && Url.IsLocalUrl(url) ? url : "/";
}
