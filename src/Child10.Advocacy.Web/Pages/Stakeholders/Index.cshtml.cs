using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Child10.Advocacy.Web.Pages.Stakeholders;

public sealed class IndexModel : PageModel
{
    public IActionResult OnGet() => LocalRedirect("/stakeholders/people");
}
