using Child10.Advocacy.Tests.Infrastructure;
using Dapper;

namespace Child10.Advocacy.Tests.Security;

/// <summary>
/// A digest of every row of every application table: two equal fingerprints mean nothing was written in between.
/// The data-protection key ring is left out (the framework may create a key on first use; that is not a change by the request).
/// </summary>
public static class DatabaseFingerprint
{
    public static async Task<IReadOnlyDictionary<string, string>> TakeAsync(TestDatabase database)
    {
        ArgumentNullException.ThrowIfNull(database);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var tables = await db.QueryAsync<string>(
            """
            select table_name from information_schema.tables
            where table_schema = 'public' and table_type = 'BASE TABLE'
              and table_name not in ('data_protection_key', 'schemaversions')
            order by table_name
            """);
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            result[table] = await db.ExecuteScalarAsync<string>(
                $"select count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') from \"{table}\" t") ?? "";
        }
        return result;
    }

    public static void AssertUnchanged(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after, string what)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changed = before.Keys.Union(after.Keys)
            .Where(t => before.GetValueOrDefault(t) != after.GetValueOrDefault(t))
            .ToList();
        Assert.True(changed.Count == 0, $"{what} changed table(s) {string.Join(", ", changed)}");
    }
}
