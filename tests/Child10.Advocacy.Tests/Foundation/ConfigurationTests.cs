using System.Diagnostics;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web;
using Child10.Advocacy.Web.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Child10.Advocacy.Tests.Foundation;

public sealed class ConfigurationTests
{
    private const string SomeDatabase = "Host=127.0.0.1;Port=1;Username=postgres;Database=none";

    [Theory]
    [InlineData("Production", null, "all", "Oidc:Authority")]
    [InlineData("Development", "", "all", "ConnectionStrings:Postgres")]
    [InlineData("Development", "Host=127.0.0.1;Bogus Keyword=1", "all", "ConnectionStrings:Postgres")]
    [InlineData("Development", SomeDatabase, "everything", "Hosting:Role")]
    public void Build_WithMissingOrInvalidSetting_NamesTheKey(string environment, string? connectionString, string role, string expectedKey)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString ?? SomeDatabase,
            ["Hosting:Role"] = role,
        };

        var error = Assert.Throws<ConfigurationException>(() => Program.Build(
            ["--environment", environment, "--contentRoot", Repository.WebProject, "--hostBuilder:reloadConfigOnChange", "false"],
            builder => builder.Configuration.AddInMemoryCollection(settings)));

        Assert.Equal(expectedKey, error.Key);
        Assert.Contains($"'{expectedKey}'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(SomeDatabase, 100, true)]
    [InlineData(SomeDatabase + ";Max Auto Prepare=5;No Reset On Close=false", 5, false)]
    public void ConnectionString_PreparesStatementsAndSkipsTheReset_UnlessItSaysOtherwise(string connectionString, int maxAutoPrepare, bool noResetOnClose)
    {
        var effective = new Npgsql.NpgsqlConnectionStringBuilder(Program.WithPreparedStatements(connectionString));

        Assert.Equal(maxAutoPrepare, effective.MaxAutoPrepare);
        Assert.Equal(noResetOnClose, effective.NoResetOnClose);
        Assert.Equal("none", effective.Database);
    }

    [Fact]
    public void Build_WithOidcAuthorityButNoClientId_NamesClientId()
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = SomeDatabase,
            ["Oidc:Authority"] = "https://login.child10.example/",
        };

        var error = Assert.Throws<ConfigurationException>(() => Program.Build(
            ["--environment", "Production", "--contentRoot", Repository.WebProject, "--hostBuilder:reloadConfigOnChange", "false"],
            builder => builder.Configuration.AddInMemoryCollection(settings)));

        Assert.Equal("Oidc:ClientId", error.Key);
    }

    [Fact]
    public async Task Process_InProductionWithoutOidc_StopsWithOneLineNamingTheKey()
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Child10.Advocacy.Web.dll")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.WebProject,
        };
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Postgres"] = SomeDatabase;
        start.Environment.Remove("Oidc__Authority");
        using var process = Process.Start(start)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("Configuration key 'Oidc:Authority' is required", line, StringComparison.Ordinal);
    }
}
