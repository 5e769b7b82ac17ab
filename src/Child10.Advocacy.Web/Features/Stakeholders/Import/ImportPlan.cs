using System.Globalization;
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
/// The dry run of one file: its problems and what each row will do. Commit writes only a plan without problems,
/// and always from a plan made again inside its own transaction.
/// </summary>
public sealed record ImportPlan(
    string Kind,
    IReadOnlyList<string> Ignored,
    IReadOnlyList<ImportProblem> Problems,
    IReadOnlyList<PlannedRow> Rows,
    IReadOnlyList<PersonValues> People,
    IReadOnlyList<OrganisationValues> Organisations)
{
    /// <summary>Rows in the file, with or without problems.</summary>
    public int FileRows { get; init; }

    public bool CanCommit => Problems.Count == 0 && Rows.Count > 0;

    public ImportCounts Counts => new(
        FileRows,
        Rows.Count(r => r.Action == RowAction.Create),
        Rows.Count(r => r.Action == RowAction.Update),
        Rows.Count(r => r.Action == RowAction.Skip));

    public static ImportPlan Refused(string kind, string message) => new(kind, [], [new ImportProblem(null, null, message)], [], [], []);

    /// <summary>Parses and checks a stored file against the database as it is now (the transaction's snapshot when given).</summary>
    public static async Task<ImportPlan> MakeAsync(NpgsqlConnection db, NpgsqlTransaction? tx, string kind, string content, CancellationToken ct)
    {
        CsvTable table;
        try
        {
            table = CsvReader.Parse(content);
        }
        catch (CsvFormatException ex)
        {
            return Refused(kind, ex.Message);
        }
        if (table.Header.Length == 0)
        {
            return Refused(kind, "The file is empty: the first line must be the header.");
        }
        var header = ImportColumns.Map(table.Header, kind);
        var fileProblems = new List<ImportProblem>();
        foreach (var missing in header.Missing)
        {
            fileProblems.Add(new ImportProblem(null, null, $"The header has no '{missing}' column, which {kind} files need. Documented headers: {string.Join(", ", ImportColumns.For(kind).Select(c => c.Name))}."));
        }
        foreach (var repeated in header.Repeated)
        {
            fileProblems.Add(new ImportProblem(null, null, $"The header has '{repeated}' more than once."));
        }
        if (fileProblems.Count > 0)
        {
            return new ImportPlan(kind, header.Ignored, fileProblems, [], [], []);
        }
        if (table.Records.Count == 0)
        {
            return new ImportPlan(kind, header.Ignored, [new ImportProblem(null, null, "The file has a header but no rows.")], [], [], []);
        }
        var plan = kind == ImportColumns.Organisations
            ? await OrganisationImport.PlanAsync(db, tx, table, header, ct)
            : await PeopleImport.PlanAsync(db, tx, table, header, ct);
        return plan with { FileRows = table.Records.Count };
    }

    public Task CommitAsync(NpgsqlConnection db, NpgsqlTransaction tx, CancellationToken ct) =>
        !CanCommit ? throw new InvalidOperationException("A plan with problems is never committed.")
        : Kind == ImportColumns.Organisations ? OrganisationImport.CommitAsync(db, tx, this, ct)
        : PeopleImport.CommitAsync(db, tx, this, ct);
}

/// <summary>Cell parsing shared by both imports; each returns null for a blank cell and adds a problem for a bad one.</summary>
internal sealed class RowReader(CsvRecord record, HeaderMap header, List<ImportProblem> problems)
{
    public int Row => record.Row;

    public bool Failed { get; private set; }

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
    public static string Of(string name)
    {
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
}
