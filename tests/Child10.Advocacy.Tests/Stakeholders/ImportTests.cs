using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Stakeholders;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Child10.Advocacy.Tests.Stakeholders;

[Collection(DatabaseGroup.Name)]
public sealed partial class ImportTests(TestDatabase database) : IAsyncLifetime
{
    private const string PeopleHeader = "full_name,email,organisation,organisation_country,category,country,policy_areas,privacy_notice_sent_on,do_not_contact";

    private TestApp app = null!;
    private HttpClient admin = null!;

    public async Task InitializeAsync()
    {
        await database.ResetAsync();
        app = await TestApp.StartAsync(database);
        admin = await app.SignedInClientAsync(database, "admin");
        await using var db = await database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync("""
            insert into organisation (name, kind, country_code) values ('Ministry of Justice', 'government', 'SN'), ('Ministry of Justice', 'government', 'FR');
            """);
    }

    public async Task DisposeAsync()
    {
        admin.Dispose();
        await app.DisposeAsync();
    }

    [Fact]
    public async Task Preview_ListsEachProblemWithRowColumnAndWhy_AndWritesNothing()
    {
        var csv = PeopleHeader + "\n"
            + "Amina Diallo,amina@justice.sn,Ministry of Justice,SN,decision_maker,SN,Legal reform,2024-11-05,no\n"
            + "Bad Email,x@,,,,,,,\n"
            + "Bad Country,b@example.org,,,,ZZ,,,\n"
            + "Bad Org,c@example.org,Ministry of Magic,,,,,,\n"
            + "Bad Theme,d@example.org,,,,,Juggling,,\n"
            + "Bad Date,e@example.org,,,,,,05/11/2024,\n"
            + "Dup Email,AMINA@justice.sn,,,,,,,\n"
            + "Ambiguous,f@example.org,Ministry of Justice,,,,,,\n";

        var id = await UploadAsync(csv, "people.csv");
        var html = await PageAsync($"/stakeholders/import/{id}");

        Assert.Contains("7 problems to fix", html, StringComparison.Ordinal);
        AssertProblem(html, 3, "email", "'x@' is not a valid email address");
        AssertProblem(html, 4, "country", "'ZZ' is not an ISO 3166-1 alpha-2 country code");
        AssertProblem(html, 5, "organisation", "'Ministry of Magic' is not an organisation on record");
        AssertProblem(html, 6, "policy_areas", "'Juggling' is not a theme on the managed list");
        AssertProblem(html, 7, "privacy_notice_sent_on", "is not a date written YYYY-MM-DD");
        AssertProblem(html, 8, "email", "is also on row 2");
        AssertProblem(html, 9, "organisation", "exists in several countries");
        Assert.DoesNotContain("<button type=\"submit\" class=\"button\">Import", html, StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("select count(*) from person"));
    }

    [Fact]
    public async Task Upload_MissingRequiredHeaderAndUnknownHeaders_AreNamed()
    {
        var id = await UploadAsync("email,shoe_size\na@example.org,42\n", "people.csv", kind: "people");

        var html = await PageAsync($"/stakeholders/import/{id}");

        Assert.Contains("The header has no 'full_name' column", html, StringComparison.Ordinal);
        Assert.Contains("Ignored columns (not documented headers): shoe_size", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upload_InvalidUtf8_IsRefusedWithAMessage()
    {
        var bytes = Encoding.Latin1.GetBytes("full_name\nSöderström\n");

        using var response = await PostUploadAsync(bytes, "latin1.csv", "detect");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("line 2: the file is not UTF-8 text", WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync()), StringComparison.Ordinal);
        Assert.Equal(0, await CountAsync("select count(*) from import_batch"));
    }

    [Fact]
    public async Task Commit_CreatesAndDedupesByEmailThenNameAndOrganisation_InOneAuditEvent()
    {
        var ministry = await ScalarAsync<long>("select id from organisation where country_code = 'SN'");
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("""
                insert into person (full_name, email, organisation_id, position) values
                    ('Known By Email', 'Known@Example.org', null, 'Adviser'),
                    ('Mamadou Ndiayé', null, @ministry, 'Director');
                """, new { ministry });
        }
        var csv = "\uFEFFFull Name;Email;Organisation;Organisation Country;Policy Areas;Notes\r\n"
            + "Known By Email;known@example.org;;;Prevention;ignored\r\n"
            + "MAMADOU NDIAYE;mamadou@justice.sn;Ministry of Justice;SN;;\r\n"
            + "\"Nouvelle, Personne\";new@example.org;Ministry of Justice;FR;Legal reform|Prevention;\r\n";

        var id = await UploadAsync(csv, "people.csv");
        var preview = await PageAsync($"/stakeholders/import/{id}");
        Assert.Contains(">1</span><span class=\"stat__label\">will be created", preview, StringComparison.Ordinal);
        Assert.Contains(">2</span><span class=\"stat__label\">will be updated", preview, StringComparison.Ordinal);

        using var response = await CommitAsync(id, preview);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(3, await CountAsync("select count(*) from person"));
        Assert.Equal("Adviser", await ScalarAsync<string>("select position from person where email_normalised = 'known@example.org'"));
        Assert.Equal("Director", await ScalarAsync<string>("select position from person where email = 'mamadou@justice.sn'"));
        Assert.Equal(2, await CountAsync("select count(*) from person_theme pt join person p on p.id = pt.person_id where p.full_name = 'Nouvelle, Personne'"));
        Assert.Equal(1, await CountAsync("select count(*) from person_theme pt join person p on p.id = pt.person_id where p.email = 'Known@Example.org'"));
        Assert.Equal(1, await CountAsync("select count(*) from audit_event where action = 'import.commit'"));
        Assert.Equal(1, await CountAsync("select count(*) from audit_event where action = 'import.commit' and (data->>'Updated')::int = 2 and (data->>'batchId')::bigint = " + id));
        Assert.Equal("committed", await ScalarAsync<string>("select status from import_batch where id = " + id));
    }

    [Fact]
    public async Task Commit_LeavesNoSessionStateOnThePooledConnectionsItUsed()
    {
        // The app's pool does not reset a connection it takes back (Program.WithPreparedStatements): what the import
        // sets for itself (work_mem, its temporary table) must end with its transaction.
        var csv = PeopleHeader + "\n" + "Amina Diallo,amina@justice.sn,Ministry of Justice,SN,decision_maker,SN,Legal reform,2024-11-05,no\n";
        var id = await UploadAsync(csv, "people.csv");
        using (var response = await CommitAsync(id, await PageAsync($"/stakeholders/import/{id}")))
        {
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        }
        var defaultWorkMem = await ScalarAsync<string>("show work_mem");

        // Every connection the pool has idle comes out first, the ones the import used among them.
        var pool = app.App.Services.GetRequiredService<NpgsqlDataSource>();
        var held = new List<NpgsqlConnection>();
        try
        {
            for (var i = 0; i < 10; i++)
            {
                held.Add(await pool.OpenConnectionAsync());
            }
            foreach (var connection in held)
            {
                var (workMem, temporaryTables) = await connection.QuerySingleAsync<(string, long)>(
                    "select current_setting('work_mem'), (select count(*) from pg_class where relnamespace = pg_my_temp_schema())");
                Assert.Equal(defaultWorkMem, workMem);
                Assert.Equal(0, temporaryTables);
            }
        }
        finally
        {
            foreach (var connection in held)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Commit_DoNotContactFalseAndBlankCells_NeverClearWhatIsOnRecord()
    {
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("insert into person (full_name, email, phone, do_not_contact) values ('Kept Out', 'out@example.org', '+32 2 000', true)");
        }
        var id = await UploadAsync("full_name,email,phone,do_not_contact\nKept Out,out@example.org,,false\n", "people.csv");

        using var response = await CommitAsync(id, await PageAsync($"/stakeholders/import/{id}"));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.True(await ScalarAsync<bool>("select do_not_contact from person where email = 'out@example.org'"));
        Assert.Equal("+32 2 000", await ScalarAsync<string>("select phone from person where email = 'out@example.org'"));
    }

    [Fact]
    public async Task Commit_ErasedAddress_IsSkippedAndNeverReimported()
    {
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("insert into suppression (email_hash, reason) values (@hash, 'erased')", new { hash = Rules.EmailHash("gone@example.org") });
        }
        var id = await UploadAsync("full_name,email\nGone Person,GONE@example.org\nStays,stays@example.org\n", "people.csv");
        var preview = await PageAsync($"/stakeholders/import/{id}");
        Assert.Contains("erased — never re-imported", preview, StringComparison.Ordinal);

        using var response = await CommitAsync(id, preview);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(0, await CountAsync("select count(*) from person where email_normalised = 'gone@example.org'"));
        Assert.Equal(1, await CountAsync("select count(*) from person where email_normalised = 'stays@example.org'"));
    }

    [Fact]
    public async Task Commit_WhenAnyRowFailsOnTheStoredFile_WritesNothing()
    {
        var id = await UploadAsync("full_name,email,country\nGood One,good@example.org,SN\nBad One,bad@example.org,ZZ\n", "people.csv");
        var preview = await PageAsync($"/stakeholders/import/{id}");

        using var response = await CommitAsync(id, preview);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("Nothing was imported", html, StringComparison.Ordinal);
        AssertProblem(html, 3, "country", "'ZZ' is not an ISO 3166-1 alpha-2 country code");
        Assert.Equal(0, await CountAsync("select count(*) from person"));
        Assert.Equal(0, await CountAsync("select count(*) from audit_event where action = 'import.commit'"));
        Assert.Equal("uploaded", await ScalarAsync<string>("select status from import_batch where id = " + id));
    }

    [Fact]
    public async Task Commit_WhenTheDatabaseChangedSinceTheDryRun_WritesNothing_NotEvenTheRowsBeforeTheProblem()
    {
        // The commit plans the file again and writes each row as it is checked: row 2 is on its way into the
        // database when row 3 turns out to name an organisation that no longer exists.
        var id = await UploadAsync("full_name,email,organisation,organisation_country\nFirst Good,first@example.org,,\nSecond,second@example.org,Ministry of Justice,SN\n", "people.csv");
        var preview = await PageAsync($"/stakeholders/import/{id}");
        Assert.Contains("No problems found", preview, StringComparison.Ordinal);
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("delete from organisation where country_code = 'SN'");
        }

        using var response = await CommitAsync(id, preview);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());
        Assert.Contains("Nothing was imported", html, StringComparison.Ordinal);
        AssertProblem(html, 3, "organisation", "'Ministry of Justice' (SN) is not an organisation on record");
        Assert.Equal(0, await CountAsync("select count(*) from person"));
        Assert.Equal(0, await CountAsync("select count(*) from audit_event where action = 'import.commit'"));
        Assert.Equal("uploaded", await ScalarAsync<string>("select status from import_batch where id = " + id));
    }

    [Fact]
    public async Task Commit_ManyRows_EachNewPersonGetsItsOwnValuesAndThemes_AndUpdatesKeepTheirs()
    {
        await using (var db = await database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("insert into person (full_name, email, position) select 'Known ' || n, 'person' || n * 10 || '@example.org', 'Kept' from generate_series(1, 30) n");
        }
        var csv = new StringBuilder("full_name,email,position,policy_areas,do_not_contact\n");
        for (var i = 1; i <= 3000; i++)
        {
            // Every tenth row is a person on record; the others are new, with themes that depend on the row.
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"Person {i},person{i}@example.org,{(i % 10 == 0 ? "" : $"Post {i}")},{(i % 3) switch { 0 => "", 1 => "Prevention", _ => "Legal reform|Prevention" }},{(i % 7 == 0 ? "yes" : "no")}\n");
        }
        var id = await UploadAsync(csv.ToString(), "people.csv");
        var preview = await PageAsync($"/stakeholders/import/{id}");
        Assert.Contains(">2,970</span><span class=\"stat__label\">will be created", preview, StringComparison.Ordinal);
        Assert.Contains(">30</span><span class=\"stat__label\">will be updated", preview, StringComparison.Ordinal);
        Assert.Contains("The first 500 of 3,000 rows without problems", preview, StringComparison.Ordinal);

        using var response = await CommitAsync(id, preview);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(3000, await CountAsync("select count(*) from person"));
        // Each person's own row: position, do-not-contact and themes all match the number in the email.
        Assert.Equal(0, await CountAsync("""
            select count(*) from person p
            cross join lateral (select substring(p.email from 'person([0-9]+)@')::int as n) r
            where r.n <= 3000 and (
                p.position is distinct from case when r.n % 10 = 0 and r.n <= 300 then 'Kept' when r.n % 10 = 0 then null else 'Post ' || r.n end
                or p.do_not_contact <> (r.n % 7 = 0)
                or (select count(*) from person_theme pt where pt.person_id = p.id) <> case r.n % 3 when 0 then 0 when 1 then 1 else 2 end)
            """));
        Assert.Equal(1, await CountAsync("select count(*) from audit_event where action = 'import.commit' and (data->>'Created')::int = 2970"));
    }

    [Fact]
    public async Task Commit_Twice_IsRefused()
    {
        var id = await UploadAsync("full_name,email\nOnce Only,once@example.org\n", "people.csv");
        var preview = await PageAsync($"/stakeholders/import/{id}");
        using (var first = await CommitAsync(id, preview))
        {
            Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        }

        using var second = await CommitAsync(id, preview);

        Assert.Contains("already been imported", await second.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await CountAsync("select count(*) from person"));
        Assert.Equal(1, await CountAsync("select count(*) from audit_event where action = 'import.commit'"));
    }

    [Fact]
    public async Task Organisations_AreCreatedAndDedupedByNameAndCountry()
    {
        var csv = "name,kind,country,award_year,themes,website\n"
            + "ministry of justice,government,SN,,Legal reform,https://justice.sn\n"
            + "Trygga Spår,member,SE,2019,Prevention|Online sexual exploitation,\n"
            + "UNICEF,intergovernmental,,,,\n";
        var id = await UploadAsync(csv, "organisations.csv");
        var preview = await PageAsync($"/stakeholders/import/{id}");
        Assert.Contains(">2</span><span class=\"stat__label\">will be created", preview, StringComparison.Ordinal);

        using var response = await CommitAsync(id, preview);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(4, await CountAsync("select count(*) from organisation"));
        Assert.Equal("https://justice.sn", await ScalarAsync<string>("select website from organisation where country_code = 'SN'"));
        Assert.Equal(2, await CountAsync("select count(*) from organisation_theme ot join organisation o on o.id = ot.organisation_id where o.name = 'Trygga Spår'"));
        Assert.Equal("Europe", await ScalarAsync<string>("select r.name from organisation o join region r on r.id = o.region_id where o.name = 'Trygga Spår'"));
    }

    [Theory]
    [InlineData("lead")]
    [InlineData("viewer")]
    public async Task Import_IsRefusedToNonAdmins(string role)
    {
        using var client = await app.SignedInClientAsync(database, role);

        using var page = await client.GetAsync("/stakeholders/import");
        using var preview = await client.GetAsync("/stakeholders/import/1");

        AssertAccessDenied(page);
        AssertAccessDenied(preview);
    }

    [Fact]
    public async Task Template_IsADownloadableCsv()
    {
        using var response = await admin.GetAsync("/stakeholders/import?handler=template&kind=organisations");

        Assert.Equal("text/csv", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition!.DispositionType);
        Assert.StartsWith("name,kind,country", Encoding.UTF8.GetString((await response.Content.ReadAsByteArrayAsync())[3..]), StringComparison.Ordinal);
    }

    internal static void AssertAccessDenied(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal("/account/access-denied", (location.IsAbsoluteUri ? location : new Uri(new Uri("http://app"), location)).AbsolutePath);
    }

    private static void AssertProblem(string html, int row, string column, string why) =>
        Assert.Matches(new Regex($"<td>{row}</td>\\s*<td>\\s*<code>{Regex.Escape(column)}</code>\\s*</td>\\s*<td>[^<]*{Regex.Escape(why)}"), html);

    private async Task<long> UploadAsync(string csv, string fileName, string kind = "detect")
    {
        using var response = await PostUploadAsync(Encoding.UTF8.GetBytes(csv), fileName, kind);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
        return long.Parse(response.Headers.Location!.OriginalString.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
    }

    private async Task<HttpResponseMessage> PostUploadAsync(byte[] bytes, string fileName, string kind)
    {
        var page = await admin.GetStringAsync("/stakeholders/import");
        using var form = new MultipartFormDataContent();
        form.Add(new StringContent(TestApp.AntiforgeryToken(page)), "__RequestVerificationToken");
        form.Add(new StringContent(kind), "Kind");
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        form.Add(file, "Upload", fileName);
        return await admin.PostAsync("/stakeholders/import", form);
    }

    private async Task<HttpResponseMessage> CommitAsync(long id, string previewHtml)
    {
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(previewHtml) });
        return await admin.PostAsync($"/stakeholders/import/{id}", form);
    }

    private async Task<string> PageAsync(string url) => WebUtility.HtmlDecode(await admin.GetStringAsync(url));

    private async Task<long> CountAsync(string sql) => await ScalarAsync<long>(sql);

    private async Task<T> ScalarAsync<T>(string sql)
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        return (await db.ExecuteScalarAsync<T>(sql))!;
    }
}
