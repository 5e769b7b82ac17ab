using System.Collections.Concurrent;
using PdfSharp.Fonts;

namespace Child10.Advocacy.Web.Features.Statements;

/// <summary>
/// DejaVu Sans, embedded in the assembly, for every PDF the app writes: no dependency on the fonts a server
/// happens to have. (DejaVu fonts are under a permissive licence, see Fonts/LICENSE-DejaVu.txt.)
/// </summary>
public sealed class StatementFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";

    private static readonly StatementFonts Instance = new();
    private static readonly object Gate = new();
    private readonly ConcurrentDictionary<string, byte[]> faces = new(StringComparer.Ordinal);

    /// <summary>Installs the resolver once per process; PDFsharp allows only one and only before its first font.</summary>
    public static void EnsureInstalled()
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is null)
            {
                GlobalFontSettings.FontResolver = Instance;
            }
        }
    }

    // Every family resolves to DejaVu Sans: the documents use one family, and a missing glyph beats a crash.
    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new((bold, italic) switch
        {
            (true, true) => "DejaVuSans-BoldOblique",
            (true, false) => "DejaVuSans-Bold",
            (false, true) => "DejaVuSans-Oblique",
            _ => "DejaVuSans",
        });

    public byte[]? GetFont(string faceName) => faces.GetOrAdd(faceName, static name =>
    {
        using var stream = typeof(StatementFonts).Assembly.GetManifestResourceStream($"fonts/{name}.ttf")
            ?? throw new InvalidOperationException($"The font {name}.ttf is not embedded in the application.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });
}
