using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Stakeholders.Import;

/// <summary>Why a row (or the whole file, when Row is null) cannot be imported.</summary>
public sealed record ImportProblem(int? Row, string? Column, string Message)
{
    public override string ToString() =>
        Row is null ? Message : Column is null ? $"row {Row}: {Message}" : $"row {Row}, {Column}: {Message}";
}

public enum RowAction
{
    Create,
    Update,
    Skip,
}

/// <summary>What the import will do with one row; Label names the record, Note says why it is skipped or what is kept.</summary>
public sealed record PlannedRow(int Row, RowAction Action, string Label, long? ExistingId, string? Note);

/// <summary>Rows counts every row of the file; the others only rows without problems.</summary>
public sealed record ImportCounts(int Rows, int Created, int Updated, int Skipped);

/// <summary>
/// The dry run of one file: its problems, how many rows it will create, update and skip, and what the first rows will do
/// (<see cref="ListedRows"/> at most; the counts always cover the whole file). Commit writes only a plan without problems,
/// and always from a plan made again inside its own transaction.
/// </summary>
public sealed record ImportPlan(
    string Kind,
    IReadOnlyList<string> Ignored,
    IReadOnlyList<ImportProblem> Problems,
    IReadOnlyList<PlannedRow> Rows,
    ImportCounts Counts)
{
    /// <summary>How many planned rows a plan keeps to show.</summary>
    public const int ListedRows = 500;

    /// <summary>Rows in the file, with or without problems.</summary>
    public int FileRows => Counts.Rows;

    /// <summary>Rows without problems: created, updated or skipped.</summary>
    public int PlannedRows => Counts.Created + Counts.Updated + Counts.Skipped;

    public bool CanCommit => Problems.Count == 0 && PlannedRows > 0;

    internal IReadOnlyList<OrganisationValues> Organisations { get; init; } = [];

    public static ImportPlan Refused(string kind, string message) => FileProblems(kind, [], [new ImportProblem(null, null, message)]);

    private static ImportPlan FileProblems(string kind, IReadOnlyList<string> ignored, IReadOnlyList<ImportProblem> problems) =>
        new(kind, ignored, problems, [], new ImportCounts(0, 0, 0, 0));

    /// <summary>Parses and checks a stored file (UTF-8) against the database as it is now (the transaction's snapshot when given); writes nothing.</summary>
    public static Task<ImportPlan> MakeAsync(NpgsqlConnection db, NpgsqlTransaction? tx, string kind, byte[] content, CancellationToken ct) =>
        PlanAsync(db, tx, kind, content, write: null, ct);

    /// <summary>The same check of a file given as text.</summary>
    public static Task<ImportPlan> MakeAsync(NpgsqlConnection db, NpgsqlTransaction? tx, string kind, string content, CancellationToken ct) =>
        PlanAsync(db, tx, kind, Encoding.UTF8.GetBytes(content), write: null, ct);

    /// <summary>
    /// Plans the file again inside the transaction and writes its rows as they are checked, in one pass. The plan is
    /// returned; when it has problems the writing stops at the first one and leaves the transaction failed, so the
    /// caller can only roll it back: nothing of a file with problems is ever committed.
    /// </summary>
    public static Task<ImportPlan> CommitAsync(NpgsqlDataSource dataSource, NpgsqlConnection db, NpgsqlTransaction tx, string kind, byte[] content, CancellationToken ct) =>
        PlanAsync(db, tx, kind, content, new Writing(dataSource), ct);

    // How a commit writes: identities for new people drawn on a second connection of the source, or on the transaction's own.
    internal sealed record Writing(NpgsqlDataSource? Source);

    private static async Task<ImportPlan> PlanAsync(NpgsqlConnection db, NpgsqlTransaction? tx, string kind, byte[] content, Writing? write, CancellationToken ct)
    {
        try
        {
            using var reader = CsvReader.Open(new MemoryStream(content, writable: false));
            if (reader.Header.Length == 0)
            {
                return Refused(kind, "The file is empty: the first line must be the header.");
            }
            var header = ImportColumns.Map(reader.Header, kind);
            var fileProblems = new List<ImportProblem>();
            foreach (var missing in header.Missing)
            {
                fileProblems.Add(new ImportProblem(null, null, $"The header has no '{missing}' column, which {kind} files need. Documented headers: {string.Join(", ", ImportColumns.For(kind).Select(c => c.Name))}."));
            }
            foreach (var repeated in header.Repeated)
            {
                fileProblems.Add(new ImportProblem(null, null, $"The header has '{repeated}' more than once."));
            }
            var first = reader.Read();
            if (fileProblems.Count > 0 || first is null)
            {
                // A file that is not well-formed CSV further down is refused for that first, as when it is planned.
                while (reader.Read() is not null)
                {
                }
                return FileProblems(kind, header.Ignored, fileProblems.Count > 0 ? fileProblems : [new ImportProblem(null, null, "The file has a header but no rows.")]);
            }
            var records = Records(first, reader);
            if (kind == ImportColumns.Organisations)
            {
                var plan = await OrganisationImport.PlanAsync(db, tx, records, header, ct);
                if (write is not null && plan.CanCommit)
                {
                    await OrganisationImport.CommitAsync(db, tx!, plan, ct);
                }
                return plan;
            }
            // At most one record per line: enough identities for every new person, and room for every row's keys.
            var rowsAtMost = content.AsSpan().Count((byte)'\n') + 1;
            return await PeopleImport.PlanAsync(db, tx, records, header, rowsAtMost, write, ct);
        }
        catch (CsvFormatException ex)
        {
            // Anything written so far is left to the rollback: the writers stop and fail the transaction.
            return Refused(kind, ex.Message);
        }
    }

    private static IEnumerable<CsvRecord> Records(CsvRecord first, CsvRecordReader reader)
    {
        yield return first;
        while (reader.Read() is { } record)
        {
            yield return record;
        }
    }
}

/// <summary>What a plan keeps of its rows without problems: counts of each action, and the first ones to show.</summary>
internal sealed class PlannedRowList
{
    private readonly List<PlannedRow> listed = [];
    private int created;
    private int updated;
    private int skipped;

    public void Add(PlannedRow row)
    {
        if (listed.Count < ImportPlan.ListedRows)
        {
            listed.Add(row);
        }
        switch (row.Action)
        {
            case RowAction.Create:
                created++;
                break;
            case RowAction.Update:
                updated++;
                break;
            default:
                skipped++;
                break;
        }
    }

    public ImportPlan ToPlan(string kind, HeaderMap header, IReadOnlyList<ImportProblem> problems, int fileRows) =>
        new(kind, header.Ignored, problems, listed, new ImportCounts(fileRows, created, updated, skipped));
}

/// <summary>Cell parsing shared by both imports; each returns null for a blank cell and adds a problem for a bad one.</summary>
internal sealed class RowReader(CsvRecord record, HeaderMap header, List<ImportProblem> problems)
{
    public int Row => record.Row;

    public bool Failed { get; private set; }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string? Text(string column, int maxLength)
    {
        var value = header.Cell(record.Fields, column);
        if (value.Length == 0)
        {
            return null;
        }
        if (value.Length > maxLength)
        {
            Problem(column, $"is longer than {maxLength} characters");
        }
        return value;
    }

    /// <summary>A value from a fixed list, given as its value ("decision_maker") or its label ("Decision-maker").</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string? Choice(string column, IReadOnlyList<(string Value, string Label)> list)
    {
        var value = header.Cell(record.Fields, column);
        if (value.Length == 0)
        {
            return null;
        }
        var match = list.FirstOrDefault(item =>
            string.Equals(item.Value, value, StringComparison.OrdinalIgnoreCase) || string.Equals(item.Label, value, StringComparison.OrdinalIgnoreCase));
        if (match.Value is null)
        {
            Problem(column, $"'{value}' is not one of {string.Join(", ", list.Select(i => i.Value))}");
        }
        return match.Value;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public string? Country(string column, IReadOnlySet<string> countries)
    {
        var code = Rules.NormaliseCountry(header.Cell(record.Fields, column));
        if (code is not null && !countries.Contains(code))
        {
            Problem(column, $"'{code}' is not an ISO 3166-1 alpha-2 country code");
            return null;
        }
        return code;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public DateOnly? Date(string column)
    {
        var value = header.Cell(record.Fields, column);
        if (value.Length == 0)
        {
            return null;
        }
        if (!DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            Problem(column, $"'{value}' is not a date written YYYY-MM-DD");
            return null;
        }
        return date;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public bool? Flag(string column)
    {
        var value = header.Cell(record.Fields, column).ToLowerInvariant();
        switch (value)
        {
            case "":
                return null;
            case "true" or "yes" or "1":
                return true;
            case "false" or "no" or "0":
                return false;
            default:
                Problem(column, $"'{value}' is not true/false, yes/no or 1/0");
                return null;
        }
    }

    public int? Year(string column)
    {
        var value = header.Cell(record.Fields, column);
        if (value.Length == 0)
        {
            return null;
        }
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var year) || year is < 2000 or > 2100)
        {
            Problem(column, $"'{value}' is not a year between 2000 and 2100");
            return null;
        }
        return year;
    }

    /// <summary>Theme names separated by |, matched case-insensitively against the managed list.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public long[] Themes(string column, IReadOnlyDictionary<string, long> themes)
    {
        var value = header.Cell(record.Fields, column);
        if (value.Length == 0)
        {
            return [];
        }
        var ids = new List<long>();
        foreach (var name in value.Split('|', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (themes.TryGetValue(name.ToLowerInvariant(), out var id))
            {
                ids.Add(id);
            }
            else
            {
                Problem(column, $"'{name}' is not a theme on the managed list");
            }
        }
        return ids.Distinct().ToArray();
    }

    public void Problem(string? column, string message)
    {
        Failed = true;
        problems.Add(new ImportProblem(record.Row, column, message));
    }
}

internal static class NameKey
{
    /// <summary>Case- and accent-insensitive form of a name, with runs of spaces made one: how imports match names.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static string Of(string name)
    {
        if (Ascii.IsValid(name))
        {
            return OfAscii(name);
        }
        var decomposed = name.Trim().ToLowerInvariant().Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (char.IsWhiteSpace(c))
            {
                if (builder.Length > 0 && builder[^1] != ' ')
                {
                    builder.Append(' ');
                }
                continue;
            }
            builder.Append(c);
        }
        return builder.ToString();
    }

    // The same key without the Unicode decomposition, which leaves ASCII text as it is (most names on record).
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static string OfAscii(string name)
    {
        var span = name.AsSpan().Trim();
        var clean = true;
        for (var i = 0; i < span.Length; i++)
        {
            var c = span[i];
            if (c is >= 'A' and <= 'Z' || (char.IsWhiteSpace(c) && (c != ' ' || span[i - 1] == ' ')))
            {
                clean = false;
                break;
            }
        }
        if (clean && span.Length == name.Length)
        {
            return name;
        }
        var builder = new StringBuilder(span.Length);
        foreach (var c in span)
        {
            if (char.IsWhiteSpace(c))
            {
                if (builder.Length > 0 && builder[^1] != ' ')
                {
                    builder.Append(' ');
                }
                continue;
            }
            builder.Append(c is >= 'A' and <= 'Z' ? (char)(c + 32) : c);
        }
        return builder.ToString();
    }
}
