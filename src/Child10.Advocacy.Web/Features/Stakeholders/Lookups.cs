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
    private const string PlacesAndThemesSql = """
        select code, name, region_id from country order by name;
        select id, name from region order by name;
        select id, name from theme order by name;
        """;

    private const string PeopleListsSql = """
        select id, display_name as name from staff_user where is_active order by display_name;
        select id, name from organisation where kind = 'member' order by name;
        """;

    /// <summary>
    /// Countries, regions and themes only, what list pages filter by; Staff and Members are left empty (a network of
    /// thousands of organisations makes the member list the costly part, and only forms offer it).
    /// </summary>
    public static Task<Lookups> LoadPlacesAndThemesAsync(NpgsqlConnection db, CancellationToken ct) => LoadAsync(db, withPeople: false, ct);

    public static Task<Lookups> LoadAsync(NpgsqlConnection db, CancellationToken ct) => LoadAsync(db, withPeople: true, ct);

    private static async Task<Lookups> LoadAsync(NpgsqlConnection db, bool withPeople, CancellationToken ct)
    {
        var sql = withPeople ? PlacesAndThemesSql + PeopleListsSql : PlacesAndThemesSql;
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(sql, cancellationToken: ct));
        return new Lookups(
            (await reader.ReadAsync<CountryOption>()).ToList(),
            (await reader.ReadAsync<NamedOption>()).ToList(),
            (await reader.ReadAsync<NamedOption>()).ToList(),
            withPeople ? (await reader.ReadAsync<NamedOption>()).ToList() : [],
            withPeople ? (await reader.ReadAsync<NamedOption>()).ToList() : []);
    }

    public string CountryName(string? code) => Countries.FirstOrDefault(c => c.Code == code)?.Name ?? code ?? "";

    public bool IsCountry(string? code) => code is not null && Countries.Any(c => c.Code == code);
}
