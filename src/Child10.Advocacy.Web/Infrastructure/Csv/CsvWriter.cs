using System.Globalization;
using System.Text;

namespace Child10.Advocacy.Web.Infrastructure.Csv;

/// <summary>
/// RFC 4180 CSV for exports, UTF-8 with a byte-order mark so spreadsheet programs read accents.
/// Text cells that a spreadsheet would run as a formula (=, +, -, @, tab, carriage return) are prefixed with a quote.
/// </summary>
public sealed class CsvWriter(TextWriter writer)
{
    public static readonly Encoding Utf8WithBom = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true);

    public Task WriteRowAsync(IEnumerable<object?> cells) =>
        writer.WriteAsync(string.Join(',', cells.Select(Escape)) + "\r\n");

    public static string Escape(object? value)
    {
        var text = value switch
        {
            null => "",
            DateOnly date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
            DateTimeOffset instant => instant.ToString("yyyy-MM-dd HH:mm:ssK", CultureInfo.InvariantCulture),
            bool flag => flag ? "true" : "false",
            IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        // Only text can carry a formula; numbers and dates we format ourselves stay as they are.
        if (value is string && text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            text = "'" + text;
        }
        return text.IndexOfAny([',', '"', '\r', '\n']) >= 0
            ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : text;
    }
}
