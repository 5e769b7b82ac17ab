using System.Diagnostics;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages;

[AllowAnonymous]
[IgnoreAntiforgeryToken]
[ResponseCache(Duration = 0, Location = ResponseCacheLocation.None, NoStore = true)]
public sealed class ErrorModel(ILogger<ErrorModel> logger) : PageModel
{
    public int Status { get; private set; }

    public string Heading { get; private set; } = "";

    public string Explanation { get; private set; } = "";

    public string RequestId { get; private set; } = "";

    public IActionResult OnGet(int? code) => Show(code);

    public IActionResult OnPost(int? code) => Show(code);

    private PageResult Show(int? code)
    {
        RequestId = Activity.Current?.Id ?? HttpContext.TraceIdentifier;
        var error = HttpContext.Features.Get<IExceptionHandlerPathFeature>()?.Error;
        if (error is not null && IsDatabaseUnavailable(error))
        {
            logger.LogError(error, "Database unavailable while serving {Path}", HttpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path);
            Status = StatusCodes.Status503ServiceUnavailable;
            Heading = "The database is not reachable right now";
            Explanation = "Nothing you did caused this, and nothing was half-saved. Please try again in a minute.";
        }
        else
        {
            Status = code ?? StatusCodes.Status500InternalServerError;
            (Heading, Explanation) = Status switch
            {
                404 => ("Page not found", "The address may be mistyped, or the page has moved."),
                400 => ("The request could not be understood", "Go back, reload the page and try again."),
                403 => ("Not allowed", "Your role does not allow this."),
                _ => ("Something went wrong on our side", "The problem has been logged. Please try again; if it keeps happening, tell an administrator and quote the reference below."),
            };
        }
        Response.StatusCode = Status;
        return Page();
    }

    private static bool IsDatabaseUnavailable(Exception error) =>
        error is NpgsqlException or TimeoutException
        || error.InnerException is not null && IsDatabaseUnavailable(error.InnerException);
}
