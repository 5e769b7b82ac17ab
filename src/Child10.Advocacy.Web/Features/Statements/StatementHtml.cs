using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;

namespace Child10.Advocacy.Web.Features.Statements;

/// <summary>
/// A statement as one standalone, printable HTML file: its style travels inside it, so the file still reads well
/// once saved or mailed. The page that serves it allows exactly that style block by its hash.
/// </summary>
public static class StatementHtml
{
    private const string Css = """
        @page { size: A4; margin: 22mm 20mm 24mm; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 46rem; padding: 2.5rem 1.5rem 3rem; font: 16px/1.6 "DejaVu Sans", "Segoe UI", Arial, sans-serif; color: #1f2937; background: #fff; }
        header { border-bottom: 2px solid #0f5e6b; padding-bottom: 1rem; margin-bottom: 1.75rem; }
        .network { margin: 0; font-size: .78rem; font-weight: 700; letter-spacing: .08em; text-transform: uppercase; color: #0f5e6b; }
        h1 { font-size: 1.75rem; line-height: 1.25; margin: .4rem 0 .35rem; }
        .meta { margin: 0; color: #5b6573; font-size: .9rem; }
        .draft { display: inline-block; margin: .5rem 0 0; padding: .15rem .5rem; border: 2px solid #b42318; color: #b42318; font-weight: 700; letter-spacing: .06em; }
        h2 { font-size: 1.2rem; margin: 1.6rem 0 .5rem; }
        h3 { font-size: 1.05rem; margin: 1.3rem 0 .4rem; }
        p, li { orphans: 3; widows: 3; }
        ol, ul { padding-left: 1.6rem; }
        li { margin: .25rem 0; }
        blockquote { margin: 1rem 0; padding-left: 1rem; border-left: 3px solid #c8d0d8; color: #374151; }
        table { border-collapse: collapse; margin: 1rem 0; }
        th, td { border: 1px solid #c8d0d8; padding: .3rem .55rem; text-align: left; }
        .signatories { margin-top: 2.25rem; padding-top: 1rem; border-top: 1px solid #c8d0d8; break-inside: avoid-page; }
        .signatories ul { columns: 2; column-gap: 2rem; padding-left: 1.1rem; }
        footer { margin-top: 2.5rem; padding-top: .75rem; border-top: 1px solid #e5e7eb; color: #5b6573; font-size: .75rem; word-break: break-all; }
        @media print { body { padding: 0; max-width: none; font-size: 11pt; } a { color: inherit; text-decoration: none; } }
        """;

    /// <summary>The Content-Security-Policy for the exported file: nothing runs, only its own style block applies.</summary>
    public static readonly string ContentSecurityPolicy =
        $"default-src 'none'; style-src 'sha256-{Convert.ToBase64String(SHA256.HashData(Encoding.UTF8.GetBytes(Css)))}'; img-src data:; " +
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    public static string Render(StatementDocument document)
    {
        var e = HtmlEncoder.Default;
        var place = string.Join(" · ", new[] { document.CountryName, document.RegionName }.Where(p => p is not null));
        var date = document.DocumentDate.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
        var html = new StringBuilder();
        html.Append(CultureInfo.InvariantCulture, $"""
            <!DOCTYPE html>
            <html lang="{e.Encode(document.Language)}">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{e.Encode(document.Title)}</title>
            <style>{Css}</style>
            </head>
            <body>
            <header>
            <p class="network">{e.Encode(StatementDocuments.NetworkName)} · {e.Encode(document.KindLabel)}</p>
            <h1>{e.Encode(document.Title)}</h1>
            <p class="meta">{(place.Length > 0 ? e.Encode(place) + " · " : "")}<time datetime="{document.DocumentDate:yyyy-MM-dd}">{e.Encode(date)}</time></p>

            """);
        if (document.IsDraft)
        {
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"draft\">DRAFT — version {document.VersionNumber}, not the final text</p>\n");
        }
        html.Append("</header>\n<main>\n");
        using (var writer = new StringWriter(html, CultureInfo.InvariantCulture))
        {
            Infrastructure.Markdown.ToHtml(document.Body).WriteTo(writer, e);
        }
        html.Append("\n<section class=\"signatories\" aria-labelledby=\"signatories\">\n<h2 id=\"signatories\">Signatories</h2>\n");
        if (document.Signatories.Count == 0)
        {
            html.Append("<p><em>").Append(document.IsDraft ? "Signatories are listed once the member organisations have signed off this version." : "No signatories recorded.").Append("</em></p>\n");
        }
        else
        {
            html.Append("<ul>\n");
            foreach (var signatory in document.Signatories)
            {
                html.Append("<li>").Append(e.Encode(signatory)).Append("</li>\n");
            }
            html.Append("</ul>\n");
        }
        html.Append(CultureInfo.InvariantCulture, $"""
            </section>
            </main>
            <footer>Version {document.VersionNumber}{(document.IsDraft ? " (draft)" : "")} · SHA-256 {document.ContentHashHex}</footer>
            </body>
            </html>

            """);
        return html.ToString();
    }
}
