namespace Child10.Advocacy.Web.Infrastructure.Database;

/// <summary>snake_case columns map onto PascalCase members and record parameters everywhere Dapper is used.</summary>
public static class DapperConventions
{
    public static void Apply() => Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
}
