using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Tests.Infrastructure;
using Dapper;

namespace Child10.Advocacy.Tests.Stakeholders;

/// <summary>The theme table survives the database reset (reference data), so every test removes the themes it adds.</summary>
[Collection(DatabaseGroup.Name)]
public sealed partial class ThemeTests(TestDatabase database) : IAsyncLifetime
{
    private readonly string prefix = $"Test theme {Guid.NewGuid():N}";
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync()
    {
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("delete from theme where name like @pattern", new { pattern = prefix + "%" });
        }
        await app.DisposeAsync();
    }

    [Fact]
    public async Task List_ShowsEachThemeWithItsUse()
    {
        var org = await OrganisationTestData.InsertAsync(database, "Member", "member", "MD", ["Legal reform"], 2018);
        await OrganisationTestData.InsertPersonAsync(database, "Ana", org, ["Legal reform"]);
        using var viewer = await app.SignedInClientAsync(database, "viewer");

        var html = await viewer.GetStringAsync("/stakeholders/themes");

        var legalReform = await OrganisationTestData.ThemeIdAsync(database, "Legal reform");
        Assert.Contains("<span class=\"theme-name\">Legal reform</span>", html, StringComparison.Ordinal);
        Assert.Contains($"href=\"/stakeholders/organisations?ThemeId={legalReform}\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Add a theme", html, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=delete", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThemesAndCountries_ReadInNameOrder_IgnoringAccentsAndCase()
    {
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            foreach (var name in new[] { "Zero violence", "Éducation inclusive", "birth registration", "Enfants en situation de rue" })
            {
                await db.ExecuteAsync("insert into theme (name) values (@name)", new { name = $"{prefix} {name}" });
            }
        }
        string[] expected = [$"{prefix} birth registration", $"{prefix} Éducation inclusive", $"{prefix} Enfants en situation de rue", $"{prefix} Zero violence"];
        using var viewer = await app.SignedInClientAsync(database, "viewer");

        var html = await viewer.GetStringAsync("/stakeholders/themes");
        var listed = ThemeName().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).Where(n => n.StartsWith(prefix, StringComparison.Ordinal));

        Assert.Equal(expected, listed);
        await using var conn = await database.DataSource.OpenConnectionAsync();
        var lookups = await Lookups.LoadAsync(conn, new Places(), CancellationToken.None);
        Assert.Equal(expected, lookups.Themes.Select(t => t.Name).Where(n => n.StartsWith(prefix, StringComparison.Ordinal)));
        // By code point "Åland Islands" came after "Zimbabwe", "Côte d'Ivoire" after "Czechia", "Türkiye" after "Tuvalu".
        var countries = lookups.Countries.Select(c => c.Name).ToList();
        Assert.Equal(["Afghanistan", "Åland Islands", "Albania"], countries.Take(3));
        Assert.True(countries.IndexOf("Côte d'Ivoire") < countries.IndexOf("Croatia"), "Côte d'Ivoire is listed after Croatia");
        Assert.True(countries.IndexOf("Türkiye") < countries.IndexOf("Tuvalu"), "Türkiye is listed after Tuvalu");
        Assert.Equal("Zimbabwe", countries[^1]);
    }

    [Fact]
    public async Task Create_AddsTheTheme_AndAudits()
    {
        using var lead = await app.SignedInClientAsync(database, "lead");

        using var response = await PostAsync(lead, "create", [new("NewTheme.Name", $"  {prefix} Birth registration "), new("NewTheme.Description", "Children without papers.")]);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var id = await OrganisationTestData.ThemeIdAsync(database, $"{prefix} Birth registration");
        Assert.NotEqual(0, id);
        Assert.Equal(1, await AuditCountAsync("theme.create", id));
        Assert.Contains("was added", await lead.GetStringAsync("/stakeholders/themes"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("prevention")]
    [InlineData("Legal Reform")]
    public async Task Create_WithAnExistingName_ShowsErrorAtTheName(string name)
    {
        using var lead = await app.SignedInClientAsync(database, "lead");
        var before = await OrganisationTestData.CountAsync(database, "select count(*) from theme");

        using var response = await PostAsync(lead, "create", [new("NewTheme.Name", name)]);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("already exists.", html, StringComparison.Ordinal);
        Assert.Contains("data-valmsg-for=\"NewTheme.Name\"", html, StringComparison.Ordinal);
        Assert.Equal(before, await OrganisationTestData.CountAsync(database, "select count(*) from theme"));
    }

    [Fact]
    public async Task Update_RenamesAndDescribes_AndRefusesATakenName()
    {
        var id = await InsertThemeAsync($"{prefix} Old");
        using var lead = await app.SignedInClientAsync(database, "lead");
        var idText = id.ToString(CultureInfo.InvariantCulture);

        using var taken = await PostAsync(lead, "update", [new("Changed.Id", idText), new("Changed.Name", "Prevention")]);
        using var renamed = await PostAsync(lead, "update", [new("Changed.Id", idText), new("Changed.Name", $"{prefix} New"), new("Changed.Description", "Described.")]);

        Assert.Contains("A theme called &quot;Prevention&quot; already exists.", await taken.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, renamed.StatusCode);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(($"{prefix} New", "Described."), await db.QuerySingleAsync<(string, string)>("select name, description from theme where id = @id", new { id }));
        Assert.Equal(1, await AuditCountAsync("theme.update", id));
    }

    [Fact]
    public async Task Delete_WhileUsed_IsRefusedWithTheCounts()
    {
        var name = $"{prefix} Used";
        var id = await InsertThemeAsync(name);
        var org = await OrganisationTestData.InsertAsync(database, "Member", "member", "MD", [name], 2018);
        await OrganisationTestData.InsertAsync(database, "Ministry", "government", "MD", [name]);
        await OrganisationTestData.InsertPersonAsync(database, "Ana", org, [name]);
        using var lead = await app.SignedInClientAsync(database, "lead");

        using var response = await PostAsync(lead, "delete", [new("id", id.ToString(CultureInfo.InvariantCulture))]);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Contains("was not deleted: 2 organisations and 1 person use it.", html, StringComparison.Ordinal);
        Assert.Equal(id, await OrganisationTestData.ThemeIdAsync(database, name));
        Assert.Equal(2, await OrganisationTestData.CountAsync(database, "select count(*) from organisation_theme where theme_id = @id", new { id }));
        Assert.Equal(0, await AuditCountAsync("theme.delete", id));
    }

    [Fact]
    public async Task Delete_Unused_RemovesTheTheme_AndAudits()
    {
        var id = await InsertThemeAsync($"{prefix} Unused");
        using var lead = await app.SignedInClientAsync(database, "lead");

        using var response = await PostAsync(lead, "delete", [new("id", id.ToString(CultureInfo.InvariantCulture))]);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(0, await OrganisationTestData.CountAsync(database, "select count(*) from theme where id = @id", new { id }));
        Assert.Equal(1, await AuditCountAsync("theme.delete", id));
    }

    [Fact]
    public async Task Viewer_CannotCreateUpdateOrDelete()
    {
        var id = await InsertThemeAsync($"{prefix} Kept");
        using var viewer = await app.SignedInClientAsync(database, "viewer");
        var idText = id.ToString(CultureInfo.InvariantCulture);

        using var create = await PostAsync(viewer, "create", [new("NewTheme.Name", $"{prefix} Sneaky")]);
        using var update = await PostAsync(viewer, "update", [new("Changed.Id", idText), new("Changed.Name", $"{prefix} Renamed")]);
        using var delete = await PostAsync(viewer, "delete", [new("id", idText)]);

        OrganisationTestData.AssertRefused(create);
        OrganisationTestData.AssertRefused(update);
        OrganisationTestData.AssertRefused(delete);
        Assert.Equal(1, await OrganisationTestData.CountAsync(database, "select count(*) from theme where name like @pattern", new { pattern = prefix + "%" }));
        Assert.Equal(0, await OrganisationTestData.CountAsync(database, "select count(*) from audit_event where entity = 'theme'"));
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string handler, List<KeyValuePair<string, string>> fields) =>
        OrganisationTestData.PostFormAsync(client, "/stakeholders/themes", $"/stakeholders/themes?handler={handler}", fields);

    private async Task<long> InsertThemeAsync(string name)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>("insert into theme (name) values (@name) returning id", new { name });
    }

    private Task<long> AuditCountAsync(string action, long id) =>
        OrganisationTestData.CountAsync(database, "select count(*) from audit_event where action = @action and entity = 'theme' and entity_id = @id",
            new { action, id = id.ToString(CultureInfo.InvariantCulture) });

    [GeneratedRegex("<span class=\"theme-name\">([^<]*)</span>")]
    private static partial Regex ThemeName();
}
