using System.Globalization;
using System.Text;
using System.Text.Json;
using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Child10.Advocacy.Bench;

/// <summary>
/// A realistic data set written with binary COPY: member organisations and the ministries, parliaments and bodies they
/// lobby, their people (names, countries, languages), and interactions linked to people and organisations.
/// </summary>
internal static class DataGenerator
{
    private sealed record Place(string Country, string Language, string[] First, string[] Last, string[] Cities);

    private static readonly Place[] Places =
    [
        new("FR", "fr", ["Camille", "Léa", "Hugo", "Louis", "Chloé", "Manon", "Julien", "Élodie"], ["Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Lefèvre", "Roux", "Fournier"], ["Paris", "Lyon", "Marseille", "Lille"]),
        new("ES", "es", ["Lucía", "Sofía", "Mateo", "Martina", "Pablo", "Alejandro", "Carmen", "Javier"], ["García", "Fernández", "López", "Martínez", "Sánchez", "Pérez", "Gómez", "Ruiz"], ["Madrid", "Sevilla", "Valencia", "Bilbao"]),
        new("BR", "pt", ["Ana", "João", "Beatriz", "Lucas", "Mariana", "Gabriel", "Larissa", "Thiago"], ["Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Ferreira"], ["São Paulo", "Recife", "Salvador", "Manaus"]),
        new("KE", "en", ["Wanjiru", "Otieno", "Achieng", "Kamau", "Njeri", "Mwangi", "Akinyi", "Kiprop"], ["Odhiambo", "Mutua", "Wekesa", "Njoroge", "Kariuki", "Omondi", "Chebet", "Kimani"], ["Nairobi", "Mombasa", "Kisumu", "Nakuru"]),
        new("PH", "en", ["Maria", "Jose", "Angelica", "Mark", "Kristine", "Paolo", "Jasmine", "Rafael"], ["Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Villanueva"], ["Manila", "Cebu", "Davao", "Iloilo"]),
        new("IN", "en", ["Priya", "Arjun", "Ananya", "Rohan", "Kavya", "Vikram", "Meera", "Aditya"], ["Sharma", "Patel", "Iyer", "Reddy", "Nair", "Gupta", "Das", "Menon"], ["Delhi", "Mumbai", "Kolkata", "Chennai"]),
        new("DE", "de", ["Lena", "Jonas", "Anna", "Lukas", "Marie", "Felix", "Sophie", "Paul"], ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Becker", "Wagner", "Hoffmann"], ["Berlin", "Hamburg", "München", "Köln"]),
        new("TH", "th", ["Somchai", "Nattaya", "Kittisak", "Siriporn", "Anong", "Chaiwat", "Ploy", "Wichai"], ["Srisuk", "Wongsawat", "Chaiyaporn", "Boonmee", "Rattanakorn", "Saetang", "Phrom", "Kaewmanee"], ["Bangkok", "Chiang Mai", "Khon Kaen", "Phuket"]),
        new("MX", "es", ["Valeria", "Santiago", "Ximena", "Diego", "Regina", "Emiliano", "Fernanda", "Leonardo"], ["Hernández", "González", "Rodríguez", "Ramírez", "Flores", "Torres", "Morales", "Vargas"], ["Ciudad de México", "Guadalajara", "Monterrey", "Oaxaca"]),
        new("RO", "ro", ["Ioana", "Andrei", "Elena", "Mihai", "Ana-Maria", "Alexandru", "Cristina", "Bogdan"], ["Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Stoica", "Gheorghe", "Matei"], ["București", "Cluj-Napoca", "Iași", "Timișoara"]),
        new("NG", "en", ["Chiamaka", "Emeka", "Aisha", "Tunde", "Ngozi", "Ibrahim", "Funmilayo", "Chinedu"], ["Okafor", "Adeyemi", "Bello", "Eze", "Okonkwo", "Abubakar", "Olawale", "Nwosu"], ["Lagos", "Abuja", "Kano", "Enugu"]),
        new("NP", "ne", ["Sita", "Ram", "Anjali", "Bikash", "Sunita", "Prakash", "Kabita", "Suman"], ["Shrestha", "Gurung", "Tamang", "Thapa", "Adhikari", "Rai", "Karki", "Magar"], ["Kathmandu", "Pokhara", "Biratnagar", "Lalitpur"]),
    ];

    private static readonly (string Kind, string Name)[] OrganisationPatterns =
    [
        ("member", "Child Protection Network"), ("member", "Coalition against Child Trafficking"), ("member", "Safe Childhood Foundation"),
        ("member", "Street Children Outreach"), ("member", "Centre for Children's Rights"),
        ("government", "Ministry of Justice"), ("government", "Ministry of Social Affairs"), ("government", "Ministry of the Interior"),
        ("parliament", "Committee on Children and Families"), ("parliament", "Human Rights Committee"),
        ("ngo", "Legal Aid Clinic"), ("private_sector", "Hotel Association Code of Conduct Group"), ("media", "Investigative Journalism Desk"),
    ];

    private static readonly string[] Positions =
    [
        "Director", "Programme officer", "Legal adviser", "Head of unit", "Member of parliament", "Policy adviser",
        "Social worker", "Advocacy coordinator", "Chief of staff", "Child protection specialist",
    ];

    private static readonly string[] InteractionSubjects =
    [
        "National action plan against child trafficking", "Online sexual exploitation of children: draft law",
        "Birth registration for children on the move", "Guardianship for unaccompanied children",
        "Joint statement on the Lanzarote Convention", "Training for border police", "Budget for child helplines",
        "Follow-up on the UPR recommendations", "Hotline referrals and victim support", "Travel and tourism code of conduct",
    ];

    // Themes of the managed list (migrations/0003_reference_data.sql), as an import file names them.
    private static readonly string[] PolicyAreas =
    [
        "Prevention", "Victim identification and support", "Legal reform", "Online sexual exploitation", "Child labour",
        "Cross-border cooperation", "Children in street situations",
    ];

    private static readonly string[] InteractionKinds = ["meeting", "call", "email", "letter", "event", "submission"];

    private static readonly string[] Outcomes =
    [
        "Agreed to table our amendments at the next committee session.", "Asked for our evidence brief by the end of the month.",
        "No commitment yet; follow up after the budget debate.", "Supports the joint statement and will sign.", "",
    ];

    public static async Task SeedAsync(Options options, CancellationToken ct)
    {
        var organisations = options.Int("organisations", 10_000);
        var people = options.Int("people", 100_000);
        var interactions = options.Int("interactions", 1_000_000);
        await using var dataSource = NpgsqlDataSource.Create(options.Required("conn"));
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var regions = (await db.QueryAsync<(string Code, long? Region)>("select code, region_id from country")).ToDictionary(r => r.Code.Trim(), r => r.Region);
        var random = new Random(10);
        var started = DateTime.UtcNow;

        // Triggers (the timeline's denormalised dates) and foreign-key checks are skipped: the rows are consistent by construction.
        await db.ExecuteAsync("set session_replication_role = replica");

        var orgPlace = new int[organisations];
        await using (var writer = await db.BeginBinaryImportAsync("copy organisation (name, kind, award_year, country_code, region_id, website, notes) from stdin (format binary)", ct))
        {
            for (var i = 0; i < organisations; i++)
            {
                var place = i % Places.Length;
                orgPlace[i] = place;
                var p = Places[place];
                var (kind, name) = OrganisationPatterns[i / Places.Length % OrganisationPatterns.Length];
                var city = p.Cities[i / (Places.Length * OrganisationPatterns.Length) % p.Cities.Length];
                var branch = i / (Places.Length * OrganisationPatterns.Length * p.Cities.Length);
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(branch == 0 ? $"{name}, {city}" : $"{name}, {city} ({branch + 1})", NpgsqlDbType.Text, ct);
                await writer.WriteAsync(kind, NpgsqlDbType.Text, ct);
                if (kind == "member")
                {
                    await writer.WriteAsync(2008 + (i % 16), NpgsqlDbType.Integer, ct);
                }
                else
                {
                    await writer.WriteNullAsync(ct);
                }
                await writer.WriteAsync(p.Country, NpgsqlDbType.Char, ct);
                await WriteNullableAsync(writer, regions.GetValueOrDefault(p.Country), ct);
                await writer.WriteAsync($"https://org{i + 1}.{p.Country.ToLowerInvariant()}.example", NpgsqlDbType.Text, ct);
                await writer.WriteAsync($"Works on {InteractionSubjects[i % InteractionSubjects.Length].ToLowerInvariant()} in {city}.", NpgsqlDbType.Text, ct);
            }
            await writer.CompleteAsync(ct);
        }
        var firstOrg = await db.ExecuteScalarAsync<long>("select min(id) from organisation where website like 'https://org1.%'");

        var personOrg = new long[people];
        await using (var writer = await db.BeginBinaryImportAsync("""
            copy person (full_name, position, category, organisation_id, email, country_code, preferred_language, jurisdiction, data_source, lawful_basis, privacy_notice_sent_on)
            from stdin (format binary)
            """, ct))
        {
            for (var i = 0; i < people; i++)
            {
                var org = random.Next(organisations);
                personOrg[i] = firstOrg + org;
                var p = Places[orgPlace[org]];
                var first = p.First[random.Next(p.First.Length)];
                var last = p.Last[random.Next(p.Last.Length)];
                await writer.StartRowAsync(ct);
                await writer.WriteAsync($"{first} {last}", NpgsqlDbType.Text, ct);
                await writer.WriteAsync(Positions[random.Next(Positions.Length)], NpgsqlDbType.Text, ct);
                await writer.WriteAsync((i % 10) switch { 0 => "signatory", < 4 => "member_contact", < 8 => "decision_maker", _ => "other" }, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(firstOrg + org, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync($"{Ascii(first)}.{Ascii(last)}.{i + 1}@org{org + 1}.{p.Country.ToLowerInvariant()}.example", NpgsqlDbType.Text, ct);
                await writer.WriteAsync(p.Country, NpgsqlDbType.Char, ct);
                await writer.WriteAsync(p.Language, NpgsqlDbType.Text, ct);
                await writer.WriteAsync(i % 3 == 0 ? "international" : "national", NpgsqlDbType.Text, ct);
                await writer.WriteAsync("Regional consultation 2025", NpgsqlDbType.Text, ct);
                await writer.WriteAsync("legitimate_interest", NpgsqlDbType.Text, ct);
                await writer.WriteAsync(new DateOnly(2025, 1 + (i % 12), 1 + (i % 28)), NpgsqlDbType.Date, ct);
            }
            await writer.CompleteAsync(ct);
        }
        var firstPerson = await db.ExecuteScalarAsync<long>("select min(id) from person where email like '%.1@org%'");

        // The policy areas organisations work on (one to three) and people follow (none to three), from the managed list.
        var themes = (await db.QueryAsync<long>("select id from theme order by id")).ToArray();
        var organisationThemes = await LinkThemesAsync(db, "organisation_theme (organisation_id, theme_id)", firstOrg, organisations,
            () => 1 + random.Next(3), themes, random, ct);
        var personThemes = await LinkThemesAsync(db, "person_theme (person_id, theme_id)", firstPerson, people,
            () => random.Next(4), themes, random, ct);

        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var dates = new DateOnly[interactions];
        await using (var writer = await db.BeginBinaryImportAsync("copy interaction (kind, occurred_on, subject, notes, outcome) from stdin (format binary)", ct))
        {
            for (var i = 0; i < interactions; i++)
            {
                dates[i] = today.AddDays(-random.Next(5 * 365));
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(InteractionKinds[random.Next(InteractionKinds.Length)], NpgsqlDbType.Text, ct);
                await writer.WriteAsync(dates[i], NpgsqlDbType.Date, ct);
                await writer.WriteAsync(InteractionSubjects[random.Next(InteractionSubjects.Length)], NpgsqlDbType.Text, ct);
                await writer.WriteAsync("Discussed the evidence from our member organisations and the next steps.", NpgsqlDbType.Text, ct);
                await writer.WriteAsync(Outcomes[random.Next(Outcomes.Length)], NpgsqlDbType.Text, ct);
            }
            await writer.CompleteAsync(ct);
        }
        var firstInteraction = await db.ExecuteScalarAsync<long>("select min(id) from interaction");
        var links = new List<(long Interaction, long Person, long Organisation, DateOnly On)>();
        await using (var personLinks = await db.BeginBinaryImportAsync("copy interaction_person (interaction_id, person_id, occurred_on) from stdin (format binary)", ct))
        {
            for (var i = 0; i < interactions; i++)
            {
                var a = random.Next(people);
                var b = random.Next(people);
                foreach (var who in a == b || i % 3 != 0 ? new[] { a } : [a, b])
                {
                    await personLinks.StartRowAsync(ct);
                    await personLinks.WriteAsync(firstInteraction + i, NpgsqlDbType.Bigint, ct);
                    await personLinks.WriteAsync(firstPerson + who, NpgsqlDbType.Bigint, ct);
                    await personLinks.WriteAsync(dates[i], NpgsqlDbType.Date, ct);
                }
                links.Add((firstInteraction + i, firstPerson + a, personOrg[a], dates[i]));
            }
            await personLinks.CompleteAsync(ct);
        }
        await using (var orgLinks = await db.BeginBinaryImportAsync("copy interaction_organisation (interaction_id, organisation_id, occurred_on) from stdin (format binary)", ct))
        {
            foreach (var link in links)
            {
                await orgLinks.StartRowAsync(ct);
                await orgLinks.WriteAsync(link.Interaction, NpgsqlDbType.Bigint, ct);
                await orgLinks.WriteAsync(link.Organisation, NpgsqlDbType.Bigint, ct);
                await orgLinks.WriteAsync(link.On, NpgsqlDbType.Date, ct);
            }
            await orgLinks.CompleteAsync(ct);
        }
        await db.ExecuteAsync("set session_replication_role = origin");
        await db.ExecuteAsync(new CommandDefinition("vacuum analyze", commandTimeout: 0, cancellationToken: ct));
        // The data set is on disk before anything is measured: otherwise the checkpoint of a gigabyte of fresh data
        // lands in the middle of the page measurements and stalls them for seconds on a slow disk.
        await db.ExecuteAsync(new CommandDefinition("checkpoint", commandTimeout: 0, commandType: System.Data.CommandType.Text, cancellationToken: ct));
        await Console.Error.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
            $"bench: generated {organisations} organisations, {people} people, {interactions} interactions in {(DateTime.UtcNow - started).TotalSeconds:0.0} s"));
        Console.WriteLine(JsonSerializer.Serialize(new { organisations, people, interactions, organisation_themes = organisationThemes, person_themes = personThemes }));
    }

    /// <summary>
    /// Open sign-off requests (schema of migrations 0011 and 0012) over member organisations: created once, then
    /// next_chase_at set so that the given fraction is due now and the rest later.
    /// </summary>
    public static async Task SignOffRequestsAsync(Options options, CancellationToken ct)
    {
        var count = options.Int("requests", 10_000);
        var due = options.Double("due-fraction", 0.01);
        await using var dataSource = NpgsqlDataSource.Create(options.Required("conn"));
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var existing = await db.ExecuteScalarAsync<long>("select count(*) from signoff_request r join signoff_round o on o.id = r.round_id where o.message = 'bench'", transaction: tx);
        if (existing == 0)
        {
            var organisations = (await db.QueryAsync<(long Org, long Person)>("""
                select o.id, min(p.id) from organisation o join person p on p.organisation_id = o.id group by o.id order by o.id
                """, transaction: tx)).ToList();
            if (organisations.Count == 0)
            {
                throw new BenchException("no organisations with people: run seed first");
            }
            var lead = await db.ExecuteScalarAsync<long>("""
                insert into staff_user (issuer, subject, email, display_name, role)
                values ('bench', 'bench-lead', 'bench.lead@child10.example', 'Sign-off lead', 'lead')
                on conflict (issuer, subject) do update set display_name = excluded.display_name
                returning id
                """, transaction: tx);
            var campaign = await db.ExecuteScalarAsync<long>("insert into campaign (title, scope) values ('Joint statements on child trafficking', 'international') returning id", transaction: tx);
            var rounds = (count + organisations.Count - 1) / organisations.Count;
            var made = 0;
            for (var r = 0; r < rounds; r++)
            {
                var statement = await db.ExecuteScalarAsync<long>("""
                    insert into statement (campaign_id, kind, scope, title, status, lead_id)
                    values (@campaign, 'joint_statement', 'international', @title, 'in_signoff', @lead) returning id
                    """, new { campaign, title = $"Joint statement on online child sexual exploitation ({r + 1})", lead }, tx);
                var version = await db.ExecuteScalarAsync<long>("""
                    insert into statement_version (statement_id, number, title, body, content_hash)
                    values (@statement, 1, 'Joint statement', 'We, the undersigned member organisations, call on governments ...', sha256(convert_to(@statement::text, 'UTF8')))
                    returning id
                    """, new { statement }, tx);
                var round = await db.ExecuteScalarAsync<long>("""
                    insert into signoff_round (statement_id, version_id, rule, opens_at, deadline, first_reminder_days, repeat_every_days, final_reminder_hours, message, lead_id, opened_by)
                    values (@statement, @version, 'all_must_approve', now() - interval '4 days', now() + interval '14 days', 3, 2, 24, 'bench', @lead, @lead) returning id
                    """, new { statement, version, lead }, tx);
                var batch = organisations.Take(Math.Min(organisations.Count, count - made)).ToList();
                await db.ExecuteAsync("""
                    insert into signoff_request (round_id, organisation_id, signatory_id, next_chase_at)
                    select @round, o, p, now() + interval '3 days' from unnest(@orgs, @people) as u(o, p)
                    """, new { round, orgs = batch.Select(b => b.Org).ToArray(), people = batch.Select(b => b.Person).ToArray() }, tx);
                made += batch.Count;
            }
        }
        var every = Math.Max(1, (int)Math.Round(1 / due));
        // Opened four days ago, so the first reminder is due for every due request; earlier sweeps' reminders are forgotten.
        await db.ExecuteAsync("""
            delete from signoff_chase where request_id in (select r.id from signoff_request r join signoff_round o on o.id = r.round_id where o.message = 'bench')
            """, transaction: tx);
        await db.ExecuteAsync("delete from outbox_message where idempotency_key like 'signoff:%'", transaction: tx);
        var dueCount = await db.ExecuteAsync("""
            with numbered as (
                select r.id, row_number() over (order by r.id) as n
                from signoff_request r join signoff_round o on o.id = r.round_id where o.message = 'bench'
            )
            update signoff_request r
            set next_chase_at = case when numbered.n % @every = 0 then now() - interval '1 minute' else now() + interval '1 day' + (numbered.n % 240) * interval '1 hour' end,
                decision = null, answered_at = null
            from numbered where numbered.id = r.id
            """, new { every }, tx);
        await tx.CommitAsync(ct);
        var dueNow = await db.ExecuteScalarAsync<long>("select count(*) from signoff_request where next_chase_at <= now()");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"open_requests\": {dueCount}, \"due\": {dueNow}}}"));
    }

    /// <summary>
    /// A people CSV in the import's column layout (see ImportColumns), new addresses only, and how many of its rows
    /// name policy areas.
    /// </summary>
    public static (byte[] Csv, int RowsWithPolicyAreas) PeopleCsv(int rows)
    {
        var withPolicyAreas = 0;
        var random = new Random(20);
        var csv = new StringBuilder("full_name,email,position,organisation,category,country,preferred_language,jurisdiction,policy_areas,data_source,lawful_basis,privacy_notice_sent_on,do_not_contact\n");
        for (var i = 1; i <= rows; i++)
        {
            var p = Places[random.Next(Places.Length)];
            var first = p.First[random.Next(p.First.Length)];
            var last = p.Last[random.Next(p.Last.Length)];
            // Most rows name one or two policy areas, by name and in any case, as a member organisation's sheet would.
            var areas = (i % 5) switch
            {
                0 => "",
                1 or 2 => PolicyAreas[i % PolicyAreas.Length],
                3 => PolicyAreas[i % PolicyAreas.Length].ToLowerInvariant(),
                _ => $"{PolicyAreas[i % PolicyAreas.Length]}|{PolicyAreas[(i / 5 + 3) % PolicyAreas.Length]}",
            };
            withPolicyAreas += areas.Length > 0 ? 1 : 0;
            csv.Append(CultureInfo.InvariantCulture,
                $"{first} {last},{Ascii(first)}.{Ascii(last)}.import{i}@contacts.{p.Country.ToLowerInvariant()}.example,\"{Positions[i % Positions.Length]}, unit {i % 40}\",,decision_maker,{p.Country},{p.Language},national,{areas},Regional consultation 2025,legitimate_interest,2025-03-05,{(i % 50 == 0 ? "yes" : "no")}\n");
        }
        return (Encoding.UTF8.GetBytes(csv.ToString()), withPolicyAreas);
    }

    /// <summary>Links each of count rows from firstId on to howMany() distinct themes picked at random; returns the links written.</summary>
    private static async Task<long> LinkThemesAsync(
        NpgsqlConnection db, string table, long firstId, int count, Func<int> howMany, long[] themes, Random random, CancellationToken ct)
    {
        long links = 0;
        await using var writer = await db.BeginBinaryImportAsync($"copy {table} from stdin (format binary)", ct);
        for (var i = 0; i < count; i++)
        {
            foreach (var theme in themes.OrderBy(_ => random.Next()).Take(howMany()))
            {
                await writer.StartRowAsync(ct);
                await writer.WriteAsync(firstId + i, NpgsqlDbType.Bigint, ct);
                await writer.WriteAsync(theme, NpgsqlDbType.Bigint, ct);
                links++;
            }
        }
        await writer.CompleteAsync(ct);
        return links;
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter writer, long? value, CancellationToken ct)
    {
        if (value is { } v)
        {
            await writer.WriteAsync(v, NpgsqlDbType.Bigint, ct);
        }
        else
        {
            await writer.WriteNullAsync(ct);
        }
    }

    private static string Ascii(string name)
    {
        var decomposed = name.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            if (c is >= 'a' and <= 'z' or >= 'A' and <= 'Z')
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }
        return builder.ToString();
    }
}
