using Child10.Advocacy.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;

namespace Child10.Advocacy.Tests.Foundation;

public sealed class DocumentationTests
{
    [Fact]
    public void Readme_DocumentsEveryKeyOfTheExampleSettings()
    {
        var example = new ConfigurationBuilder().AddJsonFile(Path.Combine(Repository.Root, "appsettings.example.json")).Build();
        var readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md"));
        var keys = example.AsEnumerable()
            .Where(pair => pair.Value is not null)
            .Select(pair => pair.Key.StartsWith("Logging:LogLevel:", StringComparison.Ordinal) ? "Logging:LogLevel:*"
                : pair.Key.StartsWith("Oidc:RoleMap:", StringComparison.Ordinal) ? "Oidc:RoleMap"
                : pair.Key)
            .Distinct()
            .ToList();

        Assert.NotEmpty(keys);
        Assert.All(keys, key => Assert.Contains($"| `{key}` |", readme, StringComparison.Ordinal));
    }
}
