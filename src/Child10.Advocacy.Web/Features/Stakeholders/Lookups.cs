using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Stakeholders;

public sealed record CountryOption(string Code, string Name, long? RegionId);

public sealed record NamedOption(long Id, string Name);

/// <summary>The managed lists forms and filters offer: countries, regions, themes, staff, member organisations.</summary>
public sealed record Lookups(
    IReadOnlyList<CountryOption> Countries,
    IReadOnlyList<NamedOption> Regions,
    IReadOnlyList<NamedOption> Themes,
    IReadOnlyList<NamedOption> Staff,
    IReadOnlyList<NamedOption> Members)
{
    private const string ThemesSql = """
        select id, name from theme order by sort_key(name), id;
        """;

    private const string StaffSql = """
        select id, display_name as name from staff_user where is_active order by sort_key(display_name), id;
        """;

    private const string PeopleListsSql = StaffSql + """
        select id, name from organisation where kind = 'member' order by name_sort_key, id;
        """;

    /// <summary>Active staff only, for a form that offers nothing else from these lists.</summary>
    public static async Task<IReadOnlyList<NamedOption>> StaffAsync(NpgsqlConnection db, CancellationToken ct) =>
        (await db.QueryAsync<NamedOption>(new CommandDefinition(StaffSql, cancellationToken: ct))).ToList();

    /// <summary>
    /// Countries, regions and themes only, what list pages filter by; Staff and Members are left empty (a network of
    /// thousands of organisations makes the member list the costly part, and only forms offer it).
    /// </summary>
    public static Task<Lookups> LoadPlacesAndThemesAsync(NpgsqlConnection db, Places places, CancellationToken ct) =>
        LoadAsync(db, places, withPeople: false, ct);

    public static Task<Lookups> LoadAsync(NpgsqlConnection db, Places places, CancellationToken ct) => LoadAsync(db, places, withPeople: true, ct);

    private static async Task<Lookups> LoadAsync(NpgsqlConnection db, Places places, bool withPeople, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(places);
        var known = await places.GetAsync(db, ct);
        var sql = withPeople ? ThemesSql + PeopleListsSql : ThemesSql;
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(sql, cancellationToken: ct));
        return new Lookups(
            known.Countries,
            known.Regions,
            (await reader.ReadAsync<NamedOption>()).ToList(),
            withPeople ? (await reader.ReadAsync<NamedOption>()).ToList() : [],
            withPeople ? (await reader.ReadAsync<NamedOption>()).ToList() : []);
    }

    public string CountryName(string? code) => Countries.FirstOrDefault(c => c.Code == code)?.Name ?? code ?? "";

    public bool IsCountry(string? code) => code is not null && Countries.Any(c => c.Code == code);
}

/// <summary>
/// Countries and regions: reference data that only migrations write (0003_reference_data.sql), never a page or a job.
/// An instance reads them once, on first use, instead of on every list page and form; a migration that changes them
/// is deployed with a restart, as every migration is.
/// </summary>
public sealed class Places
{
    private const string PlacesSql = """
        select code, name, region_id from country order by name_sort_key, code;
        select id, name from region order by name_sort_key, id;
        """;

    public sealed record Lists(IReadOnlyList<CountryOption> Countries, IReadOnlyList<NamedOption> Regions);

    private volatile Lists? known;

    public async Task<Lists> GetAsync(NpgsqlConnection db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (known is not { } lists)
        {
            // Two first visits at once both read them; the answers are the same.
            await using var reader = await db.QueryMultipleAsync(new CommandDefinition(PlacesSql, cancellationToken: ct));
            lists = new Lists((await reader.ReadAsync<CountryOption>()).ToList(), (await reader.ReadAsync<NamedOption>()).ToList());
            known = lists;
        }
        return lists;
    }
}
