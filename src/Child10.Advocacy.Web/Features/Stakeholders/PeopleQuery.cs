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

/// <summary>One person as lists, exports and audiences see them.</summary>
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

public sealed record PeoplePage(IReadOnlyList<PeopleRow> Rows, long Total, int Page, int PageSize)
{
    public int FirstNumber => Rows.Count == 0 ? 0 : (Page - 1) * PageSize + 1;

    public int LastNumber => Rows.Count == 0 ? 0 : FirstNumber + Rows.Count - 1;

    public int PageCount => (int)Math.Max(1, (Total + PageSize - 1) / PageSize);
}

/// <summary>
/// Search over people: accent-insensitive full text with prefix matching, trigram similarity on names for
/// misspellings, and the organisation's name; filters; sort from a whitelist. Erased people never appear.
/// The people list, its CSV export, the segments page and briefing audiences all use it.
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

    // Column names of the inner select, so that the same clause orders the page and the rows around it.
    private static string OrderBy(string sort, bool descending)
    {
        var dir = descending ? " desc" : "";
        return sort switch
        {
            "organisation" => $"organisation_sort_key{dir} nulls last, name_sort_key{dir}, id{dir}",
            "country" => $"country_name{dir} nulls last, name_sort_key{dir}, id{dir}",
            "category" => $"category{dir}, name_sort_key{dir}, id{dir}",
            // Newest first is what "last updated" means; descending turns it round.
            "updated" => descending ? "updated_at, id" : "updated_at desc, id desc",
            _ => $"name_sort_key{dir}, id{dir}",
        };
    }

    private const string SelectColumns = """
        select p.id, p.full_name, p.position, p.category, p.organisation_id, o.name as organisation_name,
               o.kind as organisation_kind, p.email, p.phone, p.country_code, c.name as country_name,
               p.preferred_language, p.jurisdiction, p.data_source, p.lawful_basis, p.privacy_notice_sent_on,
               p.do_not_contact, p.updated_at,
               lower(p.full_name) as name_sort_key, lower(o.name) as organisation_sort_key
        from person p
        left join organisation o on o.id = p.organisation_id
        left join country c on c.code = p.country_code
        where p.erased_at is null
        """;

    private const string CountFrom = """
        select count(*)
        from person p
        left join organisation o on o.id = p.organisation_id
        left join country c on c.code = p.country_code
        where p.erased_at is null
        """;

    // In PeopleRow's constructor order (Dapper maps records by position); themes are aggregated for the
    // outer query's rows only, so for one page after its limit.
    private const string RowColumns = """
        select r.id, r.full_name, r.position, r.category, r.organisation_id, r.organisation_name, r.organisation_kind,
               r.email, r.phone, r.country_code, r.country_name, r.preferred_language, r.jurisdiction,
               (select string_agg(t.name, ', ' order by t.name)
                  from person_theme pt join theme t on t.id = pt.theme_id
                 where pt.person_id = r.id) as themes,
               r.data_source, r.lawful_basis, r.privacy_notice_sent_on, r.do_not_contact, r.updated_at
        """;

    // The matching ids are collected first (an init plan over a BitmapOr of the GIN, trigram, email and
    // organisation indexes), so a rare name does not walk the whole name index looking for 50 rows.
    // The text parser keeps an email address as one lexeme, so a typed address is compared whole.
    private const string SearchCondition = """

          and p.id = any (array(
                select s.id from person s
                 where s.search_document @@ to_tsquery('simple', immutable_unaccent(@tsquery))
                    or immutable_unaccent(lower(s.full_name)) % immutable_unaccent(lower(@q))
                    or s.email_normalised = lower(@q)
                    or s.organisation_id = any (array(
                           select so.id from organisation so
                            where so.search_document @@ to_tsquery('simple', immutable_unaccent(@tsquery))
                           union
                           select so.id from organisation so
                            where immutable_unaccent(lower(so.name)) % immutable_unaccent(lower(@q))))))
        """;

    private const string TrigramOnlyCondition = """

          and immutable_unaccent(lower(p.full_name)) % immutable_unaccent(lower(@q))
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

    /// <summary>One page of matching people and how many match in all, in one round trip.</summary>
    public static async Task<PeoplePage> SearchAsync(NpgsqlConnection db, PeopleFilter filter, int pageSize, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        filter = filter.Normalised();
        var (where, args) = Conditions(filter);
        var sort = SortOf(filter);
        var order = OrderBy(sort, filter.Descending);
        var sql = $"""
            {RowColumns}
            from ({SelectColumns}{where}
                  order by {order}
                  limit @limit offset @offset) r
            order by {order};
            {CountFrom}{where};
            """;
        args.Add("limit", pageSize);
        args.Add("offset", (long)(filter.Page - 1) * pageSize);
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(sql, args, cancellationToken: ct));
        var rows = (await reader.ReadAsync<PeopleRow>()).ToList();
        var total = await reader.ReadSingleAsync<long>();
        return new PeoplePage(rows, total, filter.Page, pageSize);
    }

    public static async Task<long> CountAsync(NpgsqlConnection db, PeopleFilter filter, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var (where, args) = Conditions(filter.Normalised());
        return await db.ExecuteScalarAsync<long>(new CommandDefinition(CountFrom + where, args, cancellationToken: ct));
    }

    /// <summary>Every matching person in the filter's order, streamed row by row (exports, briefing audiences).</summary>
    public static async IAsyncEnumerable<PeopleRow> AllAsync(NpgsqlConnection db, PeopleFilter filter, [EnumeratorCancellation] CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(filter);
        filter = filter.Normalised();
        var (where, args) = Conditions(filter);
        var sql = $"""
            {RowColumns}
            from ({SelectColumns}{where}) r
            order by {OrderBy(SortOf(filter), filter.Descending)}
            """;
        await using var reader = await db.ExecuteReaderAsync(new CommandDefinition(sql, args, cancellationToken: ct));
        var parse = reader.GetRowParser<PeopleRow>();
        while (await reader.ReadAsync(ct))
        {
            yield return parse(reader);
        }
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

    private static (string Where, DynamicParameters Args) Conditions(PeopleFilter filter)
    {
        var where = new StringBuilder();
        var args = new DynamicParameters();
        if (filter.Q is { } q)
        {
            var tsquery = TsQuery(q);
            where.Append(tsquery is null ? TrigramOnlyCondition : SearchCondition);
            args.Add("q", q);
            args.Add("tsquery", tsquery);
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
        return (where.ToString(), args);
    }
}
