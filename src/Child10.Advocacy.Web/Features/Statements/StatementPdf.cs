using System.Globalization;
using System.Text;
using Markdig;
using Markdig.Extensions.Tables;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using PdfSharp.Drawing;
using PdfSharp.Pdf;

namespace Child10.Advocacy.Web.Features.Statements;

/// <summary>
/// Lays a statement out on A4 with PDFsharp: headings, paragraphs, bullet and numbered lists, quotes, bold and italic,
/// wrapped lines, page breaks, page numbers, and the signatory list at the end.
/// </summary>
internal sealed class StatementPdf : IDisposable
{
    private const double Margin = 64;
    private const double FooterHeight = 36;
    private const double BodySize = 10.5;

    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder().DisableHtml().UsePipeTables().UseEmphasisExtras().Build();
    private static readonly XColor Ink = XColor.FromArgb(0x1f, 0x29, 0x37);
    private static readonly XColor Muted = XColor.FromArgb(0x5b, 0x65, 0x73);
    private static readonly XColor Brand = XColor.FromArgb(0x0f, 0x5e, 0x6b);

    private readonly PdfDocument pdf = new();
    private readonly StatementDocument document;
    private PdfPage page = null!;
    private XGraphics gfx = null!;
    private double y;

    private StatementPdf(StatementDocument document) => this.document = document;

    private double Width => page.Width.Point - 2 * Margin;

    private double Bottom => page.Height.Point - Margin - FooterHeight;

    private sealed record Run(string Text, bool Bold, bool Italic);

    public static byte[] Render(StatementDocument document)
    {
        StatementFonts.EnsureInstalled();
        using var writer = new StatementPdf(document);
        return writer.Write();
    }

    public void Dispose()
    {
        gfx?.Dispose();
        pdf.Dispose();
    }

    private byte[] Write()
    {
        pdf.Info.Title = document.Title;
        pdf.Info.Author = StatementDocuments.NetworkName;
        pdf.Info.Subject = document.KindLabel;
        NewPage();
        WriteHeader();
        var ast = Markdig.Markdown.Parse(document.Body, Pipeline);
        foreach (var block in ast)
        {
            WriteBlock(block, 0);
        }
        WriteSignatories();
        gfx.Dispose();
        WriteFooters();
        using var stream = new MemoryStream();
        pdf.Save(stream, false);
        return stream.ToArray();
    }

    private void NewPage()
    {
        gfx?.Dispose();
        page = pdf.AddPage();
        page.Size = PdfSharp.PageSize.A4;
        gfx = XGraphics.FromPdfPage(page);
        y = Margin;
    }

    private void WriteHeader()
    {
        var small = Font(8.5, bold: true);
        gfx.DrawString(StatementDocuments.NetworkName.ToUpperInvariant() + "  ·  " + document.KindLabel.ToUpperInvariant(), small, new XSolidBrush(Brand), Margin, y, XStringFormats.TopLeft);
        y += 16;
        if (document.IsDraft)
        {
            var draft = Font(9, bold: true);
            gfx.DrawString("DRAFT — version " + document.VersionNumber.ToString(CultureInfo.InvariantCulture) + ", not the final text", draft, XBrushes.DarkRed, Margin, y, XStringFormats.TopLeft);
            y += 16;
        }
        WriteRuns([new Run(document.Title, true, false)], 18, 0, Ink, 1.25);
        var place = string.Join(" · ", new[] { document.CountryName, document.RegionName }.Where(p => p is not null));
        var date = document.DocumentDate.ToString("d MMMM yyyy", CultureInfo.InvariantCulture);
        WriteRuns([new Run(place.Length > 0 ? place + " · " + date : date, false, false)], 9.5, 0, Muted, 1.3);
        y += 6;
        gfx.DrawLine(new XPen(Brand, 1.2), Margin, y, Margin + Width, y);
        y += 14;
    }

    private void WriteBlock(Block block, double indent)
    {
        switch (block)
        {
            case HeadingBlock heading:
                y += heading.Level <= 2 ? 8 : 4;
                EnsureSpace(40);
                WriteRuns(Runs(heading.Inline, bold: true, italic: false), heading.Level switch { 1 => 15, 2 => 13, _ => 11.5 }, indent, Ink, 1.25);
                y += 4;
                break;
            case ParagraphBlock paragraph:
                WriteRuns(Runs(paragraph.Inline, false, false), BodySize, indent, Ink, 1.4);
                y += 7;
                break;
            case ListBlock list:
                WriteList(list, indent);
                y += 3;
                break;
            case QuoteBlock quote:
                var top = y;
                foreach (var child in quote)
                {
                    WriteBlock(child, indent + 14);
                }
                if (y > top)
                {
                    gfx.DrawLine(new XPen(XColor.FromArgb(0xc8, 0xd0, 0xd8), 2), Margin + indent + 4, Math.Max(Margin, top), Margin + indent + 4, y - 7);
                }
                break;
            case ThematicBreakBlock:
                EnsureSpace(16);
                gfx.DrawLine(new XPen(XColor.FromArgb(0xc8, 0xd0, 0xd8), 0.8), Margin + indent, y + 4, Margin + Width, y + 4);
                y += 14;
                break;
            case Table table:
                foreach (var row in table.OfType<TableRow>())
                {
                    var cells = row.OfType<TableCell>().Select(cell => string.Join(" ", cell.OfType<ParagraphBlock>().Select(p => PlainText(p.Inline))));
                    WriteRuns([new Run(string.Join("  |  ", cells), row.IsHeader, false)], BodySize - 0.5, indent, Ink, 1.35);
                }
                y += 7;
                break;
            case CodeBlock code:
                foreach (var line in code.Lines.Lines.Take(code.Lines.Count))
                {
                    WriteRuns([new Run(line.ToString(), false, false)], BodySize - 1, indent + 10, Ink, 1.3);
                }
                y += 7;
                break;
            case ContainerBlock container:
                foreach (var child in container)
                {
                    WriteBlock(child, indent);
                }
                break;
            case LeafBlock leaf when leaf.Inline is not null:
                WriteRuns(Runs(leaf.Inline, false, false), BodySize, indent, Ink, 1.4);
                y += 7;
                break;
        }
    }

    private void WriteList(ListBlock list, double indent)
    {
        var number = list.IsOrdered && int.TryParse(list.OrderedStart, NumberStyles.None, CultureInfo.InvariantCulture, out var start) ? start : 1;
        foreach (var item in list.OfType<ListItemBlock>())
        {
            var marker = list.IsOrdered ? number.ToString(CultureInfo.InvariantCulture) + "." : "•";
            number++;
            EnsureSpace(BodySize * 1.4);
            gfx.DrawString(marker, Font(BodySize, false, false), new XSolidBrush(Ink), Margin + indent + 16, y, XStringFormats.TopRight);
            foreach (var child in item)
            {
                if (child is ParagraphBlock paragraph)
                {
                    WriteRuns(Runs(paragraph.Inline, false, false), BodySize, indent + 22, Ink, 1.4);
                    y += list.IsLoose ? 5 : 2;
                }
                else
                {
                    WriteBlock(child, indent + 22);
                }
            }
        }
    }

    private void WriteSignatories()
    {
        y += 10;
        EnsureSpace(60);
        gfx.DrawLine(new XPen(XColor.FromArgb(0xc8, 0xd0, 0xd8), 0.8), Margin, y, Margin + Width, y);
        y += 12;
        WriteRuns([new Run("Signatories", true, false)], 13, 0, Ink, 1.3);
        y += 4;
        if (document.Signatories.Count == 0)
        {
            WriteRuns([new Run(document.IsDraft ? "Signatories are listed once the member organisations have signed off this version." : "No signatories recorded.", false, true)], BodySize, 0, Muted, 1.4);
            return;
        }
        foreach (var signatory in document.Signatories)
        {
            EnsureSpace(BodySize * 1.4);
            gfx.DrawString("•", Font(BodySize), new XSolidBrush(Ink), Margin + 6, y, XStringFormats.TopLeft);
            WriteRuns([new Run(signatory, false, false)], BodySize, 18, Ink, 1.4);
        }
    }

    private void WriteFooters()
    {
        var total = pdf.PageCount;
        var font = Font(7.5);
        var brush = new XSolidBrush(Muted);
        for (var i = 0; i < total; i++)
        {
            var p = pdf.Pages[i];
            using var footer = XGraphics.FromPdfPage(p, XGraphicsPdfPageOptions.Append);
            var top = p.Height.Point - Margin + 4;
            var left = $"{document.Title.Truncate(90)} · version {document.VersionNumber.ToString(CultureInfo.InvariantCulture)}{(document.IsDraft ? " (draft)" : "")}";
            footer.DrawString(left, font, brush, Margin, top, XStringFormats.TopLeft);
            footer.DrawString("SHA-256 " + document.ContentHashHex, font, brush, Margin, top + 11, XStringFormats.TopLeft);
            footer.DrawString($"Page {(i + 1).ToString(CultureInfo.InvariantCulture)} of {total.ToString(CultureInfo.InvariantCulture)}", font, brush,
                p.Width.Point - Margin, top + 11, XStringFormats.TopRight);
        }
    }

    /// <summary>Wraps runs of text to the width, word by word, breaking pages between lines.</summary>
    private void WriteRuns(IReadOnlyList<Run> runs, double size, double indent, XColor color, double leading)
    {
        var brush = new XSolidBrush(color);
        var lineHeight = size * leading;
        var left = Margin + indent;
        var width = Width - indent;
        var line = new List<(string Text, XFont Font, double Width)>();
        double used = 0;

        void Flush()
        {
            EnsureSpace(lineHeight);
            var x = left;
            foreach (var (text, font, w) in line)
            {
                gfx.DrawString(text, font, brush, x, y, XStringFormats.TopLeft);
                x += w;
            }
            y += lineHeight;
            line.Clear();
            used = 0;
        }

        foreach (var run in runs)
        {
            var font = Font(size, run.Bold, run.Italic);
            var paragraphs = run.Text.Split('\n');
            for (var p = 0; p < paragraphs.Length; p++)
            {
                if (p > 0)
                {
                    Flush();
                }
                foreach (var word in Words(paragraphs[p]))
                {
                    var w = gfx.MeasureString(word, font).Width;
                    if (used + w > width && line.Count > 0 && !string.IsNullOrWhiteSpace(word))
                    {
                        Flush();
                    }
                    if (line.Count == 0 && string.IsNullOrWhiteSpace(word))
                    {
                        continue;
                    }
                    // A single word wider than the line (a long link) is cut where it must.
                    var rest = word;
                    while (gfx.MeasureString(rest, font).Width > width && rest.Length > 1)
                    {
                        var cut = rest.Length - 1;
                        while (cut > 1 && gfx.MeasureString(rest[..cut], font).Width > width - used)
                        {
                            cut--;
                        }
                        line.Add((rest[..cut], font, gfx.MeasureString(rest[..cut], font).Width));
                        Flush();
                        rest = rest[cut..];
                    }
                    var rw = gfx.MeasureString(rest, font).Width;
                    line.Add((rest, font, rw));
                    used += rw;
                }
            }
        }
        if (line.Count > 0)
        {
            Flush();
        }
    }

    // Words keep their trailing space so measured widths add up to the line.
    private static IEnumerable<string> Words(string text)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == ' ')
            {
                yield return text[start..(i + 1)];
                start = i + 1;
            }
        }
        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    private void EnsureSpace(double height)
    {
        if (y + height > Bottom)
        {
            NewPage();
        }
    }

    // Unicode encoding: variants are written in Romanian, Albanian, Ukrainian ... not only in Windows-1252.
    private static readonly XPdfFontOptions Unicode = new(PdfFontEncoding.Unicode);

    private static XFont Font(double size, bool bold = false, bool italic = false) =>
        new(StatementFonts.Family, size, (bold, italic) switch
        {
            (true, true) => XFontStyleEx.BoldItalic,
            (true, false) => XFontStyleEx.Bold,
            (false, true) => XFontStyleEx.Italic,
            _ => XFontStyleEx.Regular,
        }, Unicode);

    private static List<Run> Runs(ContainerInline? inline, bool bold, bool italic)
    {
        var runs = new List<Run>();
        Collect(inline, bold, italic, runs);
        return runs;
    }

    private static void Collect(Inline? inline, bool bold, bool italic, List<Run> runs)
    {
        switch (inline)
        {
            case null:
                return;
            case LiteralInline literal:
                runs.Add(new Run(literal.Content.ToString(), bold, italic));
                break;
            case CodeInline code:
                runs.Add(new Run(code.Content, bold, italic));
                break;
            case LineBreakInline lineBreak:
                runs.Add(new Run(lineBreak.IsHard ? "\n" : " ", bold, italic));
                break;
            case AutolinkInline autolink:
                runs.Add(new Run(autolink.Url, bold, italic));
                break;
            case EmphasisInline emphasis:
                var strong = emphasis.DelimiterCount >= 2 && emphasis.DelimiterChar is '*' or '_';
                foreach (var child in emphasis)
                {
                    Collect(child, bold || strong, italic || !strong && emphasis.DelimiterChar is '*' or '_', runs);
                }
                break;
            case LinkInline link:
                foreach (var child in link)
                {
                    Collect(child, bold, italic, runs);
                }
                if (!link.IsImage && link.Url is { Length: > 0 } url && !url.StartsWith('#'))
                {
                    runs.Add(new Run(" (" + url + ")", bold, italic));
                }
                break;
            case ContainerInline container:
                foreach (var child in container)
                {
                    Collect(child, bold, italic, runs);
                }
                break;
        }
    }

    private static string PlainText(ContainerInline? inline)
    {
        var builder = new StringBuilder();
        foreach (var run in Runs(inline, false, false))
        {
            builder.Append(run.Text);
        }
        return builder.ToString();
    }
}

internal static class TextExtensions
{
    public static string Truncate(this string text, int length) => text.Length <= length ? text : text[..(length - 1)] + "…";
}
