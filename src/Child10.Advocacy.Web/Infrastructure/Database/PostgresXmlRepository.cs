using System.Xml.Linq;
using Dapper;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Child10.Advocacy.Web.Infrastructure.Database;

/// <summary>Data-protection keys in PostgreSQL, so every instance can read every cookie and antiforgery token.</summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource dataSource) : IXmlRepository
{
    private const string SelectSql = "select xml from data_protection_key order by id";

    private const string InsertSql = """
        insert into data_protection_key (friendly_name, xml)
        values (@friendlyName, @xml)
        on conflict (friendly_name) do nothing
        """;

    // IXmlRepository is synchronous by contract; the key ring is read rarely and cached.
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = dataSource.OpenConnection();
        return db.Query<string>(SelectSql).Select(XElement.Parse).ToList();
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = dataSource.OpenConnection();
        db.Execute(InsertSql, new { friendlyName, xml = element.ToString(SaveOptions.DisableFormatting) });
    }
}
