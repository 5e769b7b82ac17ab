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
/// People import: checked in C# against lookups loaded once, written set-based (binary COPY into a temporary table,
/// then one insert and one update), so 100,000 rows take seconds.
/// </summary>
public static class PeopleImport
{
    private const string LookupsSql = """
        select code from country;
        select id, lower(name) as name from theme;
        select id, name, country_code from organisation;
        select id, full_name, email_normalised, organisation_id, erased_at is not null as erased from person;
        select email_hash from suppression where reason = 'erased';
        """;

    private const string CreateTempSql = """
        create temp table tmp_import (
            row_no                 integer,
            action                 text,
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
            theme_ids              bigint[],
            -- Filled as COPY writes each row, so new people's themes are linked without a second pass.
            new_id                 bigint default nextval(pg_get_serial_sequence('person', 'id'))
        ) on commit drop
        """;

    private const string CopySql = """
        copy tmp_import (row_no, action, person_id, full_name, position, category, organisation_id, email, phone, country_code,
                         preferred_language, jurisdiction, data_source, lawful_basis, privacy_notice_sent_on, do_not_contact, theme_ids)
        from stdin (format binary)
        """;

    // New people take the ids COPY drew from the identity sequence (new_id); updated ones keep theirs (person_id).
    private const string WriteSql = """
        analyze tmp_import;

        insert into person (id, full_name, position, category, organisation_id, email, phone, country_code, preferred_language,
                            jurisdiction, data_source, lawful_basis, privacy_notice_sent_on, do_not_contact)
        overriding system value
        select new_id, full_name, position, coalesce(category, 'other'), organisation_id, email, phone, country_code,
               coalesce(preferred_language, 'en'), jurisdiction, data_source, lawful_basis, privacy_notice_sent_on,
               coalesce(do_not_contact, false)
        from tmp_import
        where action = 'create'
        order by row_no;

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
        where t.action = 'update' and p.id = t.person_id and p.erased_at is null;

        insert into person_theme (person_id, theme_id)
        select coalesce(t.person_id, t.new_id), unnest(t.theme_ids)
        from tmp_import t
        where t.action in ('create', 'update') and cardinality(t.theme_ids) > 0
        on conflict do nothing;
        """;

    private sealed record OrganisationRow(long Id, string Name, string? CountryCode);

    private sealed record ExistingPerson(long Id, string FullName, string? EmailNormalised, long? OrganisationId, bool Erased);

    internal static async Task<ImportPlan> PlanAsync(NpgsqlConnection db, NpgsqlTransaction? tx, CsvTable table, HeaderMap header, CancellationToken ct)
    {
        await using var lookups = await db.QueryMultipleAsync(new CommandDefinition(LookupsSql, transaction: tx, cancellationToken: ct));
        var countries = (await lookups.ReadAsync<string>()).ToHashSet();
        var themes = (await lookups.ReadAsync<(long Id, string Name)>()).ToDictionary(t => t.Name, t => t.Id);
        var organisations = (await lookups.ReadAsync<OrganisationRow>())
            .ToLookup(o => NameKey.Of(o.Name));
        var existing = (await lookups.ReadAsync<ExistingPerson>()).ToList();
        var erasedHashes = (await lookups.ReadAsync<byte[]>()).Select(Convert.ToHexString).ToHashSet();

        var byEmail = new Dictionary<string, ExistingPerson>();
        var byNameAndOrganisation = new Dictionary<(string, long?), ExistingPerson>();
        foreach (var person in existing)
        {
            if (person.EmailNormalised is not null)
            {
                byEmail[person.EmailNormalised] = person;
            }
            if (!person.Erased)
            {
                byNameAndOrganisation.TryAdd((NameKey.Of(person.FullName), person.OrganisationId), person);
            }
        }

        var problems = new List<ImportProblem>();
        var planned = new List<PlannedRow>(table.Records.Count);
        var values = new List<PersonValues>(table.Records.Count);
        var seenEmails = new Dictionary<string, int>();
        var seenNames = new Dictionary<(string, long?), int>();
        var seenPeople = new Dictionary<long, int>();

        foreach (var record in table.Records)
        {
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
                continue;
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
            ExistingPerson? match = null;
            if (email is not null && byEmail.TryGetValue(email, out var byAddress))
            {
                match = byAddress;
            }
            else if (fullName is not null && byNameAndOrganisation.TryGetValue((NameKey.Of(fullName), organisationId), out var byName))
            {
                match = byName;
            }

            if (email is not null && !seenEmails.TryAdd(email, record.Row))
            {
                cells.Problem("email", $"'{email}' is also on row {seenEmails[email]}; each person once per file");
            }
            else if (email is null && fullName is not null && !seenNames.TryAdd((NameKey.Of(fullName), organisationId), record.Row))
            {
                cells.Problem("full_name", $"'{fullName}' of the same organisation is also on row {seenNames[(NameKey.Of(fullName), organisationId)]}");
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
                continue;
            }

            var action = match is null ? RowAction.Create : RowAction.Update;
            string? note = null;
            if (match is not null && email is not null && match.EmailNormalised is not null && match.EmailNormalised != email)
            {
                note = $"keeps the email on record ({match.EmailNormalised})";
            }
            planned.Add(new PlannedRow(record.Row, action, label, match?.Id, note));
            values.Add(new PersonValues(record.Row, action, match?.Id, fullName, position, category, organisationId,
                emailCell, phone, country, language, jurisdiction, dataSource, lawfulBasis, noticeSent, doNotContact, themeIds));
        }
        return new ImportPlan(ImportColumns.People, header.Ignored, problems, planned, values, []);
    }

    internal static async Task CommitAsync(NpgsqlConnection db, NpgsqlTransaction tx, ImportPlan plan, CancellationToken ct)
    {
        await db.ExecuteAsync(new CommandDefinition(CreateTempSql, transaction: tx, cancellationToken: ct));
        await using (var copy = await db.BeginBinaryImportAsync(CopySql, ct))
        {
            foreach (var row in plan.People)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(row.Row, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(row.Action == RowAction.Create ? "create" : "update", NpgsqlDbType.Text, ct);
                await WriteAsync(copy, row.PersonId, NpgsqlDbType.Bigint, ct);
                await WriteAsync(copy, row.FullName, NpgsqlDbType.Text, ct);
                await WriteAsync(copy, row.Position, NpgsqlDbType.Text, ct);
                await WriteAsync(copy, row.Category, NpgsqlDbType.Text, ct);
                await WriteAsync(copy, row.OrganisationId, NpgsqlDbType.Bigint, ct);
                await WriteAsync(copy, row.Email, NpgsqlDbType.Text, ct);
                await WriteAsync(copy, row.Phone, NpgsqlDbType.Text, ct);
                await WriteAsync(copy, row.Country, NpgsqlDbType.Text, ct);
                await WriteAsync(copy, row.Language, NpgsqlDbType.Text, ct);
                await WriteAsync(copy, row.Jurisdiction, NpgsqlDbType.Text, ct);
                await WriteAsync(copy, row.DataSource, NpgsqlDbType.Text, ct);
                await WriteAsync(copy, row.LawfulBasis, NpgsqlDbType.Text, ct);
                await WriteAsync(copy, row.PrivacyNoticeSentOn, NpgsqlDbType.Date, ct);
                await WriteAsync(copy, row.DoNotContact, NpgsqlDbType.Boolean, ct);
                await copy.WriteAsync(row.ThemeIds, NpgsqlDbType.Array | NpgsqlDbType.Bigint, ct);
            }
            await copy.CompleteAsync(ct);
        }
        await db.ExecuteAsync(new CommandDefinition(WriteSql, transaction: tx, cancellationToken: ct, commandTimeout: 300));
    }

    internal static Task WriteAsync(NpgsqlBinaryImporter copy, string? value, NpgsqlDbType type, CancellationToken ct) =>
        value is null ? copy.WriteNullAsync(ct) : copy.WriteAsync(value, type, ct);

    internal static Task WriteAsync<T>(NpgsqlBinaryImporter copy, T? value, NpgsqlDbType type, CancellationToken ct)
        where T : struct =>
        value is { } present ? copy.WriteAsync(present, type, ct) : copy.WriteNullAsync(ct);
}
