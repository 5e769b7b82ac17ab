using System.Runtime.CompilerServices;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Child10.Advocacy.Web.Features.Stakeholders.Import;

/// <summary>One people row ready to write. Null means "leave as it is" on update (blank cells never blank a value).</summary>
public sealed record PersonValues(
    int Row,
    RowAction Action,
    long? PersonId,
    string? FullName,
    string? Position,
    string? Category,
    long? OrganisationId,
    string? Email,
    string? Phone,
    string? Country,
    string? Language,
    string? Jurisdiction,
    string? DataSource,
    string? LawfulBasis,
    DateOnly? PrivacyNoticeSentOn,
    bool? DoNotContact,
    long[] ThemeIds);

/// <summary>
/// People import: checked in C# against lookups loaded once, one record at a time. A commit writes each checked row as it
/// goes, so the database indexes new people while the rest of the file is still being checked: new people by binary COPY
/// straight into person, updates gathered into a temporary table and applied with one update at the end.
/// </summary>
public static class PeopleImport
{
    private const string LookupsSql = """
        select greatest(reltuples, 0)::bigint from pg_class where oid = 'person'::regclass;
        select code from country;
        select id, lower(name) as name from theme;
        select id, name, country_code from organisation;
        select id, full_name, email_normalised, organisation_id, erased_at is not null as erased from person;
        select email_hash from suppression where reason = 'erased';
        """;

    private sealed record OrganisationRow(long Id, string Name, string? CountryCode);

    /// <summary>
    /// Plans the records (<paramref name="rowsAtMost"/> bounds the rows of the file, so the people any of them can create);
    /// with <paramref name="write"/> it also writes them inside <paramref name="tx"/> as they are checked, and stops
    /// writing at the first problem.
    /// </summary>
    internal static async Task<ImportPlan> PlanAsync(NpgsqlConnection db, NpgsqlTransaction? tx, IEnumerable<CsvRecord> records, HeaderMap header, int rowsAtMost, ImportPlan.Writing? write, CancellationToken ct)
    {
        // Identities are drawn on a second connection while this one loads the lookups (nextval is outside any transaction anyway).
        var ids = write is { Source: { } source } ? PeopleWriter.DrawIdsAsync(source, rowsAtMost, ct) : null;
        PeoplePlanner planner;
        await using (var lookups = await db.QueryMultipleAsync(new CommandDefinition(LookupsSql, transaction: tx, cancellationToken: ct)))
        {
            // PostgreSQL's estimate of the people on record sizes the matching tables once: grown row by row, a
            // 100,000-person import left tens of megabytes of outgrown tables behind for the garbage collector.
            var peopleEstimate = await lookups.ReadSingleAsync<long>();
            var countries = (await lookups.ReadAsync<string>()).ToHashSet();
            var themes = (await lookups.ReadAsync<(long Id, string Name)>()).ToDictionary(t => t.Name, t => t.Id);
            var organisations = (await lookups.ReadAsync<OrganisationRow>()).ToLookup(o => NameKey.Of(o.Name), o => (o.Id, o.CountryCode));
            planner = new PeoplePlanner(header, countries, themes, organisations);
            planner.Reserve((int)Math.Min(peopleEstimate, int.MaxValue), rowsAtMost);
            // Unbuffered: the people on record go straight into the planner's dictionaries.
            await foreach (var (id, fullName, emailNormalised, organisationId, erased) in lookups.ReadUnbufferedAsync<(long, string, string?, long?, bool)>().WithCancellation(ct))
            {
                planner.AddExisting(id, fullName, emailNormalised, organisationId, erased);
            }
            planner.AddErasedHashes(await lookups.ReadAsync<byte[]>());
        }

        await using var writer = write is not null
            ? await PeopleWriter.StartAsync(db, tx!, ids is null ? await PeopleWriter.DrawIdsAsync(db, tx, rowsAtMost, ct) : await ids, ct)
            : null;
        foreach (var record in records)
        {
            var values = planner.Plan(record);
            if (writer is null)
            {
                continue;
            }
            if (planner.Problems.Count > 0)
            {
                await writer.AbandonAsync();
            }
            else if (values is not null)
            {
                writer.Write(values);
            }
        }
        var plan = planner.ToPlan();
        if (writer is not null)
        {
            if (plan.CanCommit)
            {
                await writer.FinishAsync(ct);
            }
            else
            {
                await writer.AbandonAsync();
            }
        }
        return plan;
    }

    internal static Task WriteAsync(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, type, ct);

    internal static Task WriteAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct)
        where T : struct =>
        value is { } present ? copy.WriteAsync(present, type, ct) : copy.WriteNullAsync(ct);
}

/// <summary>
/// The checks and matching rules of a people import, one record at a time, against the lookups loaded once. The
/// per-record work is compiled optimised from the first call: a file's rows run through it once, in one request.
/// </summary>
internal sealed class PeoplePlanner(
    HeaderMap header,
    HashSet<string> countries,
    Dictionary<string, long> themes,
    ILookup<string, (long Id, string? CountryCode)> organisations)
{
    private sealed record Existing(long Id, string FullName, string? EmailNormalised, bool Erased);

    private readonly Dictionary<string, Existing> byEmail = [];
    private readonly Dictionary<(string, long?), Existing> byNameAndOrganisation = [];
    private readonly HashSet<string> erasedHashes = [];
    private readonly List<ImportProblem> problems = [];
    private readonly PlannedRowList planned = new();
    private readonly Dictionary<string, int> seenEmails = [];
    private readonly Dictionary<(string, long?), int> seenNames = [];
    private readonly Dictionary<long, int> seenPeople = [];
    private int fileRows;

    public IReadOnlyList<ImportProblem> Problems => problems;

    /// <summary>Room for the people on record and for the keys of every row of the file.</summary>
    public void Reserve(int peopleOnRecord, int fileRows)
    {
        byEmail.EnsureCapacity(peopleOnRecord);
        byNameAndOrganisation.EnsureCapacity(peopleOnRecord);
        seenEmails.EnsureCapacity(fileRows);
        seenNames.EnsureCapacity(fileRows);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddExisting(long id, string fullName, string? emailNormalised, long? organisationId, bool erased)
    {
        var person = new Existing(id, fullName, emailNormalised, erased);
        if (emailNormalised is not null)
        {
            byEmail[emailNormalised] = person;
        }
        if (!erased)
        {
            byNameAndOrganisation.TryAdd((NameKey.Of(fullName), organisationId), person);
        }
    }

    public void AddErasedHashes(IEnumerable<byte[]> hashes)
    {
        foreach (var hash in hashes)
        {
            erasedHashes.Add(Convert.ToHexString(hash));
        }
    }

    public ImportPlan ToPlan() => planned.ToPlan(ImportColumns.People, header, problems, fileRows);

    /// <summary>Checks one record; the values to write when it has no problem and is not skipped, else null.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public PersonValues? Plan(CsvRecord record)
    {
        fileRows++;
        var cells = new RowReader(record, header, problems);
        var fullName = cells.Text("full_name", Rules.MaxNameLength);
        var emailCell = cells.Text("email", 254);
        if (emailCell is not null && Rules.EmailProblem(emailCell) is { } emailProblem)
        {
            cells.Problem("email", emailProblem);
        }
        var email = Rules.NormaliseEmail(emailCell);
        if (email is not null && ((byEmail.TryGetValue(email, out var known) && known.Erased) || (erasedHashes.Count > 0 && erasedHashes.Contains(Convert.ToHexString(Rules.EmailHash(email))))))
        {
            // Checked before anything else: the row is never written, so its other cells do not matter.
            seenEmails.TryAdd(email, record.Row);
            planned.Add(new PlannedRow(record.Row, RowAction.Skip, email, null, "erased — never re-imported"));
            return null;
        }
        var position = cells.Text("position", Rules.MaxNameLength);
        var category = cells.Choice("category", Vocabulary.PersonCategories);
        var phone = cells.Text("phone", 50);
        var country = cells.Country("country", countries);
        var language = cells.Text("preferred_language", 2)?.ToLowerInvariant();
        if (language is not null && !Rules.IsLanguageCode(language))
        {
            cells.Problem("preferred_language", $"'{language}' is not a two-letter ISO 639-1 language code");
        }
        var jurisdiction = cells.Choice("jurisdiction", Vocabulary.Jurisdictions);
        var themeIds = cells.Themes("policy_areas", themes);
        var dataSource = cells.Text("data_source", Rules.MaxTextLength);
        var lawfulBasis = cells.Choice("lawful_basis", Vocabulary.LawfulBases);
        var noticeSent = cells.Date("privacy_notice_sent_on");
        var doNotContact = cells.Flag("do_not_contact");

        long? organisationId = null;
        if (cells.Text("organisation", Rules.MaxNameLength) is { } organisationName)
        {
            var organisationCountry = cells.Country("organisation_country", countries);
            var candidates = organisations[NameKey.Of(organisationName)]
                .Where(o => organisationCountry is null || o.CountryCode == organisationCountry)
                .ToList();
            if (candidates.Count == 1)
            {
                organisationId = candidates[0].Id;
            }
            else if (candidates.Count == 0)
            {
                cells.Problem("organisation", $"'{organisationName}'{(organisationCountry is null ? "" : $" ({organisationCountry})")} is not an organisation on record; import or create it first");
            }
            else
            {
                cells.Problem("organisation", $"'{organisationName}' exists in several countries ({string.Join(", ", candidates.Select(c => c.CountryCode ?? "none"))}); give organisation_country");
            }
        }

        // Dedupe: the normalised email first, then the name within the same organisation.
        Existing? match = null;
        string? nameKey = null;
        if (email is not null && byEmail.TryGetValue(email, out var byAddress))
        {
            match = byAddress;
        }
        else if (fullName is not null && byNameAndOrganisation.TryGetValue((nameKey = NameKey.Of(fullName), organisationId), out var byName))
        {
            match = byName;
        }

        if (email is not null && !seenEmails.TryAdd(email, record.Row))
        {
            cells.Problem("email", $"'{email}' is also on row {seenEmails[email]}; each person once per file");
        }
        else if (email is null && fullName is not null)
        {
            nameKey ??= NameKey.Of(fullName);
            if (!seenNames.TryAdd((nameKey, organisationId), record.Row))
            {
                cells.Problem("full_name", $"'{fullName}' of the same organisation is also on row {seenNames[(nameKey, organisationId)]}");
            }
        }
        if (match is not null && !match.Erased && !seenPeople.TryAdd(match.Id, record.Row))
        {
            cells.Problem(null, $"matches the same person (#{match.Id}) as row {seenPeople[match.Id]}");
        }
        if (match is null && fullName is null)
        {
            cells.Problem("full_name", "is required for a new person");
        }

        var label = fullName ?? match?.FullName ?? email ?? "";
        if (cells.Failed)
        {
            return null;
        }

        var action = match is null ? RowAction.Create : RowAction.Update;
        string? note = null;
        if (match is not null && email is not null && match.EmailNormalised is not null && match.EmailNormalised != email)
        {
            note = $"keeps the email on record ({match.EmailNormalised})";
        }
        planned.Add(new PlannedRow(record.Row, action, label, match?.Id, note));
        return new PersonValues(record.Row, action, match?.Id, fullName, position, category, organisationId,
            emailCell, phone, country, language, jurisdiction, dataSource, lawfulBasis, noticeSent, doNotContact, themeIds);
    }
}

/// <summary>
/// Writes the checked rows of a people import inside its transaction: new people by binary COPY straight into person
/// (with identities drawn beforehand, so their themes can be linked), updates into a temporary table applied at the end.
/// Abandoning cancels the COPY, which fails the transaction: a file with a problem can only be rolled back.
/// </summary>
internal sealed class PeopleWriter : IAsyncDisposable
{
    // The join of a large update file with person gets room to hash in memory, for this transaction only.
    private const string SettingsSql = "set local work_mem = '64MB'";

    // The sequence is looked up once, not once per identity: OFFSET 0 keeps it a subquery (pulled up into the select
    // list, the catalogue lookup ran for every identity: 0.72 s against 0.05 s for 100,000).
    private const string IdsSql = """
        select array(select nextval(q.sequence) from (select pg_get_serial_sequence('person', 'id')::regclass as sequence offset 0) q, generate_series(1, @count))
        """;

    private const string CopyPeopleSql = """
        copy person (id, full_name, position, category, organisation_id, email, phone, country_code, preferred_language,
                     jurisdiction, data_source, lawful_basis, privacy_notice_sent_on, do_not_contact)
        from stdin (format binary)
        """;

    private const string CopyThemesSql = "copy person_theme (person_id, theme_id) from stdin (format binary)";

    private const string CreateTempSql = """
        create temp table tmp_import (
            row_no                 integer,
            person_id              bigint,
            full_name              text,
            position               text,
            category               text,
            organisation_id        bigint,
            email                  text,
            phone                  text,
            country_code           text,
            preferred_language     text,
            jurisdiction           text,
            data_source            text,
            lawful_basis           text,
            privacy_notice_sent_on date,
            do_not_contact         boolean,
            theme_ids              bigint[]
        ) on commit drop
        """;

    private const string CopyUpdatesSql = """
        copy tmp_import (row_no, person_id, full_name, position, category, organisation_id, email, phone, country_code,
                         preferred_language, jurisdiction, data_source, lawful_basis, privacy_notice_sent_on, do_not_contact, theme_ids)
        from stdin (format binary)
        """;

    private const string UpdateSql = """
        analyze tmp_import;

        update person p
        set full_name              = coalesce(t.full_name, p.full_name),
            position               = coalesce(t.position, p.position),
            category               = coalesce(t.category, p.category),
            organisation_id        = coalesce(t.organisation_id, p.organisation_id),
            email                  = coalesce(p.email, t.email),
            phone                  = coalesce(t.phone, p.phone),
            country_code           = coalesce(t.country_code, p.country_code),
            preferred_language     = coalesce(t.preferred_language, p.preferred_language),
            jurisdiction           = coalesce(t.jurisdiction, p.jurisdiction),
            data_source            = coalesce(t.data_source, p.data_source),
            lawful_basis           = coalesce(t.lawful_basis, p.lawful_basis),
            privacy_notice_sent_on = coalesce(t.privacy_notice_sent_on, p.privacy_notice_sent_on),
            do_not_contact         = p.do_not_contact or coalesce(t.do_not_contact, false),
            updated_at             = now()
        from tmp_import t
        where p.id = t.person_id and p.erased_at is null;

        insert into person_theme (person_id, theme_id)
        select t.person_id, unnest(t.theme_ids)
        from tmp_import t
        where cardinality(t.theme_ids) > 0
        on conflict do nothing;
        """;

    private readonly NpgsqlConnection db;
    private readonly NpgsqlTransaction tx;
    private readonly long[] ids;
    private int used;
    private NpgsqlBinaryImporter? people;
    private readonly List<PersonValues> updates = [];
    private readonly List<(long PersonId, long[] ThemeIds)> newThemes = [];

    private PeopleWriter(NpgsqlConnection db, NpgsqlTransaction tx, long[] ids)
    {
        this.db = db;
        this.tx = tx;
        this.ids = ids;
    }

    public static async Task<long[]> DrawIdsAsync(NpgsqlDataSource source, int count, CancellationToken ct)
    {
        await using var db = await source.OpenConnectionAsync(ct);
        return await DrawIdsAsync(db, null, count, ct);
    }

    public static async Task<long[]> DrawIdsAsync(NpgsqlConnection db, NpgsqlTransaction? tx, int count, CancellationToken ct) =>
        await db.ExecuteScalarAsync<long[]>(new CommandDefinition(IdsSql, new { count }, tx, cancellationToken: ct)) ?? [];

    public static async Task<PeopleWriter> StartAsync(NpgsqlConnection db, NpgsqlTransaction tx, long[] ids, CancellationToken ct)
    {
        await db.ExecuteAsync(new CommandDefinition(SettingsSql, transaction: tx, cancellationToken: ct));
        var writer = new PeopleWriter(db, tx, ids);
        writer.people = await db.BeginBinaryImportAsync(CopyPeopleSql, ct);
        return writer;
    }

    /// <summary>
    /// Writes one checked row. The COPY buffers rows and sends them as its buffer fills, so writes are synchronous: a
    /// state machine per value would cost more than the rare wait for the socket.
    /// </summary>
    public void Write(PersonValues row)
    {
        if (people is null)
        {
            return; // abandoned
        }
        if (row.Action == RowAction.Update)
        {
            updates.Add(row);
            return;
        }
        var id = ids[used++];
        people.StartRow();
        people.Write(id, NpgsqlDbType.Bigint);
        people.Write(row.FullName!, NpgsqlDbType.Text);
        Write(people, row.Position, NpgsqlDbType.Text);
        people.Write(row.Category ?? "other", NpgsqlDbType.Text);
        Write(people, row.OrganisationId, NpgsqlDbType.Bigint);
        Write(people, row.Email, NpgsqlDbType.Text);
        Write(people, row.Phone, NpgsqlDbType.Text);
        Write(people, row.Country, NpgsqlDbType.Char);
        people.Write(row.Language ?? "en", NpgsqlDbType.Text);
        Write(people, row.Jurisdiction, NpgsqlDbType.Text);
        Write(people, row.DataSource, NpgsqlDbType.Text);
        Write(people, row.LawfulBasis, NpgsqlDbType.Text);
        Write(people, row.PrivacyNoticeSentOn, NpgsqlDbType.Date);
        people.Write(row.DoNotContact ?? false, NpgsqlDbType.Boolean);
        if (row.ThemeIds.Length > 0)
        {
            newThemes.Add((id, row.ThemeIds));
        }
    }

    private static void Write(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type)
    {
        if (value is null)
        {
            copy.WriteNull();
        }
        else
        {
            copy.Write(value, type);
        }
    }

    private static void Write<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type)
        where T : struct
    {
        if (value is { } present)
        {
            copy.Write(present, type);
        }
        else
        {
            copy.WriteNull();
        }
    }

    /// <summary>Stops writing: the COPY is cancelled, which fails the transaction.</summary>
    public async Task AbandonAsync()
    {
        if (people is not null)
        {
            var copy = people;
            people = null;
            updates.Clear();
            newThemes.Clear();
            await copy.DisposeAsync();
        }
    }

    public async Task FinishAsync(CancellationToken ct)
    {
        if (people is null)
        {
            throw new InvalidOperationException("An abandoned import is never finished.");
        }
        await people.CompleteAsync(ct);
        await people.DisposeAsync();
        people = null;

        if (newThemes.Count > 0)
        {
            await using var copy = await db.BeginBinaryImportAsync(CopyThemesSql, ct);
            foreach (var (personId, themeIds) in newThemes)
            {
                foreach (var themeId in themeIds)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(personId, NpgsqlDbType.Bigint, ct);
                    await copy.WriteAsync(themeId, NpgsqlDbType.Bigint, ct);
                }
            }
            await copy.CompleteAsync(ct);
        }

        if (updates.Count > 0)
        {
            await db.ExecuteAsync(new CommandDefinition(CreateTempSql, transaction: tx, cancellationToken: ct));
            await using (var copy = await db.BeginBinaryImportAsync(CopyUpdatesSql, ct))
            {
                foreach (var row in updates)
                {
                    await copy.StartRowAsync(ct);
                    await copy.WriteAsync(row.Row, NpgsqlDbType.Integer, ct);
                    await copy.WriteAsync(row.PersonId!.Value, NpgsqlDbType.Bigint, ct);
                    await PeopleImport.WriteAsync(copy, row.FullName, NpgsqlDbType.Text, ct);
                    await PeopleImport.WriteAsync(copy, row.Position, NpgsqlDbType.Text, ct);
                    await PeopleImport.WriteAsync(copy, row.Category, NpgsqlDbType.Text, ct);
                    await PeopleImport.WriteAsync(copy, row.OrganisationId, NpgsqlDbType.Bigint, ct);
                    await PeopleImport.WriteAsync(copy, row.Email, NpgsqlDbType.Text, ct);
                    await PeopleImport.WriteAsync(copy, row.Phone, NpgsqlDbType.Text, ct);
                    await PeopleImport.WriteAsync(copy, row.Country, NpgsqlDbType.Text, ct);
                    await PeopleImport.WriteAsync(copy, row.Language, NpgsqlDbType.Text, ct);
                    await PeopleImport.WriteAsync(copy, row.Jurisdiction, NpgsqlDbType.Text, ct);
                    await PeopleImport.WriteAsync(copy, row.DataSource, NpgsqlDbType.Text, ct);
                    await PeopleImport.WriteAsync(copy, row.LawfulBasis, NpgsqlDbType.Text, ct);
                    await PeopleImport.WriteAsync(copy, row.PrivacyNoticeSentOn, NpgsqlDbType.Date, ct);
                    await PeopleImport.WriteAsync(copy, row.DoNotContact, NpgsqlDbType.Boolean, ct);
                    await copy.WriteAsync(row.ThemeIds, NpgsqlDbType.Array | NpgsqlDbType.Bigint, ct);
                }
                await copy.CompleteAsync(ct);
            }
            await db.ExecuteAsync(new CommandDefinition(UpdateSql, transaction: tx, cancellationToken: ct, commandTimeout: 300));
        }
    }

    public async ValueTask DisposeAsync() => await AbandonAsync();
}
