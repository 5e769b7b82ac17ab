using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Stakeholders;

/// <summary>The organisation list's filter, bound from the query string; the list page, its CSV export and the actor map's links share it.</summary>
public sealed record OrganisationFilter(
    string? Q = null,
    string? Kind = null,
    string? Country = null,
    long? RegionId = null,
    long? ThemeId = null,
    string? Sort = null,
    bool Descending = false,
    int? Page = null)
{
    public int PageNumber => Page is > 0 ? Page.Value : 1;

    public string SortKey => string.IsNullOrWhiteSpace(Sort) ? "name" : Sort.Trim().ToLowerInvariant();

    /// <summary>The query string of this filter, for links that keep it (sort headers, pager, export).</summary>
    public string ToQueryString()
    {
        var parts = new List<string>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value))
            {
                parts.Add(key + "=" + Uri.EscapeDataString(value));
            }
        }
        Add("Q", Q);
        Add("Kind", Kind);
        Add("Country", Country);
        Add("RegionId", RegionId?.ToString(CultureInfo.InvariantCulture));
        Add("ThemeId", ThemeId?.ToString(CultureInfo.InvariantCulture));
        Add("Sort", Sort);
        Add("Descending", Descending ? "true" : null);
        Add("Page", PageNumber > 1 ? PageNumber.ToString(CultureInfo.InvariantCulture) : null);
        return parts.Count == 0 ? "" : "?" + string.Join('&', parts);
    }
}

/// <summary>One organisation of a list. Settable properties, not a positional record: Npgsql reports array columns as System.Array, which Dapper cannot match to a constructor.</summary>
public sealed record OrganisationRow
{
    public long Id { get; init; }
    public string Name { get; init; } = "";
    public string Kind { get; init; } = "";
    public int? AwardYear { get; init; }
    public string? CountryCode { get; init; }
    public string? CountryName { get; init; }
    public string? RegionName { get; init; }
    public string? Website { get; init; }
    public string? Notes { get; init; }
    public string[] Themes { get; init; } = [];
    public long People { get; init; }
}

public sealed record OrganisationPage(IReadOnlyList<OrganisationRow> Rows, long Total, int PageNumber, int PageSize)
{
    public int PageCount => (int)Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>
/// Search and filters over organisations: full text (prefix match on the unaccented search document)
/// or trigram word similarity on the unaccented name, so "Sodertalje" and "Sodertalie" both find "Södertälje".
/// </summary>
public static class OrganisationQuery
{
    public const int PageSize = 50;

    /// <summary>The columns a list may be sorted by, and the SQL each one sorts on. Nothing else reaches the ORDER BY.</summary>
    public static readonly IReadOnlyDictionary<string, string> SortColumns = new Dictionary<string, string>
    {
        ["name"] = "o.name_sort_key",
        ["kind"] = "o.kind",
        ["country"] = "c.name_sort_key",
        ["award_year"] = "o.award_year",
        ["people"] = "(select count(*) from person p where p.organisation_id = o.id and p.erased_at is null)",
    };

    private const string Where = """
        where (@kind is null or o.kind = @kind)
          and (@country is null or o.country_code = cast(@country as char(2)))
          and (@regionId is null or o.region_id = @regionId)
          and (@themeId is null or exists (select 1 from organisation_theme ft
                                           where ft.organisation_id = o.id and ft.theme_id = @themeId))
          and (@q is null
               or o.search_document @@ to_tsquery('simple', immutable_unaccent(@prefixQuery))
               or immutable_unaccent(lower(@q)) <% o.name_sort_key)
        """;

    private const string CountSql = "select count(*) from organisation o\n" + Where + ";\n";

    // The themes and people of the rows are aggregated in the same statement (no query per row).
    private const string RowColumns = """
        select o.id, o.name, o.kind, o.award_year, o.country_code, c.name as country_name, r.name as region_name,
               o.website, o.notes,
               coalesce((select array_agg(t.name order by sort_key(t.name))
                           from organisation_theme ot join theme t on t.id = ot.theme_id
                          where ot.organisation_id = o.id), '{}') as themes,
               (select count(*) from person p where p.organisation_id = o.id and p.erased_at is null) as people
        """;

    public static bool IsKnownSort(string? sort) =>
        string.IsNullOrWhiteSpace(sort) || SortColumns.ContainsKey(sort.Trim().ToLowerInvariant());

    public static string UnknownSortMessage(string? sort) =>
        $"Cannot sort organisations by '{sort}'. Sort by one of: {string.Join(", ", SortColumns.Keys)}.";

    /// <summary>One page of organisations and the number matching, in one round trip. The caller has checked the sort with <see cref="IsKnownSort"/>.</summary>
    public static async Task<OrganisationPage> PageAsync(NpgsqlConnection db, OrganisationFilter filter, CancellationToken ct)
    {
        var args = Arguments(filter);
        // Pick the page on the bare table first, then decorate only its 50 rows.
        var sql = CountSql + $"""
            with page as (
                select o.id, row_number() over (order by {Order(filter)}) as position
                from organisation o
                left join country c on c.code = o.country_code
                {Where}
                order by {Order(filter)}
                {PageWindow.Sql(PageSize, filter.PageNumber)}
            )
            {RowColumns}
            from page
            join organisation o on o.id = page.id
            left join country c on c.code = o.country_code
            left join region r on r.id = o.region_id
            order by page.position
            """;
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(sql, args, cancellationToken: ct));
        var total = await reader.ReadSingleAsync<long>();
        var rows = (await reader.ReadAsync<OrganisationRow>()).ToList();
        return new OrganisationPage(rows, total, filter.PageNumber, PageSize);
    }

    /// <summary>Every matching organisation in sort order, streamed row by row (for CSV export).</summary>
    public static async IAsyncEnumerable<OrganisationRow> StreamAsync(NpgsqlConnection db, OrganisationFilter filter, [EnumeratorCancellation] CancellationToken ct)
    {
        var sql = $"""
            {RowColumns}
            from organisation o
            left join country c on c.code = o.country_code
            left join region r on r.id = o.region_id
            {Where}
            order by {Order(filter)}
            """;
        await foreach (var row in db.QueryUnbufferedAsync<OrganisationRow>(sql, Arguments(filter)).WithCancellation(ct))
        {
            yield return row;
        }
    }

    /// <summary>
    /// A tsquery that prefix-matches every word typed: letters and digits only, so nothing the user
    /// types is read as tsquery syntax. Null when nothing searchable is left.
    /// </summary>
    public static string? PrefixQuery(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (var ch in text.Normalize(NormalizationForm.FormC))
        {
            if (char.IsLetterOrDigit(ch))
            {
                current.Append(char.ToLowerInvariant(ch));
            }
            else if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }
        if (current.Length > 0)
        {
            tokens.Add(current.ToString());
        }
        return tokens.Count == 0 ? null : string.Join(" & ", tokens.Take(16).Select(t => t + ":*"));
    }

    private static string Order(OrganisationFilter filter)
    {
        var column = SortColumns.TryGetValue(filter.SortKey, out var sql)
            ? sql
            : throw new ArgumentException(UnknownSortMessage(filter.Sort), nameof(filter));
        var direction = filter.Descending ? "desc nulls last" : "asc nulls last";
        return $"{column} {direction}, o.name_sort_key, o.id";
    }

    private static DynamicParameters Arguments(OrganisationFilter filter)
    {
        var prefixQuery = PrefixQuery(filter.Q);
        var args = new DynamicParameters();
        args.Add("q", prefixQuery is null ? null : filter.Q!.Trim(), System.Data.DbType.String);
        args.Add("prefixQuery", prefixQuery, System.Data.DbType.String);
        args.Add("kind", string.IsNullOrWhiteSpace(filter.Kind) ? null : filter.Kind.Trim(), System.Data.DbType.String);
        args.Add("country", Rules.NormaliseCountry(filter.Country), System.Data.DbType.String);
        args.Add("regionId", filter.RegionId, System.Data.DbType.Int64);
        args.Add("themeId", filter.ThemeId, System.Data.DbType.Int64);
        return args;
    }
}
