using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Child10.Advocacy.Web.Features.Stakeholders.Import;

/// <summary>One record of a CSV file. Row counts records as a spreadsheet shows them (the header is row 1); Line is where the record starts in the file.</summary>
public sealed record CsvRecord(int Row, int Line, string[] Fields);

public sealed record CsvTable(char Delimiter, string[] Header, IReadOnlyList<CsvRecord> Records);

/// <summary>The file is not UTF-8 or not well-formed CSV; Line says where.</summary>
public sealed class CsvFormatException(int line, string message) : Exception($"line {line}: {message}")
{
    public int Line { get; } = line;
}

/// <summary>
/// RFC 4180 reader for imports: UTF-8 with or without a byte-order mark, ',' or ';' (whichever the header line uses),
/// quoted fields with embedded delimiters, doubled quotes and line breaks, CRLF or LF. Strict about quotes, because a
/// stray quote usually means the columns after it are shifted.
/// </summary>
public static class CsvReader
{
    /// <summary>The text of an uploaded file, without its byte-order mark; invalid UTF-8 is refused with the line it is on.</summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }
        var chars = ArrayPool<char>.Shared.Rent(Math.Max(bytes.Length, 1));
        try
        {
            var status = Utf8.ToUtf16(bytes, chars, out var read, out var written, replaceInvalidSequences: false);
            if (status != OperationStatus.Done)
            {
                var line = bytes[..read].Count((byte)'\n') + 1;
                throw new CsvFormatException(line, "the file is not UTF-8 text. Save it as \"CSV UTF-8\" and upload it again");
            }
            var text = new string(chars, 0, written);
            RefuseNul(text);
            return text;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(chars);
        }
    }

    // PostgreSQL text cannot hold U+0000: a file with one could not be stored, or would pass the dry run and fail at commit.
    private static void RefuseNul(string text)
    {
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            throw new CsvFormatException(text.AsSpan(0, nul).Count('\n') + 1, "the file contains a NUL character, which is not text. Save it as \"CSV UTF-8\" and upload it again");
        }
    }

    public static CsvTable Parse(string text)
    {
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            text = text[1..];
        }
        RefuseNul(text);
        var delimiter = DetectDelimiter(text);
        var records = new List<CsvRecord>();
        string[]? header = null;
        var fields = new List<string>();
        var field = new StringBuilder();
        var position = 0;
        var line = 1;
        var row = 0;
        while (position < text.Length)
        {
            var recordLine = line;
            fields.Clear();
            while (true)
            {
                // One field, then the delimiter, a line break, or the end of the text.
                if (position < text.Length && text[position] == '"')
                {
                    var quoteLine = line;
                    position++;
                    field.Clear();
                    while (true)
                    {
                        var next = text.IndexOf('"', position);
                        if (next < 0)
                        {
                            throw new CsvFormatException(quoteLine, "a quoted field is never closed (a \" is missing)");
                        }
                        var chunk = text.AsSpan(position, next - position);
                        line += chunk.Count('\n');
                        field.Append(chunk);
                        position = next + 1;
                        if (position < text.Length && text[position] == '"')
                        {
                            field.Append('"');
                            position++;
                            continue;
                        }
                        break;
                    }
                    fields.Add(field.ToString());
                    if (position < text.Length && text[position] != delimiter && text[position] != '\r' && text[position] != '\n')
                    {
                        throw new CsvFormatException(line, $"unexpected text after a closing quote in field {fields.Count}; a quote inside a quoted field is written twice (\"\")");
                    }
                }
                else
                {
                    var start = position;
                    while (position < text.Length && text[position] != delimiter && text[position] != '\r' && text[position] != '\n')
                    {
                        if (text[position] == '"')
                        {
                            throw new CsvFormatException(line, $"a quote inside unquoted field {fields.Count + 1}; put the whole field in quotes and write the quote twice (\"\")");
                        }
                        position++;
                    }
                    fields.Add(text[start..position]);
                }

                if (position < text.Length && text[position] == delimiter)
                {
                    position++;
                    continue;
                }
                if (position < text.Length && text[position] == '\r')
                {
                    position++;
                }
                if (position < text.Length && text[position] == '\n')
                {
                    position++;
                }
                line++;
                break;
            }

            row++;
            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue; // a blank line: counted as a row, as a spreadsheet shows it, but carries nothing
            }
            if (header is null)
            {
                header = fields.ToArray();
                row = 1;
            }
            else
            {
                records.Add(new CsvRecord(row, recordLine, fields.ToArray()));
            }
        }
        return new CsvTable(delimiter, header ?? [], records);
    }

    /// <summary>';' when the header line has more semicolons than commas outside quotes, else ','.</summary>
    private static char DetectDelimiter(string text)
    {
        int commas = 0, semicolons = 0;
        var quoted = false;
        foreach (var c in text)
        {
            if (c == '"')
            {
                quoted = !quoted;
            }
            else if (!quoted && c is '\n' or '\r')
            {
                break;
            }
            else if (!quoted && c == ',')
            {
                commas++;
            }
            else if (!quoted && c == ';')
            {
                semicolons++;
            }
        }
        return semicolons > commas ? ';' : ',';
    }
}
