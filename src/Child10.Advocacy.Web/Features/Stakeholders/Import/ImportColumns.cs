using System.Text;
using Child10.Advocacy.Web.Infrastructure.Csv;

namespace Child10.Advocacy.Web.Features.Stakeholders.Import;

public sealed record ImportColumn(string Name, bool Required, string Format, string Example);

/// <summary>Where each documented column sits in a file's header, and what the header had besides.</summary>
public sealed record HeaderMap(IReadOnlyDictionary<string, int> Index, IReadOnlyList<string> Ignored, IReadOnlyList<string> Missing, IReadOnlyList<string> Repeated)
{
    public string Cell(string[] fields, string column) =>
        Index.TryGetValue(column, out var i) && i < fields.Length ? fields[i].Trim() : "";

    public bool Has(string column) => Index.ContainsKey(column);
}

/// <summary>The documented headers of the two import files (docs/import.md shows the same), and how a header line is matched to them.</summary>
public static class ImportColumns
{
    public const string People = "people";
    public const string Organisations = "organisations";

    public static readonly IReadOnlyList<ImportColumn> PeopleColumns =
    [
        new("full_name", true, "text, required for new people", "Amina Diallo"),
        new("email", false, "email address; matches an existing person first", "amina.diallo@justice.gov.example"),
        new("position", false, "text", "Director of Child Protection"),
        new("organisation", false, "name of an organisation already on record", "Ministry of Justice"),
        new("organisation_country", false, "ISO 3166-1 alpha-2 code of the organisation, when the name exists in several countries", "SN"),
        new("category", false, "decision_maker, member_contact, signatory or other", "decision_maker"),
        new("phone", false, "text", "+221 33 000 00 00"),
        new("country", false, "ISO 3166-1 alpha-2 code", "SN"),
        new("preferred_language", false, "ISO 639-1 code (en, fr ...)", "fr"),
        new("jurisdiction", false, "national, regional or international", "national"),
        new("policy_areas", false, "theme names separated by |", "Legal reform|Prevention"),
        new("data_source", false, "how we got the data", "Met at the 2024 regional consultation"),
        new("lawful_basis", false, "consent, legitimate_interest, public_task, contract, legal_obligation or vital_interest", "legitimate_interest"),
        new("privacy_notice_sent_on", false, "date YYYY-MM-DD", "2024-11-05"),
        new("do_not_contact", false, "true/false, yes/no, 1/0; true is never undone by an import", "false"),
    ];

    public static readonly IReadOnlyList<ImportColumn> OrganisationColumns =
    [
        new("name", true, "text", "Ministry of Justice"),
        new("kind", true, "member, government, parliament, intergovernmental, ngo, private_sector, media or other", "government"),
        new("country", false, "ISO 3166-1 alpha-2 code; blank for international bodies", "SN"),
        new("region", false, "region name; the country's region when blank", "Africa"),
        new("award_year", false, "year, member organisations only", ""),
        new("themes", false, "theme names separated by |", "Legal reform|Victim identification and support"),
        new("website", false, "http:// or https:// address", "https://justice.gouv.sn"),
        new("notes", false, "text", "Leads the national referral mechanism."),
    ];

    public static IReadOnlyList<ImportColumn> For(string kind) => kind == Organisations ? OrganisationColumns : PeopleColumns;

    /// <summary>"Full Name", " full_name " and "full-name" all mean full_name.</summary>
    public static string NormaliseHeader(string header)
    {
        var builder = new StringBuilder(header.Length);
        foreach (var c in header.Trim().ToLowerInvariant())
        {
            var mapped = c is ' ' or '-' or '\t' ? '_' : c;
            if (mapped != '_' || (builder.Length > 0 && builder[^1] != '_'))
            {
                builder.Append(mapped);
            }
        }
        return builder.ToString().TrimEnd('_');
    }

    /// <summary>people when the header has full_name, organisations when it has name and kind, else null.</summary>
    public static string? Detect(IEnumerable<string> header)
    {
        var names = header.Select(NormaliseHeader).ToHashSet();
        return names.Contains("full_name") ? People
            : names.Contains("name") && names.Contains("kind") ? Organisations
            : null;
    }

    public static HeaderMap Map(string[] header, string kind)
    {
        var columns = For(kind);
        var index = new Dictionary<string, int>();
        var ignored = new List<string>();
        var repeated = new List<string>();
        for (var i = 0; i < header.Length; i++)
        {
            var name = NormaliseHeader(header[i]);
            if (columns.All(c => c.Name != name))
            {
                if (header[i].Trim().Length > 0)
                {
                    ignored.Add(header[i].Trim());
                }
            }
            else if (!index.TryAdd(name, i))
            {
                repeated.Add(name);
            }
        }
        var missing = columns.Where(c => c.Required && !index.ContainsKey(c.Name)).Select(c => c.Name).ToList();
        return new HeaderMap(index, ignored, missing, repeated);
    }

    /// <summary>A template file: the documented header and one example row, UTF-8 with a byte-order mark.</summary>
    public static byte[] Template(string kind)
    {
        var columns = For(kind);
        // Not CsvWriter.Escape: its formula guard would turn the phone example "+221 ..." into "'+221 ...".
        static string Quote(string value) => value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
        var text = string.Join(',', columns.Select(c => Quote(c.Name))) + "\r\n"
            + string.Join(',', columns.Select(c => Quote(c.Example))) + "\r\n";
        return [.. CsvWriter.Utf8WithBom.GetPreamble(), .. Encoding.UTF8.GetBytes(text)];
    }
}
