using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Database;
using Dapper;
using DbUp.Engine;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Child10.Advocacy.Tests.Foundation;

[Collection(DatabaseGroup.Name)]
public sealed class MigrationTests(TestDatabase database) : IAsyncLifetime
{
    public Task InitializeAsync() => database.ResetAsync();

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task FreshDatabase_AfterMigrations_HasFoundationTablesAndNothingPending()
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        var tables = (await db.QueryAsync<string>("select table_name from information_schema.tables where table_schema = 'public'")).ToHashSet();

        Assert.Superset(new HashSet<string> { "staff_user", "audit_event", "data_protection_key", "organisation", "person", "schemaversions" }, tables);
        Assert.Empty(new Migrations(database.DataSource, NullLogger<Migrations>.Instance).Pending());
        Assert.Equal(Migrations.EmbeddedScripts().Count, await db.ExecuteScalarAsync<int>("select count(*) from schemaversions"));
    }

    [Fact]
    public void EmbeddedScripts_AreNumberedAndInOrder()
    {
        var names = Migrations.EmbeddedScripts().Select(s => s.Name).ToList();

        Assert.NotEmpty(names);
        Assert.All(names, name => Assert.Matches(@"^\d{4}_[a-z0-9_]+\.sql$", name));
        Assert.Equal(names.Order(StringComparer.Ordinal), names);
        Assert.Equal(Directory.GetFiles(Path.Combine(Repository.Root, "migrations"), "*.sql").Select(Path.GetFileName).Order(StringComparer.Ordinal), names);
    }

    [Fact]
    public async Task FailingMigration_RollsBackItsWholeScript_AndThrowsNamingIt()
    {
        var migrations = new Migrations(database.DataSource, NullLogger<Migrations>.Instance);
        var broken = new SqlScript("9999_broken.sql", "create table half_written (id int);\ninsert into no_such_table values (1);");

        var error = await Assert.ThrowsAsync<MigrationFailedException>(() =>
            migrations.ApplyAsync(CancellationToken.None, Migrations.EmbeddedScripts().Append(broken)));

        Assert.Equal("9999_broken.sql", error.Script);
        await using var db = await database.DataSource.OpenConnectionAsync();
        Assert.Null(await db.ExecuteScalarAsync<string?>("select to_regclass('public.half_written')::text"));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from schemaversions where scriptname = '9999_broken.sql'"));
    }

    [Fact]
    public async Task ImmutableUnaccent_OnASuperuserServer_CallsUnaccentDirectly_AndAgreesWithItsDictionary()
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        string[] samples = ["Wickström", "Çağlar Øresund", "ŒUVRE ﬁne", "Ngũgĩ wa Thiong'o", "Đặng Thị Ngọc", "plain ascii", "", "Ærø – “quoted”"];

        var pairs = (await db.QueryAsync<(string Direct, string Dictionary)>(
            "select immutable_unaccent(s), public.unaccent('public.unaccent'::regdictionary, s) from unnest(@samples) as s",
            new { samples })).ToList();
        var language = await db.ExecuteScalarAsync<string>(
            "select l.lanname from pg_proc p join pg_language l on l.oid = p.prolang where p.proname = 'immutable_unaccent'");

        Assert.Equal(samples.Length, pairs.Count);
        Assert.All(pairs, pair => Assert.Equal(pair.Dictionary, pair.Direct));
        Assert.Contains(("Wickstrom", "Wickstrom"), pairs);
        // The test server's user is a superuser, so migration 0021 replaced the SQL wrapper.
        Assert.Equal("c", language);
    }

    [Fact]
    public async Task RandomPageCost_IsSetForTheDatabase_SoForeignKeyChecksOfACountryReadItsPrimaryKey()
    {
        // A session that starts after the migrations takes the database's setting.
        await using var db = await OpenNewSessionAsync();

        Assert.Equal("1.1", await db.ExecuteScalarAsync<string>("show random_page_cost"));
        // The statement PostgreSQL runs to check a person's country, planned as it plans it: once, for any code.
        await db.ExecuteAsync("set plan_cache_mode = force_generic_plan");
        await db.ExecuteAsync("prepare country_check(char(2)) as select 1 from only public.country x where code operator(pg_catalog.=) $1 for key share of x");
        var plan = string.Join("\n", await db.QueryAsync<string>("explain execute country_check('MD')"));
        Assert.Contains("Index Scan using country_pkey", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RandomPageCostMigration_RunByARoleThatDoesNotOwnTheDatabase_WarnsAndGoesOn()
    {
        var script = Migrations.EmbeddedScripts().Single(s => s.Name == "0023_planner_random_page_cost.sql").Contents;
        await using var db = await OpenNewSessionAsync();
        var notices = new List<PostgresNotice>();
        db.Notice += (_, e) => notices.Add(e.Notice);
        await using var tx = await db.BeginTransactionAsync();
        await db.ExecuteAsync("create role migration_probe_not_owner nologin; set local role migration_probe_not_owner", transaction: tx);

        await db.ExecuteAsync(script, transaction: tx);

        var warning = Assert.Single(notices, n => n.Severity == "WARNING");
        Assert.Contains("random_page_cost was not set", warning.MessageText, StringComparison.Ordinal);
        await tx.RollbackAsync();
    }

    // A connection of its own, outside the pool, so its session starts now and is thrown away after the test.
    private async Task<NpgsqlConnection> OpenNewSessionAsync()
    {
        var db = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database.DataSource.ConnectionString) { Pooling = false }.ConnectionString);
        await db.OpenAsync();
        return db;
    }

    [Fact]
    public async Task AuditEvent_IsAppendOnly()
    {
        await using var db = await database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync("insert into audit_event (actor_label, action, entity) values ('system:test', 'test.write', 'nothing')");

        var update = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync("update audit_event set action = 'forged'"));
        var delete = await Assert.ThrowsAsync<PostgresException>(() => db.ExecuteAsync("delete from audit_event"));

        Assert.Contains("append-only", update.MessageText, StringComparison.Ordinal);
        Assert.Contains("append-only", delete.MessageText, StringComparison.Ordinal);
        Assert.Equal("test.write", await db.ExecuteScalarAsync<string>("select action from audit_event"));
    }
}
