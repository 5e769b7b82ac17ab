using System.Net;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Tests.Stakeholders;
using Dapper;

namespace Child10.Advocacy.Tests.Admin;

[Collection(DatabaseGroup.Name)]
public sealed class StaffAdminTests(TestDatabase database) : IAsyncLifetime
{
    private TestApp app = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
    }

    public async Task DisposeAsync() => await app.DisposeAsync();

    [Fact]
    public async Task List_ShowsEveryoneWithRoleAccessAndWhatTheyAnswerFor()
    {
        using var admin = await app.SignedInClientAsync(database, "admin");
        var lead = await TestApp.CreateStaffAsync(database, "lead");
        var gone = await TestApp.CreateStaffAsync(database, "viewer");
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("update staff_user set display_name = 'Lena Lead' where id = @lead", new { lead });
            await db.ExecuteAsync("update staff_user set display_name = 'Gustav Gone', is_active = false where id = @gone", new { gone });
            await db.ExecuteAsync("insert into campaign (title, scope, status, lead_id) values ('Guardians for every child', 'national', 'active', @lead), ('Closed one', 'national', 'concluded', @lead)", new { lead });
        }

        var html = await admin.GetStringAsync("/admin/staff");

        Assert.Contains($"href=\"/admin/staff/{lead}\">Lena Lead</a>", html, StringComparison.Ordinal);
        Assert.Contains("<li>1 campaign led</li>", html, StringComparison.Ordinal);
        Assert.Contains("2 can sign in, 1 deactivated", html, StringComparison.Ordinal);
        // Deactivated people come after everyone who can still sign in.
        Assert.True(html.IndexOf("Gustav Gone", StringComparison.Ordinal) > html.IndexOf("Lena Lead", StringComparison.Ordinal));
        Assert.Contains("Deactivated</span>", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("viewer")]
    [InlineData("lead")]
    public async Task OnlyAnAdmin_SeesOrChangesAccess(string role)
    {
        using var client = await app.SignedInClientAsync(database, role);
        var other = await TestApp.CreateStaffAsync(database, "viewer");

        using var list = await client.GetAsync("/admin/staff");
        using var details = await client.GetAsync($"/admin/staff/{other}");
        var html = await client.GetStringAsync("/");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(html),
            ["expectedRole"] = "viewer",
            ["role"] = "admin",
        });
        using var promote = await client.PostAsync($"/admin/staff/{other}?handler=role", form);

        PeopleTestData.AssertForbidden(list);
        PeopleTestData.AssertForbidden(details);
        PeopleTestData.AssertForbidden(promote);
        Assert.DoesNotContain("href=\"/admin/staff\"", html, StringComparison.Ordinal);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal("viewer", await db.ExecuteScalarAsync<string>("select role from staff_user where id = @other", new { other }));
    }

    [Fact]
    public async Task RoleChange_ReachesTheirOpenSession_AndIsAudited()
    {
        using var admin = await app.SignedInClientAsync(database, "admin");
        var leadCookies = await app.SignedInCookiesAsync(database, "lead");
        using var lead = app.CreateClient(leadCookies);
        var leadId = await StaffIdAsync(database, "Test lead");
        Assert.Contains("Add a theme", await lead.GetStringAsync("/stakeholders/themes"), StringComparison.Ordinal);

        using var response = await PostAsync(admin, $"/admin/staff/{leadId}", "role", new() { ["expectedRole"] = "lead", ["role"] = "viewer" });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);

        // The same session, without signing in again: the role is the new one on the very next page.
        var themes = await lead.GetStringAsync("/stakeholders/themes");
        Assert.Contains("role-badge--viewer", themes, StringComparison.Ordinal);
        Assert.DoesNotContain("Add a theme", themes, StringComparison.Ordinal);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal("viewer", await db.ExecuteScalarAsync<string>("select role from staff_user where id = @leadId", new { leadId }));
        var audit = await db.QuerySingleAsync<(string Data, string Actor)>(
            "select data::text, actor_label from audit_event where action = 'staff.role_change' and entity_id = @id", new { id = leadId.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Contains("\"from\": \"lead\"", audit.Data, StringComparison.Ordinal);
        Assert.Contains("\"to\": \"viewer\"", audit.Data, StringComparison.Ordinal);
        Assert.Equal("Test admin", audit.Actor);
        var page = await admin.GetStringAsync($"/admin/staff/{leadId}");
        Assert.Contains("Their role is now viewer.", page, StringComparison.Ordinal);
        // The audit log names the change and links the staff member; the admin's own page lists it as their activity.
        var log = await admin.GetStringAsync("/admin/audit?action=staff.role_change");
        Assert.Contains("Changed staff role", log, StringComparison.Ordinal);
        Assert.Contains($"href=\"/admin/staff/{leadId}\"", log, StringComparison.Ordinal);
        var adminId = await StaffIdAsync(database, "Test admin");
        var own = await admin.GetStringAsync($"/admin/staff/{adminId}");
        Assert.Contains("Changed staff role <code>staff.role_change</code>", own, StringComparison.Ordinal);
        Assert.Contains($"href=\"/admin/audit?who={adminId}\"", own, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deactivation_SignsThemOut_RefusesSignIn_AndReactivationGivesAccessBack()
    {
        using var admin = await app.SignedInClientAsync(database, "admin");
        using var lead = app.CreateClient(await app.SignedInCookiesAsync(database, "lead"));
        var leadId = await StaffIdAsync(database, "Test lead");
        using (var before = await lead.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        }

        using (var off = await PostAsync(admin, $"/admin/staff/{leadId}", "deactivate", []))
        {
            Assert.Equal(HttpStatusCode.Redirect, off.StatusCode);
        }

        using (var after = await lead.GetAsync("/"))
        {
            Assert.Equal(HttpStatusCode.Redirect, after.StatusCode);
            Assert.StartsWith("/account/sign-in", after.Headers.Location!.OriginalString.Replace(app.BaseAddress.ToString().TrimEnd('/'), "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
        Assert.False(await DemoSignInAsync(leadId), "A deactivated staff member signed in again.");
        Assert.DoesNotContain($"value=\"{leadId}\"", await app.CreateClient().GetStringAsync("/account/sign-in"), StringComparison.Ordinal);

        using (var on = await PostAsync(admin, $"/admin/staff/{leadId}", "reactivate", []))
        {
            Assert.Equal(HttpStatusCode.Redirect, on.StatusCode);
        }
        Assert.True(await DemoSignInAsync(leadId), "A reactivated staff member could not sign in.");
        await using var db = await database.DataSource.OpenConnectionAsync();
        var actions = (await db.QueryAsync<string>(
            "select action from audit_event where entity = 'staff_user' and entity_id = @id and action like 'staff.%activate' order by id", new { id = leadId.ToString(System.Globalization.CultureInfo.InvariantCulture) })).ToList();
        Assert.Equal(["staff.deactivate", "staff.reactivate"], actions);
        Assert.Null(await db.ExecuteScalarAsync<DateTime?>("select deactivated_at from staff_user where id = @leadId", new { leadId }));
    }

    [Fact]
    public async Task AnAdmin_CannotChangeTheirOwnAccess()
    {
        using var admin = await app.SignedInClientAsync(database, "admin");
        var adminId = await StaffIdAsync(database, "Test admin");

        var page = await admin.GetStringAsync($"/admin/staff/{adminId}");
        using var demote = await PostAsync(admin, $"/admin/staff/{adminId}", "role", new() { ["expectedRole"] = "admin", ["role"] = "viewer" });
        using var deactivate = await PostAsync(admin, $"/admin/staff/{adminId}", "deactivate", []);

        Assert.Contains("This is you.", page, StringComparison.Ordinal);
        Assert.DoesNotContain("handler=deactivate", page, StringComparison.Ordinal);
        Assert.Contains("You cannot change your own access", await demote.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("You cannot change your own access", await deactivate.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Equal(("admin", true), await db.QuerySingleAsync<(string, bool)>("select role, is_active from staff_user where id = @adminId", new { adminId }));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action in ('staff.role_change', 'staff.deactivate')"));
    }

    [Fact]
    public async Task ARoleTheProviderManages_OrOneChangedMeanwhile_IsNotOverwritten()
    {
        using var admin = await app.SignedInClientAsync(database, "admin");
        var managed = await TestApp.CreateStaffAsync(database, "lead");
        var other = await TestApp.CreateStaffAsync(database, "lead");
        await using var db = await database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync("update staff_user set provider_role = 'lead' where id = @managed", new { managed });

        using var provider = await PostAsync(admin, $"/admin/staff/{managed}", "role", new() { ["expectedRole"] = "lead", ["role"] = "admin" });
        // The admin's page showed "viewer", but another admin has made them a lead since.
        using var stale = await PostAsync(admin, $"/admin/staff/{other}", "role", new() { ["expectedRole"] = "viewer", ["role"] = "admin" });
        using var unknown = await PostAsync(admin, $"/admin/staff/{other}", "role", new() { ["expectedRole"] = "lead", ["role"] = "owner" });

        Assert.Contains("Their role comes from the sign-in provider", await provider.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("Someone changed their role to advocacy lead while you were looking", await stale.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("&#x27;owner&#x27; is not a role", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(["lead", "lead"], await db.QueryAsync<string>("select role from staff_user where id in (@managed, @other)", new { managed, other }));
        Assert.Contains("disabled", await admin.GetStringAsync($"/admin/staff/{managed}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChangeMadeOnAnotherInstance_ReachesTheSessionAtItsNextCheck()
    {
        // Two web instances on one database share data-protection keys, so a session works on both.
        await using var other = await TestApp.StartAsync(database, new Dictionary<string, string?> { ["Auth:AccessCheckSeconds"] = "0" });
        using var admin = await app.SignedInClientAsync(database, "admin");
        var leadCookies = await app.SignedInCookiesAsync(database, "lead");
        var leadId = await StaffIdAsync(database, "Test lead");
        using var leadElsewhere = other.CreateClient(leadCookies);
        Assert.Contains("role-badge--lead", await leadElsewhere.GetStringAsync("/"), StringComparison.Ordinal);

        using (await PostAsync(admin, $"/admin/staff/{leadId}", "role", new() { ["expectedRole"] = "lead", ["role"] = "viewer" }))
        {
        }

        Assert.Contains("role-badge--viewer", await leadElsewhere.GetStringAsync("/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandOver_MovesEverythingUnfinished_ToAnActiveLead_InOneAuditedChange()
    {
        using var admin = await app.SignedInClientAsync(database, "admin");
        var leaving = await TestApp.CreateStaffAsync(database, "lead");
        var successor = await TestApp.CreateStaffAsync(database, "lead");
        var viewer = await TestApp.CreateStaffAsync(database, "viewer");
        await using var db = await database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync("update staff_user set display_name = 'Sara Successor' where id = @successor", new { successor });
        var active = await db.ExecuteScalarAsync<long>("insert into campaign (title, scope, status, lead_id) values ('Guardians', 'national', 'active', @leaving) returning id", new { leaving });
        var concluded = await db.ExecuteScalarAsync<long>("insert into campaign (title, scope, status, lead_id) values ('Done', 'national', 'concluded', @leaving) returning id", new { leaving });
        var draft = await db.ExecuteScalarAsync<long>(
            "insert into statement (campaign_id, kind, scope, title, lead_id) values (@active, 'joint_statement', 'national', 'A guardian for every child', @leaving) returning id", new { active, leaving });
        var institution = await db.ExecuteScalarAsync<long>("insert into organisation (name, kind) values ('Ministry of Justice', 'government') returning id");
        var consultation = await db.ExecuteScalarAsync<long>(
            "insert into consultation (institution_id, title, scope, closes_at, status, responsible_id) values (@institution, 'Call for evidence', 'national', now() + interval '9 days', 'open', @leaving) returning id", new { institution, leaving });
        var owned = await db.ExecuteScalarAsync<long>("insert into person (full_name, owner_staff_id) values ('Doina Turcanu', @leaving) returning id", new { leaving });
        var erased = await db.ExecuteScalarAsync<long>("insert into person (full_name, owner_staff_id, erased_at) values ('Erased', @leaving, now()) returning id", new { leaving });
        var open = await db.ExecuteScalarAsync<long>(
            "insert into interaction (kind, occurred_on, subject, follow_up_on, follow_up_owner_id) values ('call', current_date, 'Call', current_date + 3, @leaving) returning id", new { leaving });
        var done = await db.ExecuteScalarAsync<long>(
            "insert into interaction (kind, occurred_on, subject, follow_up_on, follow_up_owner_id, follow_up_done_at) values ('call', current_date, 'Old call', current_date, @leaving, now()) returning id", new { leaving });

        var page = await admin.GetStringAsync($"/admin/staff/{leaving}");
        using var toViewer = await PostAsync(admin, $"/admin/staff/{leaving}", "handOver", new() { ["to"] = viewer.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var response = await PostAsync(admin, $"/admin/staff/{leaving}", "handOver", new() { ["to"] = successor.ToString(System.Globalization.CultureInfo.InvariantCulture) });

        // Only active leads and admins are offered, and a viewer posted anyway is refused with nothing moved.
        Assert.Contains($"<option value=\"{successor}\">Sara Successor</option>", page, StringComparison.Ordinal);
        Assert.DoesNotContain($"<option value=\"{viewer}\">", page, StringComparison.Ordinal);
        Assert.Contains("Hand over to an active lead or admin", await toViewer.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(successor, await db.ExecuteScalarAsync<long>("select lead_id from campaign where id = @active", new { active }));
        Assert.Equal(leaving, await db.ExecuteScalarAsync<long>("select lead_id from campaign where id = @concluded", new { concluded }));
        Assert.Equal(successor, await db.ExecuteScalarAsync<long>("select lead_id from statement where id = @draft", new { draft }));
        Assert.Equal(successor, await db.ExecuteScalarAsync<long>("select responsible_id from consultation where id = @consultation", new { consultation }));
        Assert.Equal(successor, await db.ExecuteScalarAsync<long>("select owner_staff_id from person where id = @owned", new { owned }));
        Assert.Equal(leaving, await db.ExecuteScalarAsync<long>("select owner_staff_id from person where id = @erased", new { erased }));
        Assert.Equal(successor, await db.ExecuteScalarAsync<long>("select follow_up_owner_id from interaction where id = @open", new { open }));
        Assert.Equal(leaving, await db.ExecuteScalarAsync<long>("select follow_up_owner_id from interaction where id = @done", new { done }));
        var audit = await db.QuerySingleAsync<string>(
            "select data::text from audit_event where action = 'staff.hand_over' and entity_id = @id", new { id = leaving.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        Assert.Contains($"\"campaigns\": [{active}]", audit, StringComparison.Ordinal);
        Assert.Contains($"\"people\": [{owned}]", audit, StringComparison.Ordinal);
        Assert.Contains($"\"follow_ups\": [{open}]", audit, StringComparison.Ordinal);
        Assert.Contains("Handed to Sara Successor: 1 campaign, 1 statement, 1 consultation, 1 relationship and 1 open follow-up.", await admin.GetStringAsync($"/admin/staff/{leaving}"), StringComparison.Ordinal);
    }

    private async Task<bool> DemoSignInAsync(long staffId)
    {
        using var client = app.CreateClient();
        var page = await client.GetStringAsync("/account/sign-in");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page),
            ["StaffId"] = staffId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var response = await client.PostAsync("/account/sign-in", form);
        return response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location?.OriginalString == "/";
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, string handler, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(path);
        fields["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page);
        using var form = new FormUrlEncodedContent(fields);
        return await client.PostAsync($"{path}?handler={handler}", form);
    }

    private static async Task<long> StaffIdAsync(TestDatabase database, string name)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<long>("select id from staff_user where display_name = @name order by id desc limit 1", new { name });
    }
}
