using System.Buffers;
using System.Runtime.CompilerServices;
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
    public static string Decode(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetString(Validate(bytes));

    /// <summary>
    /// The bytes of an uploaded file without its byte-order mark, once they are known to be UTF-8 text without NUL
    /// characters (PostgreSQL text cannot hold U+0000: such a file could not be stored, or would pass the dry run and
    /// fail at commit). Anything else is refused with the line it is on.
    /// </summary>
    public static ReadOnlySpan<byte> Validate(ReadOnlySpan<byte> bytes)
    {
        if (bytes.StartsWith(Utf8Bom))
        {
            bytes = bytes[3..];
        }
        if (!Utf8.IsValid(bytes))
        {
            var status = Utf8.ToUtf16(bytes, new char[bytes.Length], out var read, out _, replaceInvalidSequences: false);
            var line = bytes[..(status == OperationStatus.Done ? bytes.Length : read)].Count((byte)'\n') + 1;
            throw new CsvFormatException(line, "the file is not UTF-8 text. Save it as \"CSV UTF-8\" and upload it again");
        }
        var nul = bytes.IndexOf((byte)0);
        if (nul >= 0)
        {
            throw new CsvFormatException(bytes[..nul].Count((byte)'\n') + 1, NulMessage);
        }
        return bytes;
    }

    /// <summary>The first line of a file (up to its first line break), enough to read the header when the file is not parsed whole.</summary>
    public static string FirstLine(ReadOnlySpan<byte> bytes)
    {
        var end = bytes.IndexOf((byte)'\n');
        return Encoding.UTF8.GetString(end < 0 ? bytes : bytes[..end]);
    }

    /// <summary>A reader of the records of a UTF-8 file, one at a time.</summary>
    public static CsvRecordReader Open(Stream utf8) =>
        new(new StreamReader(utf8, StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 64 * 1024));

    public static CsvTable Parse(string text)
    {
        RefuseNul(text);
        using var reader = new CsvRecordReader(new StringReader(text));
        var records = new List<CsvRecord>();
        while (reader.Read() is { } record)
        {
            records.Add(record);
        }
        return new CsvTable(reader.Delimiter, reader.Header, records);
    }

    internal const string NulMessage = "the file contains a NUL character, which is not text. Save it as \"CSV UTF-8\" and upload it again";

    private static ReadOnlySpan<byte> Utf8Bom => [0xEF, 0xBB, 0xBF];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static void RefuseNul(string text)
    {
        var nul = text.IndexOf('\0', StringComparison.Ordinal);
        if (nul >= 0)
        {
            throw new CsvFormatException(text.AsSpan(0, nul).Count('\n') + 1, NulMessage);
        }
    }
}

/// <summary>
/// Reads CSV records one at a time from text (see <see cref="CsvReader"/> for the rules), so a large file is never held
/// as one string nor as a list of every record. The header is read, and the delimiter chosen, when the reader opens.
/// </summary>
public sealed class CsvRecordReader : IDisposable
{
    private readonly TextReader source;
    private char[] buffer = new char[64 * 1024];
    private int position;
    private int length;
    private bool sourceDone;
    private int line = 1;
    private int row;
    private int newlinesLoaded;
    private readonly StringBuilder field = new();
    private readonly List<string> fields = [];
    private readonly SearchValues<char> fieldEnds;

    public CsvRecordReader(TextReader source)
    {
        this.source = source;
        if (Peek() == '\uFEFF')
        {
            position++;
        }
        Delimiter = DetectDelimiter();
        fieldEnds = SearchValues.Create([Delimiter, '\r', '\n', '"']);
        Header = [];
        while (ReadFields() is { } header)
        {
            row++;
            if (header.Count == 1 && header[0].Length == 0)
            {
                continue; // blank lines before the header
            }
            Header = [.. header];
            row = 1;
            break;
        }
    }

    public char Delimiter { get; }

    /// <summary>The header's fields; empty for an empty file.</summary>
    public string[] Header { get; }

    /// <summary>The next record, or null at the end of the text. Blank lines are counted as rows but not returned.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public CsvRecord? Read()
    {
        while (true)
        {
            var recordLine = line;
            if (ReadFields() is not { } values)
            {
                return null;
            }
            row++;
            if (values.Count == 1 && values[0].Length == 0)
            {
                continue; // a blank line: counted as a row, as a spreadsheet shows it, but carries nothing
            }
            return new CsvRecord(row, recordLine, [.. values]);
        }
    }

    public void Dispose() => source.Dispose();

    // One record's fields, or null at the end of the text.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private List<string>? ReadFields()
    {
        if (position >= length && !Fill())
        {
            return null;
        }
        fields.Clear();
        while (true)
        {
            // One field, then the delimiter, a line break, or the end of the text.
            if (Peek() == '"')
            {
                var quoteLine = line;
                position++;
                field.Clear();
                while (true)
                {
                    var rest = buffer.AsSpan(position, length - position);
                    var next = rest.IndexOf('"');
                    if (next < 0)
                    {
                        line += rest.Count('\n');
                        field.Append(rest);
                        position = length;
                        if (!Fill())
                        {
                            throw new CsvFormatException(quoteLine, "a quoted field is never closed (a \" is missing)");
                        }
                        continue;
                    }
                    var chunk = rest[..next];
                    line += chunk.Count('\n');
                    field.Append(chunk);
                    position += next + 1;
                    if (Peek() == '"')
                    {
                        field.Append('"');
                        position++;
                        continue;
                    }
                    break;
                }
                fields.Add(field.ToString());
                var after = Peek();
                if (after >= 0 && after != Delimiter && after != '\r' && after != '\n')
                {
                    throw new CsvFormatException(line, $"unexpected text after a closing quote in field {fields.Count}; a quote inside a quoted field is written twice (\"\")");
                }
            }
            else
            {
                fields.Add(ReadUnquoted());
            }

            var end = Peek();
            if (end == Delimiter)
            {
                position++;
                continue;
            }
            if (end == '\r')
            {
                position++;
                end = Peek();
            }
            if (end == '\n')
            {
                position++;
            }
            line++;
            return fields;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private string ReadUnquoted()
    {
        var rest = buffer.AsSpan(position, length - position);
        var end = rest.IndexOfAny(fieldEnds);
        if (end >= 0 && rest[end] != '"')
        {
            position += end;
            return end == 0 ? "" : new string(rest[..end]);
        }
        field.Clear();
        while (true)
        {
            if (end >= 0)
            {
                if (rest[end] == '"')
                {
                    throw new CsvFormatException(line, $"a quote inside unquoted field {fields.Count + 1}; put the whole field in quotes and write the quote twice (\"\")");
                }
                field.Append(rest[..end]);
                position += end;
                return field.ToString();
            }
            field.Append(rest);
            position = length;
            if (!Fill())
            {
                return field.ToString();
            }
            rest = buffer.AsSpan(position, length - position);
            end = rest.IndexOfAny(fieldEnds);
        }
    }

    // The next character without taking it, or -1 at the end of the text.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Peek() => position < length || Fill() ? buffer[position] : -1;

    // Reads more text after what is left unread; false at the end of the text.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool Fill()
    {
        if (sourceDone)
        {
            return false;
        }
        if (position > 0)
        {
            buffer.AsSpan(position, length - position).CopyTo(buffer);
            length -= position;
            position = 0;
        }
        if (length == buffer.Length)
        {
            Array.Resize(ref buffer, buffer.Length * 2);
        }
        var read = source.Read(buffer, length, buffer.Length - length);
        if (read == 0)
        {
            sourceDone = true;
            return false;
        }
        var loaded = buffer.AsSpan(length, read);
        var nul = loaded.IndexOf('\0');
        if (nul >= 0)
        {
            throw new CsvFormatException(newlinesLoaded + loaded[..nul].Count('\n') + 1, CsvReader.NulMessage);
        }
        newlinesLoaded += loaded.Count('\n');
        length += read;
        return true;
    }

    /// <summary>';' when the header line has more semicolons than commas outside quotes, else ','.</summary>
    private char DetectDelimiter()
    {
        int commas = 0, semicolons = 0;
        var quoted = false;
        var i = 0;
        while (true)
        {
            if (position + i >= length)
            {
                // The header line is read whole before parsing starts; Fill keeps what is unread and grows the buffer.
                if (!Fill())
                {
                    break;
                }
                continue;
            }
            var c = buffer[position + i];
            i++;
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
