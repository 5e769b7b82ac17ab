using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using Microsoft.AspNetCore.WebUtilities;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Stakeholders;

/// <summary>
/// What the people list is filtered and sorted by. Binds from the query string (q, category, organisationKind,
/// country, regionId, themeId, jurisdiction, language, doNotContact, organisationId, sort, descending, page)
/// and is stored as JSON in segment.filter.
/// </summary>
public sealed record PeopleFilter
{
    private static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault,
    };

    public string? Q { get; init; }

    public string? Category { get; init; }

    public string? OrganisationKind { get; init; }

    public string? Country { get; init; }

    public long? RegionId { get; init; }

    public long? ThemeId { get; init; }

    public string? Jurisdiction { get; init; }

    public string? Language { get; init; }

    public bool? DoNotContact { get; init; }

    public long? OrganisationId { get; init; }

    [JsonIgnore]
    public string? Sort { get; init; }

    [JsonIgnore]
    public bool Descending { get; init; }

    [JsonIgnore]
    public int Page { get; init; } = 1;

    /// <summary>True when any condition narrows the list (sort and page do not).</summary>
    [JsonIgnore]
    public bool HasConditions =>
        !string.IsNullOrWhiteSpace(Q) || Category is not null || OrganisationKind is not null || Country is not null
        || RegionId is not null || ThemeId is not null || Jurisdiction is not null || Language is not null
        || DoNotContact is not null || OrganisationId is not null;

    /// <summary>Blank values dropped, codes in their stored case, page at least 1.</summary>
    public PeopleFilter Normalised() => this with
    {
        Q = Blank(Q) ? null : Q!.Trim(),
        Category = Blank(Category) ? null : Category!.Trim(),
        OrganisationKind = Blank(OrganisationKind) ? null : OrganisationKind!.Trim(),
        Country = Rules.NormaliseCountry(Country),
        Jurisdiction = Blank(Jurisdiction) ? null : Jurisdiction!.Trim(),
        Language = Blank(Language) ? null : Language!.Trim().ToLowerInvariant(),
        Sort = Blank(Sort) ? null : Sort!.Trim(),
        Page = Math.Max(1, Page),
    };

    /// <summary>The conditions only, as stored in segment.filter: sort and page are how one looks at a list, not who is in it.</summary>
    public string ToJson() => JsonSerializer.Serialize(Normalised(), JsonOptions);

    public static PeopleFilter FromJson(string json) =>
        (JsonSerializer.Deserialize<PeopleFilter>(json, JsonOptions) ?? new PeopleFilter()).Normalised();

    /// <summary>The query string ("?q=...&amp;country=MD") that reproduces this filter, or "" when there is nothing to say.</summary>
    public string ToQueryString()
    {
        var values = new List<KeyValuePair<string, string?>>();
        void Add(string key, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                values.Add(new(key, value));
            }
        }
        Add("q", Q);
        Add("category", Category);
        Add("organisationKind", OrganisationKind);
        Add("country", Country);
        Add("regionId", RegionId?.ToString(CultureInfo.InvariantCulture));
        Add("themeId", ThemeId?.ToString(CultureInfo.InvariantCulture));
        Add("jurisdiction", Jurisdiction);
        Add("language", Language);
        Add("doNotContact", DoNotContact is bool flag ? (flag ? "true" : "false") : null);
        Add("organisationId", OrganisationId?.ToString(CultureInfo.InvariantCulture));
        Add("sort", Sort);
        Add("descending", Descending ? "true" : null);
        Add("page", Page > 1 ? Page.ToString(CultureInfo.InvariantCulture) : null);
        return values.Count == 0 ? "" : QueryString.Create(values).ToUriComponent();
    }

    private static bool Blank(string? value) => string.IsNullOrWhiteSpace(value);
}

/// <summary>
/// One person as lists, exports and audiences see them. Themes: the person's themes, comma-separated in name order,
/// when the query was asked for them (exports), else null.
/// </summary>
public sealed record PeopleRow(
    long Id,
    string FullName,
    string? Position,
    string Category,
    long? OrganisationId,
    string? OrganisationName,
    string? OrganisationKind,
    string? Email,
    string? Phone,
    string? CountryCode,
    string? CountryName,
    string PreferredLanguage,
    string? Jurisdiction,
    string? Themes,
    string? DataSource,
    string? LawfulBasis,
    DateOnly? PrivacyNoticeSentOn,
    bool DoNotContact,
    DateTime UpdatedAt);

/// <param name="SimilarSpellings">
/// True when nothing matched the search words as typed, so the rows are people and organisations whose names
/// are spelled similarly (a misspelling such as "Wikstrom" for Wickström).
/// </param>
public sealed record PeoplePage(IReadOnlyList<PeopleRow> Rows, long Total, int Page, int PageSize, bool SimilarSpellings = false)
{
    public int FirstNumber => Rows.Count == 0 ? 0 : (Page - 1) * PageSize + 1;

    public int LastNumber => Rows.Count == 0 ? 0 : FirstNumber + Rows.Count - 1;

    public int PageCount => (int)Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>
/// Search over people: accent-insensitive full text with prefix matching on name, position and email, and the
/// organisation's name; when nothing matches the words as typed, names spelled similarly (trigram similarity, for
/// misspellings). Filters; sort from a whitelist. Erased people never appear. The people list, its CSV export, the
/// segments page and briefing audiences all use it, so a list, its export and a segment built from it agree.
/// </summary>
public static class PeopleQuery
{
    public const int DefaultPageSize = 50;

    private const int MaxSearchTokens = 8;

    /// <summary>The sorts a request may ask for. ORDER BY clauses are built from these constants only.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> Sorts =
    [
        ("name", "Name"),
        ("organisation", "Organisation"),
        ("country", "Country"),
        ("category", "Category"),
        ("updated", "Last updated"),
    ];

    /// <summary>How a search text is matched: its words as typed (full text), or names spelled like it.</summary>
    private enum Match
    {
        None,
        Words,
        SimilarSpelling,
    }

    // Sort keys by the names the key query gives them; prefix "k." orders the outer query by the same keys.
    private static string OrderBy(string sort, bool descending, string prefix = "")
    {
        var dir = descending ? " desc" : "";
        var k = prefix;
        return sort switch
        {
            "organisation" => $"{k}organisation_sort_key{dir} nulls last, {k}name_sort_key{dir}, {k}id{dir}",
            "country" => $"{k}country_sort_key{dir} nulls last, {k}name_sort_key{dir}, {k}id{dir}",
            "category" => $"{k}category{dir}, {k}name_sort_key{dir}, {k}id{dir}",
            // Newest first is what "last updated" means; descending turns it round.
            "updated" => descending ? $"{k}updated_at, {k}id" : $"{k}updated_at desc, {k}id desc",
            _ => $"{k}name_sort_key{dir}, {k}id{dir}",
        };
    }

    // The columns a sort needs besides id and the name key, and whether they need a join.
    private static (string Columns, bool Organisation, bool Country) SortColumns(string sort) => sort switch
    {
        "organisation" => (", o.name_sort_key as organisation_sort_key", true, false),
        "country" => (", c.name_sort_key as country_sort_key", false, true),
        "category" => (", p.category", false, false),
        "updated" => (", p.updated_at", false, false),
        _ => ("", false, false),
    };

    // The rows of the people a key query (k: id and sort keys) picked, in PeopleRow's constructor order (Dapper maps
    // records by position). The key query picks and orders them first, so organisation and country are read for one
    // page, not every match. Themes only when asked for, gathered for all the rows in one join.
    private static string RowsSql(string keys, string order, bool withThemes, string extraColumns = "") => $"""
        with k as ({keys}){(withThemes ? ThemesOfKeys : "")}
        select p.id, p.full_name, p.position, p.category, p.organisation_id, o.name as organisation_name, o.kind as organisation_kind,
               p.email, p.phone, p.country_code, c.name as country_name, p.preferred_language, p.jurisdiction,
               {(withThemes ? "th.themes" : "null::text as themes")},
               p.data_source, p.lawful_basis, p.privacy_notice_sent_on, p.do_not_contact, p.updated_at{extraColumns}
        from k
        join person p on p.id = k.id
        left join organisation o on o.id = p.organisation_id
        left join country c on c.code = p.country_code{(withThemes ? "\nleft join th on th.person_id = k.id" : "")}
        order by {order}
        """;

    private const string ThemesOfKeys = """
        ,
        th as (select pt.person_id, string_agg(t.name, ', ' order by sort_key(t.name)) as themes
                 from person_theme pt join theme t on t.id = pt.theme_id
                where pt.person_id in (select id from k)
                group by pt.person_id)
        """;

    // Full text over the person's name, position and email, an address typed whole (the text parser keeps an email
    // address as one lexeme), and people of organisations whose name or notes match.
    private const string WordsCondition = """

          and (p.search_document @@ to_tsquery('simple', immutable_unaccent(@tsquery))
               or p.email_normalised = lower(@q)
               or p.organisation_id = any (array(
                      select so.id from organisation so
                       where so.search_document @@ to_tsquery('simple', immutable_unaccent(@tsquery)))))
        """;

    // Only asked when the words match nobody. The ids are collected first (a BitmapOr over the trigram indexes).
    private const string SimilarSpellingCondition = """

          and p.id = any (array(
                select s.id from person s
                 where s.name_sort_key % immutable_unaccent(lower(@q))
                    or s.organisation_id = any (array(
                           select so.id from organisation so
                            where so.name_sort_key % immutable_unaccent(lower(@q))))))
        """;

    private const string CategoryCondition = "\n  and p.category = @category";
    private const string OrganisationKindCondition = "\n  and o.kind = @organisationKind";
    // A text parameter compared with the char(2) column would cast the column and miss its indexes.
    private const string CountryCondition = "\n  and p.country_code = cast(@country as char(2))";
    private const string RegionCondition = "\n  and (c.region_id = @regionId or (p.country_code is null and o.region_id = @regionId))";
    private const string ThemeCondition = "\n  and exists (select 1 from person_theme ft where ft.person_id = p.id and ft.theme_id = @themeId)";
    private const string JurisdictionCondition = "\n  and p.jurisdiction = @jurisdiction";
    private const string LanguageCondition = "\n  and p.preferred_language = @language";
    private const string DoNotContactCondition = "\n  and p.do_not_contact = @doNotContact";
    private const string OrganisationCondition = "\n  and p.organisation_id = @organisationId";

    public static bool IsKnownSort(string? sort) =>
        string.IsNullOrWhiteSpace(sort) || Sorts.Any(s => s.Value == sort.Trim());

    public static string UnknownSortMessage(string? sort) =>
        $"Cannot sort by '{sort}'. Sort by one of: {string.Join(", ", Sorts.Select(s => s.Value))}.";

    /// <summary>
    /// One page of matching people and how many match in all, in one round trip (two when a search matches nobody
    /// by its words and falls back to similar spellings). The rows carry no themes (Themes is null): the pages that
    /// list people do not show them.
    /// </summary>
    public static async Task<PeoplePage> SearchAsync(NpgsqlConnection db, PeopleFilter filter, int pageSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        filter = filter.Normalised();
        var match = FirstMatch(filter);
        var page = await PageAsync(db, filter, match, pageSize, ct);
        if (page.Total == 0 && match == Match.Words)
        {
            var similar = await PageAsync(db, filter, Match.SimilarSpelling, pageSize, ct);
            if (similar.Total > 0)
            {
                return similar with { SimilarSpellings = true };
            }
        }
        return page;
    }

    public static async Task<long> CountAsync(NpgsqlConnection db, PeopleFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        filter = filter.Normalised();
        var match = FirstMatch(filter);
        var total = await CountAsync(db, filter, match, ct);
        return total == 0 && match == Match.Words ? await CountAsync(db, filter, Match.SimilarSpelling, ct) : total;
    }

    /// <summary>
    /// Every matching person in the filter's order, streamed row by row (exports, briefing audiences); each person's
    /// themes, in name order, only <paramref name="withThemes"/>.
    /// </summary>
    public static async IAsyncEnumerable<PeopleRow> AllAsync(NpgsqlConnection db, PeopleFilter filter, bool withThemes, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        filter = filter.Normalised();
        var match = FirstMatch(filter);
        if (match == Match.Words && !await AnyAsync(db, filter, Match.Words, ct))
        {
            match = Match.SimilarSpelling;
        }
        var query = Query.Of(filter, match);
        var sql = RowsSql(query.Keys, OrderBy(query.Sort, filter.Descending, "k."), withThemes);
        await using var reader = await db.ExecuteReaderAsync(new CommandDefinition(sql, query.Args, cancellationToken: ct));
        var parse = reader.GetRowParser<PeopleRow>();
        while (await reader.ReadAsync(ct))
        {
            yield return parse(reader);
        }
    }

    private static Match FirstMatch(PeopleFilter filter) =>
        filter.Q is null ? Match.None : TsQuery(filter.Q) is null ? Match.SimilarSpelling : Match.Words;

    private static async Task<PeoplePage> PageAsync(NpgsqlConnection db, PeopleFilter filter, Match match, int pageSize, CancellationToken ct)
    {
        var query = Query.Of(filter, match);
        var window = PageWindow.Sql(pageSize, filter.Page);
        string sql;
        if (match == Match.None)
        {
            // The key query can read an index in the list's order and stop after one page; the count is separate
            // and joins only what the filters need, so it can be answered from an index alone.
            sql = RowsSql($"""
                {query.Keys}
                order by {OrderBy(query.Sort, filter.Descending)}
                {window}
                """, OrderBy(query.Sort, filter.Descending, "k."), withThemes: false) + $"""
                ;
                {query.Count};
                """;
            await using var reader = await db.QueryMultipleAsync(new CommandDefinition(sql, query.Args, cancellationToken: ct));
            var rows = (await reader.ReadAsync<PeopleRow>()).ToList();
            var total = await reader.ReadSingleAsync<long>();
            return new PeoplePage(rows, total, filter.Page, pageSize);
        }

        // A search collects its matches once (OFFSET 0 keeps the planner from walking the name index in order and
        // testing every person), counts them with a window, and orders them.
        sql = RowsSql($"""
            select m.*, count(*) over () as total
            from ({query.Keys} offset 0) m
            order by {OrderBy(query.Sort, filter.Descending)}
            {window}
            """, OrderBy(query.Sort, filter.Descending, "k."), withThemes: false, ", k.total");
        long matched = 0;
        var found = (await db.QueryAsync<PeopleRow, long, PeopleRow>(new CommandDefinition(sql, query.Args, cancellationToken: ct),
            (row, total) =>
            {
                matched = total;
                return row;
            },
            splitOn: "total")).ToList();
        if (found.Count == 0 && filter.Page > 1)
        {
            // Past the last page: the window saw no row, so count on its own.
            matched = await CountAsync(db, filter, match, ct);
        }
        return new PeoplePage(found, matched, filter.Page, pageSize);
    }

    // Whether anyone matches: stops at the first match instead of counting them all.
    private static Task<bool> AnyAsync(NpgsqlConnection db, PeopleFilter filter, Match match, CancellationToken ct)
    {
        var query = Query.Of(filter, match);
        return db.ExecuteScalarAsync<bool>(new CommandDefinition($"select exists ({query.Keys})", query.Args, cancellationToken: ct));
    }

    private static Task<long> CountAsync(NpgsqlConnection db, PeopleFilter filter, Match match, CancellationToken ct)
    {
        var query = Query.Of(filter, match);
        return db.ExecuteScalarAsync<long>(new CommandDefinition(query.Count, query.Args, cancellationToken: ct));
    }

    /// <summary>
    /// The SQL of one filter: Keys selects the matching ids with the sort's keys, joining organisation and country
    /// only when a condition or the sort needs them; Count counts the same rows.
    /// </summary>
    private sealed record Query(string Keys, string Count, string Sort, DynamicParameters Args)
    {
        public static Query Of(PeopleFilter filter, Match match)
        {
            var sort = SortOf(filter);
            var (where, args, organisation, country) = Conditions(filter, match);
            var (sortColumns, sortOrganisation, sortCountry) = SortColumns(sort);
            var from = "\nfrom person p" + Joins(organisation, country);
            var keys = $"select p.id, p.name_sort_key{sortColumns}"
                + "\nfrom person p" + Joins(organisation || sortOrganisation, country || sortCountry)
                + "\nwhere p.erased_at is null" + where;
            var count = "select count(*)" + from + "\nwhere p.erased_at is null" + where;
            return new Query(keys, count, sort, args);
        }

        private static string Joins(bool organisation, bool country) =>
            (organisation ? "\nleft join organisation o on o.id = p.organisation_id" : "")
            + (country ? "\nleft join country c on c.code = p.country_code" : "");
    }

    /// <summary>
    /// "o'brien  Söder" → "o:* &amp; brien:* &amp; soder:*": only runs of letters and digits survive, so nothing the user
    /// types reaches tsquery syntax. Null when the text holds no word.
    /// </summary>
    public static string? TsQuery(string? text)
    {
        var tokens = Tokens(text);
        return tokens.Count == 0 ? null : string.Join(" & ", tokens.Select(t => t + ":*"));
    }

    /// <summary>
    /// Compatibility-decomposed, marks removed, lower case; split on anything that is not a letter or a digit.
    /// Modifier letters (ʼ ː ˆ ...) split too: unaccent would turn them into quotes and colons.
    /// </summary>
    public static IReadOnlyList<string> Tokens(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return [];
        }
        var decomposed = text.Normalize(NormalizationForm.FormKD);
        var tokens = new List<string>();
        var current = new StringBuilder();
        foreach (var ch in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(ch);
            if (category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark)
            {
                continue;
            }
            if (category is UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber)
            {
                current.Append(char.ToLowerInvariant(ch));
                continue;
            }
            Flush();
        }
        Flush();
        return tokens.Distinct(StringComparer.Ordinal).Take(MaxSearchTokens).ToList();

        void Flush()
        {
            if (current.Length > 0)
            {
                tokens.Add(current.ToString());
                current.Clear();
            }
        }
    }

    private static string SortOf(PeopleFilter filter) =>
        filter.Sort is null ? "name"
        : IsKnownSort(filter.Sort) ? filter.Sort
        : throw new ArgumentException(UnknownSortMessage(filter.Sort), nameof(filter));

    private static (string Where, DynamicParameters Args, bool Organisation, bool Country) Conditions(PeopleFilter filter, Match match)
    {
        var where = new StringBuilder();
        var args = new DynamicParameters();
        if (match != Match.None && filter.Q is { } q)
        {
            where.Append(match == Match.Words ? WordsCondition : SimilarSpellingCondition);
            args.Add("q", q);
            args.Add("tsquery", TsQuery(q));
        }
        void When(bool present, string condition, string name, object? value)
        {
            if (present)
            {
                where.Append(condition);
                args.Add(name, value);
            }
        }
        When(filter.Category is not null, CategoryCondition, "category", filter.Category);
        When(filter.OrganisationKind is not null, OrganisationKindCondition, "organisationKind", filter.OrganisationKind);
        When(filter.Country is not null, CountryCondition, "country", filter.Country);
        When(filter.RegionId is not null, RegionCondition, "regionId", filter.RegionId);
        When(filter.ThemeId is not null, ThemeCondition, "themeId", filter.ThemeId);
        When(filter.Jurisdiction is not null, JurisdictionCondition, "jurisdiction", filter.Jurisdiction);
        When(filter.Language is not null, LanguageCondition, "language", filter.Language);
        When(filter.DoNotContact is not null, DoNotContactCondition, "doNotContact", filter.DoNotContact);
        When(filter.OrganisationId is not null, OrganisationCondition, "organisationId", filter.OrganisationId);
        var organisation = filter.OrganisationKind is not null || filter.RegionId is not null;
        var country = filter.RegionId is not null;
        return (where.ToString(), args, organisation, country);
    }
}
