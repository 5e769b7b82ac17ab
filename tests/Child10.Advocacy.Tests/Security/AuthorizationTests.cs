using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Tests.Stakeholders;
using Child10.Advocacy.Web.Features.Demo;
using Child10.Advocacy.Web.Infrastructure.Auth;

namespace Child10.Advocacy.Tests.Security;

/// <summary>
/// Who may run what, checked over every page and handler the running app has (found at run time, so pages added
/// later are covered): anonymous requests are sent to sign-in, viewers cannot write, leads cannot run admin pages,
/// a POST without an antiforgery token is refused, and none of the refused requests writes anything.
/// </summary>
[Collection(DatabaseGroup.Name)]
public sealed class AuthorizationTests(TestDatabase database) : IAsyncLifetime
{
    // Handlers a viewer may run, because they change only the caller's own things. Adding one is a decision:
    // it needs [AnyStaffMayWrite(reason)] on the page and a line here.
    private static readonly HashSet<string> AnyStaffWrites =
    [
        "POST /calendar?handler=Create",
        "POST /calendar?handler=Renew",
        "POST /calendar?handler=Revoke",
    ];

    private TestApp app = null!;
    private IReadOnlyList<PageHandler> handlers = [];

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        await DemoSeed.RunAsync(database.DataSource, CancellationToken.None);
        app = await TestApp.StartAsync(database);
        handlers = await PageHandlers.AllAsync(app.App);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public void Discovery_FindsTheKnownWriteHandlers()
    {
        var writes = handlers.Where(h => h.IsWrite()).Select(h => $"{h.Method} {h.Url()}").ToList();

        // A sample of handlers that exist today: if discovery broke, the tests below would pass on nothing.
        Assert.Contains("POST /campaigns/1?handler=AddTarget", writes);
        Assert.Contains("POST /stakeholders/people/1/edit", writes);
        Assert.Contains("POST /follow-ups?handler=Done", writes);
        Assert.True(writes.Count > 25, $"Only {writes.Count} write handlers found: {string.Join(", ", writes)}");
    }

    [Fact]
    public void EveryWriteHandlerOfASignedInPage_RequiresCanEdit_UnlessListed()
    {
        var optedOut = handlers
            .Where(h => h.IsWrite() && !h.IsPublic && !WriteHandlers.RequiresCanEdit(h.Page, h.Handler, h.Method))
            .Select(h => $"{h.Method} {h.Url()}")
            .ToHashSet();

        Assert.Equal(AnyStaffWrites.Order(), optedOut.Order());
        // The rule is applied by a filter on every page, not only described by RequiresCanEdit.
        Assert.All(handlers.Where(h => !h.IsPublic), h => Assert.Contains(h.Page.FilterDescriptors, f => f.Filter.GetType().DeclaringType == typeof(WriteHandlers)));
    }

    [Fact]
    public void OnlyPublicPages_SkipTheAntiforgeryCheck()
    {
        var skipping = handlers.Where(h => h.IgnoresAntiforgery && !h.IsPublic).Select(h => h.ToString()).ToList();

        Assert.Empty(skipping);
    }

    [Fact]
    public async Task Anonymous_GetAndPostOfEverySignedInPage_AreSentToSignIn()
    {
        using var client = app.CreateClient();
        var before = await DatabaseFingerprint.TakeAsync(database);

        foreach (var handler in handlers.Where(h => !h.IsPublic))
        {
            using var request = new HttpRequestMessage(new HttpMethod(handler.Method), handler.Url())
            {
                Content = handler.IsWrite() ? new FormUrlEncodedContent(new Dictionary<string, string> { ["Name"] = "x" }) : null,
            };
            using var response = await client.SendAsync(request);

            Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"{handler} answered {(int)response.StatusCode}, not a redirect to sign-in");
            Assert.StartsWith("/account/sign-in", response.Headers.Location!.PathAndQuery, StringComparison.Ordinal);
        }

        DatabaseFingerprint.AssertUnchanged(before, await DatabaseFingerprint.TakeAsync(database), "An anonymous request");
    }

    [Fact]
    public async Task Viewer_CannotRunAnyLeadOrAdminHandler_AndNothingChanges()
    {
        using var client = await app.SignedInClientAsync(database, Roles.Viewer);
        var token = TestApp.AntiforgeryToken(await client.GetStringAsync("/"));
        var before = await DatabaseFingerprint.TakeAsync(database);
        var refused = handlers.Where(h => !h.IsPublic && (h.IsWrite() ? WriteHandlers.RequiresCanEdit(h.Page, h.Handler, h.Method) : h.IsAdminOnly)).ToList();
        Assert.NotEmpty(refused);

        foreach (var handler in refused)
        {
            using var response = await SendAsync(client, handler, token);
            AssertRefused(response, handler);
        }

        DatabaseFingerprint.AssertUnchanged(before, await DatabaseFingerprint.TakeAsync(database), "A viewer's refused request");
    }

    [Fact]
    public async Task Lead_CannotRunAdminOnlyPages_AndNothingChanges()
    {
        using var client = await app.SignedInClientAsync(database, Roles.Lead);
        var token = TestApp.AntiforgeryToken(await client.GetStringAsync("/"));
        var before = await DatabaseFingerprint.TakeAsync(database);
        var adminOnly = handlers.Where(h => h.IsAdminOnly).ToList();
        Assert.Contains(adminOnly, h => h.Route.StartsWith("/stakeholders/import", StringComparison.Ordinal));

        foreach (var handler in adminOnly)
        {
            using var response = await SendAsync(client, handler, token);
            AssertRefused(response, handler);
        }

        DatabaseFingerprint.AssertUnchanged(before, await DatabaseFingerprint.TakeAsync(database), "A lead's refused request");
    }

    [Fact]
    public async Task PostWithoutAntiforgeryToken_IsRefused_AndNothingChanges()
    {
        using var client = await app.SignedInClientAsync(database, Roles.Admin);
        var before = await DatabaseFingerprint.TakeAsync(database);
        var writes = handlers.Where(h => h.IsWrite() && !h.IsPublic).ToList();
        Assert.NotEmpty(writes);

        foreach (var handler in writes)
        {
            using var response = await SendAsync(client, handler, token: null);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{handler} without a token answered {(int)response.StatusCode}, not 400");
        }

        DatabaseFingerprint.AssertUnchanged(before, await DatabaseFingerprint.TakeAsync(database), "A POST without antiforgery token");
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, PageHandler handler, string? token)
    {
        var form = new Dictionary<string, string>
        {
            // Plausible values, so a handler that skipped its check would act rather than fail validation.
            ["Input.Name"] = "Refused", ["Input.Title"] = "Refused", ["Input.FullName"] = "Refused", ["Name"] = "Refused",
            ["done"] = "true", ["Kind"] = "people",
        };
        if (token is not null)
        {
            form["__RequestVerificationToken"] = token;
        }
        using var request = new HttpRequestMessage(new HttpMethod(handler.Method), handler.Url())
        {
            Content = handler.IsWrite() ? new FormUrlEncodedContent(form) : null,
        };
        return await client.SendAsync(request);
    }

    private static void AssertRefused(HttpResponseMessage response, PageHandler handler)
    {
        try
        {
            PeopleTestData.AssertForbidden(response);
        }
        catch (Xunit.Sdk.XunitException ex)
        {
            throw new Xunit.Sdk.XunitException($"{handler}: {ex.Message}");
        }
    }
}
