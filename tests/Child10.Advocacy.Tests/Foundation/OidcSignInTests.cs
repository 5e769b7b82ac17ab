using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Dapper;

namespace Child10.Advocacy.Tests.Foundation;

[Collection(DatabaseGroup.Name)]
public sealed class OidcSignInTests(TestDatabase database) : IAsyncLifetime
{
    private OidcApp oidc = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        oidc = await OidcApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await oidc.DisposeAsync();

    [Fact]
    public async Task CodeFlowWithPkce_SignsIn_UpsertsStaffUser_AndMapsRole()
    {
        oidc.Provider.CurrentUser = new TestUser("sub-amira", "Amira Haddad", "amira@child10.example", "lead");
        using var client = oidc.App.CreateClient(followRedirects: true);

        using var response = await client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(oidc.App.BaseAddress.Authority, response.RequestMessage!.RequestUri!.Authority);
        Assert.Equal("/", response.RequestMessage.RequestUri.AbsolutePath);
        Assert.Contains("Welcome back, Amira", html, StringComparison.Ordinal);
        Assert.Equal(1, oidc.Provider.AuthorizeRequests);

        await using var db = await database.DataSource.OpenConnectionAsync();
        var row = await db.QuerySingleAsync<(string Issuer, string Subject, string Email, string Role)>(
            "select issuer, subject, email, role from staff_user where subject = 'sub-amira'");
        Assert.Equal(oidc.Provider.Authority.ToString().TrimEnd('/'), row.Issuer.TrimEnd('/'));
        Assert.Equal("amira@child10.example", row.Email);
        Assert.Equal("lead", row.Role);
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'staff.sign_in'"));
    }

    [Fact]
    public async Task SecondSignIn_WithChangedRole_UpdatesTheSameStaffRow()
    {
        oidc.Provider.CurrentUser = new TestUser("sub-jonas", "Jonas Berg", "jonas@child10.example", "viewer");
        using (var first = oidc.App.CreateClient(followRedirects: true))
        {
            await first.GetStringAsync("/");
        }
        oidc.Provider.CurrentUser = new TestUser("sub-jonas", "Jonas Berg", "jonas@child10.example", "viewer", "admin");
        using var second = oidc.App.CreateClient(followRedirects: true);

        var html = await second.GetStringAsync("/");

        Assert.Contains("role-badge--admin", html, StringComparison.Ordinal);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var roles = (await db.QueryAsync<string>("select role from staff_user where subject = 'sub-jonas'")).ToList();
        Assert.Equal(["admin"], roles);
    }

    [Fact]
    public async Task ARoleSetByAnAdmin_HoldsWhileTheProviderNamesNone_AndTheProvidersRoleIsRemembered()
    {
        oidc.Provider.CurrentUser = new TestUser("sub-lena", "Lena Berg", "lena@child10.example");
        using (var first = oidc.App.CreateClient(followRedirects: true))
        {
            await first.GetStringAsync("/");
        }
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(("viewer", (string?)null), await db.QuerySingleAsync<(string, string?)>("select role, provider_role from staff_user where subject = 'sub-lena'"));
        // An admin makes her a lead on the staff page; the provider still names no role at her next sign-in.
        await db.ExecuteAsync("update staff_user set role = 'lead' where subject = 'sub-lena'");
        using (var second = oidc.App.CreateClient(followRedirects: true))
        {
            Assert.Contains("role-badge--lead", await second.GetStringAsync("/"), StringComparison.Ordinal);
        }

        oidc.Provider.CurrentUser = new TestUser("sub-lena", "Lena Berg", "lena@child10.example", "viewer");
        using var third = oidc.App.CreateClient(followRedirects: true);

        Assert.Contains("role-badge--viewer", await third.GetStringAsync("/"), StringComparison.Ordinal);
        Assert.Equal(("viewer", "viewer"), await db.QuerySingleAsync<(string, string?)>("select role, provider_role from staff_user where subject = 'sub-lena'"));
    }

    [Fact]
    public async Task ProviderRefusal_ShowsSignInFailedPage_AndCreatesNoSession()
    {
        oidc.Provider.CurrentUser = new TestUser("sub-x", "Refused Person", "x@child10.example", "lead");
        oidc.Provider.DenyNext = true;
        using var client = oidc.App.CreateClient(followRedirects: true);

        using var response = await client.GetAsync("/");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("/account/sign-in-failed", response.RequestMessage!.RequestUri!.AbsolutePath);
        Assert.Contains("Sign-in did not complete", html, StringComparison.Ordinal);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from staff_user"));
    }

    [Fact]
    public async Task DevelopmentPicker_IsNotOfferedWhenOidcIsConfigured()
    {
        await TestApp.CreateStaffAsync(database, "admin");
        using var client = oidc.App.CreateClient();

        using var response = await client.GetAsync("/account/sign-in");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith(oidc.Provider.Authority.GetLeftPart(UriPartial.Authority), response.Headers.Location!.ToString(), StringComparison.Ordinal);
        Assert.Contains("code_challenge_method=S256", response.Headers.Location!.Query, StringComparison.Ordinal);
    }
}
