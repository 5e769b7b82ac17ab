using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Child10.Advocacy.Web.Pages.Account;

[AllowAnonymous]
public sealed class SignOutModel : PageModel
{
    public bool SignedOut { get; private set; }

    public void OnGet() => SignedOut = User.Identity?.IsAuthenticated != true;

    public async Task<IActionResult> OnPostAsync()
    {
        await HttpContext.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return RedirectToPage();
    }
}
