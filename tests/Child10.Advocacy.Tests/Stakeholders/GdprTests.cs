using System.Net;
using System.Text.Json;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Child10.Advocacy.Tests.Stakeholders;

[Collection(DatabaseGroup.Name)]
public sealed class GdprTests(TestDatabase database) : IAsyncLifetime
{
    private TestApp app = null!;
    private HttpClient admin = null!;
    private long personId;
    private long otherId;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
        admin = await app.SignedInClientAsync(database, "admin");
        await using var db = await database.DataSource.OpenConnectionAsync();
        var organisation = await db.ExecuteScalarAsync<long>("insert into organisation (name, kind, country_code, notes) values ('Ministry of Justice', 'government', 'SN', 'Our contact is amina diallo, very responsive.') returning id");
        personId = await db.ExecuteScalarAsync<long>(
            "insert into person (full_name, email, phone, position, organisation_id, data_source) values ('Amina Diallo', 'Amina.Diallo@justice.sn', '+221 1', 'Director', @organisation, 'Conference 2024') returning id",
            new { organisation });
        otherId = await db.ExecuteScalarAsync<long>("insert into person (full_name) values ('Someone Else') returning id");
        await db.ExecuteAsync("insert into person_theme (person_id, theme_id) select @personId, id from theme limit 2", new { personId });
        var interaction = await db.ExecuteScalarAsync<long>(
            "insert into interaction (kind, occurred_on, subject, notes, outcome) values ('meeting', '2024-05-02', 'Meeting with Amina Diallo', 'Wrote to amina.diallo@justice.sn afterwards. Not Aminata Diallos.', 'Diallo agreed') returning id");
        await db.ExecuteAsync("insert into interaction_person (interaction_id, person_id) values (@interaction, @personId), (@interaction, @otherId)", new { interaction, personId, otherId });
        await db.RecordAsync(null, Actor.System("test"), "person.update", "person", personId, new { fullName = "Amina Diallo", email = "amina.diallo@justice.sn" }, CancellationToken.None);
    }

    public async Task DisposeAsync()
    {
        admin.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Erase_AnonymisesPersonFreeTextAndAudit_KeepsCounts_AndSuppressesTheAddress()
    {
        var page = WebUtility.HtmlDecode(await admin.GetStringAsync($"/stakeholders/people/{personId}/erase"));
        Assert.Contains("1 interaction(s), 1 organisation note(s), 1 audit event(s)", page, StringComparison.Ordinal);

        using var response = await PostAsync($"/stakeholders/people/{personId}/erase", page, new() { ["Input.ConfirmName"] = "amina  diallo" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal($"/stakeholders/people/{personId}/erased", response.Headers.Location!.OriginalString);
        await using var db = await database.DataSource.OpenConnectionAsync();
        var person = await db.QuerySingleAsync<(string FullName, string? Email, string? Phone, string? Position, string? DataSource, bool DoNotContact, bool Erased)>(
            "select full_name, email, phone, position, data_source, do_not_contact, erased_at is not null from person where id = @personId", new { personId });
        Assert.Equal(("Erased person", null, null, null, null, true, true), person);
        Assert.Equal(0, await db.ExecuteScalarAsync<long>("select count(*) from person_theme where person_id = @personId", new { personId }));
        var interaction = await db.QuerySingleAsync<(string Subject, string Notes, string Outcome)>("select subject, notes, outcome from interaction");
        Assert.Equal("Meeting with [erased]", interaction.Subject);
        Assert.Equal("Wrote to [erased] afterwards. Not Aminata Diallos.", interaction.Notes);
        Assert.Equal("Diallo agreed", interaction.Outcome);
        Assert.Equal("Our contact is [erased], very responsive.", await db.ExecuteScalarAsync<string>("select notes from organisation"));
        Assert.Equal(2, await db.ExecuteScalarAsync<long>("select count(*) from interaction_person"));
        var audit = await db.ExecuteScalarAsync<string>("select data::text from audit_event where action = 'person.update'");
        Assert.DoesNotContain("Amina", audit!, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("erased", await db.ExecuteScalarAsync<string>("select reason from suppression where email_hash = @hash", new { hash = Rules.EmailHash("amina.diallo@justice.sn") }));
        Assert.Equal($"{{\"personId\": {personId}}}", await db.ExecuteScalarAsync<string>("select data::text from audit_event where action = 'person.erase' and entity_id = @id", new { id = personId.ToString(System.Globalization.CultureInfo.InvariantCulture) }));
    }

    [Fact]
    public async Task Erase_ScrubsTheirMailFromTheOutbox_AndCancelsWhatIsStillWaiting()
    {
        var outbox = app.App.Services.GetRequiredService<Outbox>();
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            await using var tx = await db.BeginTransactionAsync();
            await outbox.EnqueueAsync(db, tx, new MailRequest("test:erase:1", MailCategory.Transactional, "test", "test", null,
                "amina.diallo@justice.sn", "Amina Diallo", personId, new { name = "Amina Diallo", sent_by = "Child10", mail_log_url = "http://localhost/mail" }), CancellationToken.None);
            await tx.CommitAsync();
        }
        var page = WebUtility.HtmlDecode(await admin.GetStringAsync($"/stakeholders/people/{personId}/erase"));

        using var response = await PostAsync($"/stakeholders/people/{personId}/erase", page, new() { ["Input.ConfirmName"] = "Amina Diallo" });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        await using var check = await database.DataSource.OpenConnectionAsync();
        var message = await check.QuerySingleAsync<(string Status, string Address, string? Name, string Subject, string Html, string Text)>(
            "select status, recipient_address, recipient_name, subject, html_body, text_body from outbox_message where idempotency_key = 'test:erase:1'");
        Assert.Equal("cancelled", message.Status);
        Assert.DoesNotContain("amina", message.Address, StringComparison.OrdinalIgnoreCase);
        Assert.Null(message.Name);
        Assert.DoesNotContain("Amina", message.Subject + message.Html + message.Text, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Erase_WithTheWrongName_ErasesNothing()
    {
        var page = await admin.GetStringAsync($"/stakeholders/people/{personId}/erase");

        using var response = await PostAsync($"/stakeholders/people/{personId}/erase", page, new() { ["Input.ConfirmName"] = "Someone Else" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Type the name exactly as shown", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal("Amina Diallo", await ScalarAsync<string>($"select full_name from person where id = {personId}"));
    }

    [Fact]
    public async Task Erase_Twice_SaysSoClearly()
    {
        var page = await admin.GetStringAsync($"/stakeholders/people/{personId}/erase");
        using (var first = await PostAsync($"/stakeholders/people/{personId}/erase", page, new() { ["Input.ConfirmName"] = "Amina Diallo" }))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        }

        using var second = await PostAsync($"/stakeholders/people/{personId}/erase", page, new() { ["Input.ConfirmName"] = "Amina Diallo" });

        Assert.Contains("already been erased", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await ScalarAsync<long>("select count(*) from audit_event where action = 'person.erase'"));
    }

    [Fact]
    public async Task Export_GetChangesNothing_PostDownloadsEverythingAndIsAudited()
    {
        var page = await admin.GetStringAsync($"/stakeholders/people/{personId}/export");
        Assert.Equal(0, await ScalarAsync<long>("select count(*) from audit_event where action = 'person.export'"));

        using var response = await PostAsync($"/stakeholders/people/{personId}/export", page, []);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = json.RootElement;
        Assert.Equal("Amina Diallo", root.GetProperty("person").GetProperty("full_name").GetString());
        Assert.Equal("Ministry of Justice", root.GetProperty("person").GetProperty("organisation").GetString());
        Assert.Equal(2, root.GetProperty("policy_areas").GetArrayLength());
        var interaction = Assert.Single(root.GetProperty("interactions").EnumerateArray());
        Assert.Equal("Meeting with Amina Diallo", interaction.GetProperty("subject").GetString());
        Assert.Equal("Diallo agreed", interaction.GetProperty("outcome").GetString());
        Assert.Equal("person.update", Assert.Single(root.GetProperty("audit_events").EnumerateArray()).GetProperty("action").GetString());
        Assert.Equal(1, await ScalarAsync<long>("select count(*) from audit_event where action = 'person.export'"));
    }

    [Theory]
    [InlineData("lead")]
    [InlineData("viewer")]
    public async Task ExportAndErase_AreRefusedToNonAdmins(string role)
    {
        using var client = await app.SignedInClientAsync(database, role);

        using var export = await client.GetAsync($"/stakeholders/people/{personId}/export");
        using var erase = await client.GetAsync($"/stakeholders/people/{personId}/erase");

        ImportTests.AssertAccessDenied(export);
        ImportTests.AssertAccessDenied(erase);
    }

    private async Task<HttpResponseMessage> PostAsync(string url, string page, Dictionary<string, string> fields)
    {
        fields["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page);
        using var form = new FormUrlEncodedContent(fields);
        return await admin.PostAsync(url, form);
    }

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return (await db.ExecuteScalarAsync<T>(sql))!;
    }
}
