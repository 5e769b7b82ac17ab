using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Dapper;

namespace Child10.Advocacy.Tests.Foundation;

[Collection(DatabaseGroup.Name)]
public sealed class SignInTests(TestDatabase database) : IAsyncLifetime
{
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task DevelopmentSignIn_ListsDemoUsers_AndSignsInThePickedOne()
    {
        var leadId = await TestApp.CreateStaffAsync(database, "lead");
        using var client = app.CreateClient();

        var page = await client.GetStringAsync("/account/sign-in");
        Assert.Contains("Test lead", page, StringComparison.Ordinal);

        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page),
            ["StaffId"] = leadId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ReturnUrl"] = "/",
        });
        using var signIn = await client.PostAsync("/account/sign-in", form);
        var home = await client.GetStringAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);
        Assert.Contains("Welcome back, Test", home, StringComparison.Ordinal);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'staff.sign_in' and actor_id = @leadId", new { leadId }));
        Assert.NotNull(await db.ExecuteScalarAsync<DateTime?>("select last_sign_in_at from staff_user where id = @leadId", new { leadId }));
    }

    [Fact]
    public async Task SignIn_WithForeignReturnUrl_StaysOnThisSite()
    {
        var id = await TestApp.CreateStaffAsync(database, "viewer");
        using var client = app.CreateClient();
        var page = await client.GetStringAsync("/account/sign-in");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page),
            ["StaffId"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["ReturnUrl"] = "https://evil.example/",
        });

        using var response = await client.PostAsync("/account/sign-in", form);

        Assert.Equal("/", response.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task SignIn_PostWithoutAntiforgeryToken_IsRefused()
    {
        var id = await TestApp.CreateStaffAsync(database, "admin");
        using var client = app.CreateClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["StaffId"] = id.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        using var response = await client.PostAsync("/account/sign-in", form);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'staff.sign_in'"));
    }

    [Fact]
    public async Task SignOut_EndsTheSession()
    {
        using var client = await app.SignedInClientAsync(database, "lead");
        var home = await client.GetStringAsync("/");

        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(home) });
        using var signOut = await client.PostAsync("/account/sign-out", form);
        using var after = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
        Assert.StartsWith("/account/sign-in", after.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SessionCookie_IsReadByASecondInstance_BecauseKeysLiveInTheDatabase()
    {
        var cookies = await app.SignedInCookiesAsync(database, "lead");
        await using var second = await TestApp.StartAsync(database);
        using var client = second.CreateClient(cookies);

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.True(await db.ExecuteScalarAsync<int>("select count(*) from data_protection_key") >= 1);
    }
}
