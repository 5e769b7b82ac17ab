using System.Net;
using System.Reflection;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Demo;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Mvc;

namespace Child10.Advocacy.Tests.Security;

/// <summary>
/// SQL injection strings in every search, filter and sort parameter of every list page (parameter names found from
/// the handlers and bound properties): the answer is a page or a 400, never a 500, and no row changes.
/// </summary>
[Collection(DatabaseGroup.Name)]
public sealed class SqlInjectionTests(TestDatabase database) : IAsyncLifetime
{
    public static readonly IReadOnlyList<string> Strings =
    [
        "' or 1=1 --",
        "'; delete from person; --",
        "x'); drop table organisation; --",
        "1; select pg_sleep(10)",
        "%' and 1=(select count(*) from staff_user) and '%'='",
        "' union select null, version() --",
        "name_sort_key desc; delete from person",
        "\" or \"\"=\"",
        "\\'\\\"%_*?[]{}()",
        "a\u0000b",
        "𝕏 ⁦RTL⁩ \uFEFF",
        new string('\'', 3000),
    ];

    // The strings also sent one parameter at a time (all of them would make the test slow).
    private static readonly HashSet<string> EachAlone = ["' or 1=1 --", "name_sort_key desc; delete from person", "a\u0000b"];

    // Names lists commonly read that a page may bind in a way reflection does not show (Request.Query).
    private static readonly string[] CommonNames = ["q", "search", "sort", "descending", "page", "status", "kind", "owner", "tab", "country", "from", "to"];

    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        await DemoSeed.RunAsync(database.DataSource, CancellationToken.None);
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task HostileQueryValues_OnEveryPage_AreHarmless()
    {
        using var client = await app.SignedInClientAsync(database, Roles.Admin);
        var pages = (await PageHandlers.AllAsync(app.App)).Where(h => !h.IsWrite() && !h.IsPublic && h.Route != "/error/{code:int?}").ToList();
        var before = await DatabaseFingerprint.TakeAsync(database);
        var failures = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        foreach (var page in pages)
        {
            var names = QueryNames(page);
            foreach (var value in Strings)
            {
                // All parameters at once, then each alone (one refused parameter must not hide another).
                var sets = new List<string[]> { names.ToArray() };
                if (EachAlone.Contains(value))
                {
                    sets.AddRange(names.Select(n => new[] { n }));
                }
                foreach (var set in sets)
                {
                    var query = string.Join("&", set.Select(n => Uri.EscapeDataString(n) + "=" + Uri.EscapeDataString(value)));
                    var url = page.Url() + (page.Url().Contains('?', StringComparison.Ordinal) ? "&" : "?") + query;
                    try
                    {
                        using var response = await client.GetAsync(url);
                        if ((int)response.StatusCode >= 500)
                        {
                            failures.Add($"GET {url} answered {(int)response.StatusCode}: {app.Errors.Last}");
                        }
                    }
                    catch (HttpRequestException ex)
                    {
                        failures.Add($"GET {url} broke off ({ex.Message}): {app.Errors.Last}");
                    }
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures.Distinct().Take(20)));
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(3), "pg_sleep ran?");
        DatabaseFingerprint.AssertUnchanged(before, await DatabaseFingerprint.TakeAsync(database), "A hostile query string");
        using var list = await client.GetAsync("/stakeholders/people");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
    }

    [Theory]
    [InlineData("/stakeholders/people?q=")]
    [InlineData("/stakeholders/organisations?q=")]
    public async Task Search_ForAQuotedName_FindsItLiterally(string path)
    {
        var name = "O'Brien'); delete from person; --";
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            var org = await db.ExecuteScalarAsync<long>("insert into organisation (name, kind) values (@name, 'ngo') returning id", new { name });
            await db.ExecuteAsync("insert into person (full_name, organisation_id) values (@name, @org)", new { name, org });
        }
        using var client = await app.SignedInClientAsync(database, Roles.Viewer);

        using var response = await client.GetAsync(path + Uri.EscapeDataString("O'Brien'); delete"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains(name, WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
    }

    // Query parameter names the page reads: handler parameters (and properties of complex ones) and bound properties.
    private static List<string> QueryNames(PageHandler page)
    {
        var names = new HashSet<string>(CommonNames, StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in page.Handler?.Parameters ?? [])
        {
            AddNames(names, parameter.Name, parameter.ParameterType);
        }
        foreach (var property in page.Page.BoundProperties)
        {
            var supportsGet = (property as Microsoft.AspNetCore.Mvc.Infrastructure.IPropertyInfoParameterDescriptor)?.PropertyInfo
                .GetCustomAttribute<BindPropertyAttribute>()?.SupportsGet ?? true;
            if (supportsGet)
            {
                AddNames(names, property.Name, property.ParameterType);
            }
        }
        names.Remove("ct");
        names.Remove("id");
        return names.Order(StringComparer.Ordinal).ToList();
    }

    private static void AddNames(HashSet<string> names, string name, Type type)
    {
        var simple = type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateOnly) || type == typeof(DateTime)
            || Nullable.GetUnderlyingType(type) is not null || type.IsArray || type == typeof(CancellationToken);
        if (simple)
        {
            if (type != typeof(CancellationToken))
            {
                names.Add(name);
            }
            return;
        }
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
        {
            names.Add(property.Name);
        }
    }
}
