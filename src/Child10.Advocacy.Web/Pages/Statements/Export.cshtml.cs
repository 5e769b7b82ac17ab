using System.Globalization;
using Child10.Advocacy.Web.Features.Statements;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Statements;

/// <summary>The statement as a standalone HTML file (?version=N for a given version; by default the final text, else the latest marked DRAFT).</summary>
public sealed class ExportHtmlModel(NpgsqlDataSource dataSource, StatementDocuments documents) : PageModel
{
    public async Task<IActionResult> OnGetAsync(long id, int? version, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var document = await documents.LoadAsync(db, id, version, ct);
        if (document is null)
        {
            return NotFound();
        }
        Response.Headers.ContentSecurityPolicy = StatementHtml.ContentSecurityPolicy;
        if (Request.Query.ContainsKey("download"))
        {
            Response.Headers.ContentDisposition = $"attachment; filename=\"{ExportName.For(document)}.html\"";
        }
        return Content(StatementHtml.Render(document), "text/html; charset=utf-8");
    }
}

/// <summary>The statement as a PDF to send to a ministry, with its signatory list.</summary>
public sealed class ExportPdfModel(NpgsqlDataSource dataSource, StatementDocuments documents) : PageModel
{
    public async Task<IActionResult> OnGetAsync(long id, int? version, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var document = await documents.LoadAsync(db, id, version, ct);
        if (document is null)
        {
            return NotFound();
        }
        Response.Headers.ContentDisposition = $"inline; filename=\"{ExportName.For(document)}.pdf\"";
        return File(documents.RenderPdf(document), "application/pdf");
    }
}

internal static class ExportName
{
    /// <summary>An ASCII file name: the statement, its version and DRAFT when it is not final.</summary>
    public static string For(StatementDocument document)
    {
        var slug = new string(document.Title.Normalize(System.Text.NormalizationForm.FormD)
            .Where(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-')
            .ToArray()).Trim().Replace(' ', '-');
        slug = slug.Length > 60 ? slug[..60] : slug;
        return $"{(slug.Length == 0 ? "statement" : slug)}-v{document.VersionNumber.ToString(CultureInfo.InvariantCulture)}{(document.IsDraft ? "-DRAFT" : "")}";
    }
}
