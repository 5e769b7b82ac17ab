using Child10.Advocacy.Web.Features.Statements;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Demo;

// A coordinated joint statement on the guardianship campaign: a core text in English (two versions) and national
// variants for Moldova, Romania and Albania. Albania was adapted from the first core version and plans a later
// release, so the coordination board shows a stale variant and a release-date warning.
public static partial class DemoSeed
{
    /// <summary>The core statement's title; the sign-off seed finds the statement by it.</summary>
    public const string GuardianshipStatementTitle = "Joint statement: a guardian for every unaccompanied child from day one";

    private const string InsertCoreStatementSql = """
        insert into statement (campaign_id, kind, scope, title, language, planned_release_on, lead_id, created_by, created_at)
        select c.id, 'joint_statement', 'national', @title, 'en', @releaseOn, @leadId, @leadId, now() - interval '12 days'
        from campaign c
        where c.title = 'Guardianship for every unaccompanied child'
          and not exists (select 1 from statement where title = @title and core_id is null)
        returning id
        """;

    private const string CoreStatementIdSql = "select id from statement where title = @title and core_id is null";

    private const string InsertVariantSql = """
        insert into statement (campaign_id, kind, scope, title, core_id, country_code, language, planned_release_on, lead_id, created_by, created_at)
        select campaign_id, kind, 'national', @title, id, @country, @language, @releaseOn, lead_id, lead_id, now() - interval '4 days'
        from statement
        where id = @coreId
          and not exists (select 1 from statement v where v.core_id = @coreId and v.country_code = @country and v.language = @language)
        returning id
        """;

    private const string InsertSeedVersionSql = """
        insert into statement_version (statement_id, number, title, body, change_note, content_hash, core_version_id, created_by, created_at)
        values (@statementId, @number, @title, @body, @changeNote, @hash, @coreVersionId, @createdBy, now() - make_interval(days => @daysAgo))
        returning id
        """;

    private const string CoreV1 = """
        We, the undersigned member organisations of the Child10 network, work every day with children who arrive in Moldova, Romania and Albania alone: children on the move, children separated from their families, and children identified as victims of trafficking.

        ## What we see

        Too many unaccompanied children wait days or weeks before anyone is appointed to act in their best interests. In that time they are interviewed without support, moved between institutions, and exposed to the same traffickers who exploited them.

        ## What we ask

        1. Appoint a qualified guardian for every unaccompanied or separated child within 24 hours of identification.
        2. Fund specialised shelters for child victims of trafficking.
        3. Train border police and child protection staff together on identification.

        We stand ready to share what our grassroots work has taught us.
        """;

    private const string CoreV2 = """
        We, the undersigned member organisations of the Child10 network, work every day with children who arrive in Moldova, Romania and Albania alone: children on the move, children separated from their families, and children identified as victims of trafficking.

        ## What we see

        Too many unaccompanied children wait days or weeks before anyone is appointed to act in their best interests. In that time they are interviewed without support, moved between institutions, and exposed to the same traffickers who exploited them. **A child without a guardian is a child without a voice.**

        ## What we ask

        1. Appoint a qualified, independent guardian for every unaccompanied or separated child within 24 hours of identification, in law and in practice.
        2. Fund specialised shelters for child victims of trafficking, run with civil-society organisations that know the children.
        3. Train border police, labour inspectors and child protection staff together on identification and referral.
        4. Publish, every year, how many children were identified and how quickly each received a guardian.

        ## Why now

        - The EU Anti-Trafficking Directive, as revised, must be transposed.
        - The Council of Europe's GRETA has asked all three countries to improve guardianship.
        - Our members already run the services a guardianship system needs.

        We stand ready to share what our grassroots work has taught us, and to work with the ministries responsible to make these commitments real.
        """;

    private const string MoldovaV1 = """
        Noi, organizațiile membre ale rețelei Child10 semnatare, lucrăm zilnic cu copii care ajung singuri în Republica Moldova: copii în mișcare, copii separați de familiile lor și copii identificați ca victime ale traficului de ființe umane.

        ## Ce vedem

        Prea mulți copii neînsoțiți așteaptă zile sau săptămâni până când cineva este desemnat să acționeze în interesul lor superior. În acest timp sunt intervievați fără sprijin, mutați între instituții și expuși acelorași traficanți care i-au exploatat. **Un copil fără tutore este un copil fără voce.**

        ## Ce cerem Guvernului Republicii Moldova

        1. Desemnarea unui tutore calificat și independent pentru fiecare copil neînsoțit sau separat în cel mult 24 de ore de la identificare, în lege și în practică.
        2. Finanțarea centrelor specializate pentru copiii victime ale traficului, gestionate împreună cu organizațiile societății civile.
        3. Instruirea comună a poliției de frontieră, a inspectorilor de muncă și a specialiștilor în protecția copilului privind identificarea și referirea.
        4. Publicarea anuală a numărului de copii identificați și a timpului în care fiecare a primit un tutore.

        Suntem gata să colaborăm cu Ministerul Muncii și Protecției Sociale pentru ca aceste angajamente să devină realitate.
        """;

    private const string RomaniaV1 = """
        Noi, organizațiile membre ale rețelei Child10 semnatare, lucrăm zilnic cu copii care ajung singuri în România: copii aflați în tranzit, copii separați de familiile lor și copii identificați ca victime ale traficului de persoane.

        ## Ce vedem

        Prea mulți copii neînsoțiți așteaptă zile sau săptămâni până când cineva este numit să acționeze în interesul lor superior. În acest timp sunt audiați fără sprijin, mutați între instituții și expuși acelorași traficanți care i-au exploatat. **Un copil fără tutore este un copil fără voce.**

        ## Ce cerem Guvernului României

        1. Numirea unui tutore calificat și independent pentru fiecare copil neînsoțit sau separat în cel mult 24 de ore de la identificare, în lege și în practică.
        2. Finanțarea centrelor specializate pentru copiii victime ale traficului, în parteneriat cu organizațiile societății civile.
        3. Instruirea comună a poliției de frontieră, a inspectorilor de muncă și a personalului DGASPC privind identificarea și referirea.
        4. Transpunerea integrală a Directivei UE privind combaterea traficului de persoane, astfel cum a fost revizuită.
        5. Publicarea anuală a numărului de copii identificați și a timpului în care fiecare a primit un tutore.

        Suntem pregătiți să lucrăm cu Ministerul Muncii și Solidarității Sociale pentru ca aceste angajamente să devină realitate.
        """;

    private const string AlbaniaV1 = """
        Ne, organizatat anëtare të rrjetit Child10 që nënshkruajmë këtë deklaratë, punojmë çdo ditë me fëmijë që mbërrijnë vetëm në Shqipëri: fëmijë në lëvizje, fëmijë të ndarë nga familjet e tyre dhe fëmijë të identifikuar si viktima të trafikimit.

        ## Çfarë shohim

        Shumë fëmijë të pashoqëruar presin ditë ose javë derisa dikush të caktohet për të vepruar në interesin e tyre më të lartë. Gjatë kësaj kohe ata intervistohen pa mbështetje, zhvendosen nga një institucion në tjetrin dhe mbeten të ekspozuar ndaj të njëjtëve trafikantë që i shfrytëzuan.

        ## Çfarë kërkojmë nga Qeveria e Shqipërisë

        1. Caktimi i një kujdestari të kualifikuar për çdo fëmijë të pashoqëruar ose të ndarë brenda 24 orëve nga identifikimi.
        2. Financimi i strehëzave të specializuara për fëmijët viktima të trafikimit.
        3. Trajnimi i përbashkët i policisë kufitare dhe i punonjësve për mbrojtjen e fëmijëve për identifikimin.

        Jemi të gatshëm të ndajmë përvojën e punës sonë në terren.
        """;

    private static async Task<int> SeedStatementsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Dictionary<string, long> staffIds,
        Dictionary<string, long> organisationIds,
        CancellationToken ct)
    {
        _ = organisationIds;
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var releaseOn = today.AddDays(60);
        var lead = StaffId(staffIds, Lead);
        var inserted = 0;

        async Task<long> VersionAsync(long statementId, int number, string title, string body, string changeNote, long? coreVersionId, int daysAgo)
        {
            body = StatementText.Normalise(body);
            inserted++;
            return await connection.ExecuteScalarAsync<long>(new CommandDefinition(InsertSeedVersionSql, new
            {
                statementId, number, title, body, changeNote, hash = StatementText.ContentHash(title, body), coreVersionId, createdBy = lead, daysAgo,
            }, transaction, cancellationToken: ct));
        }

        var coreId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(InsertCoreStatementSql,
            new { title = GuardianshipStatementTitle, releaseOn, leadId = lead }, transaction, cancellationToken: ct));
        if (coreId is long created)
        {
            inserted++;
            await VersionAsync(created, 1, GuardianshipStatementTitle, CoreV1, "First draft, from the key asks agreed at the regional meeting.", null, 12);
            await VersionAsync(created, 2, GuardianshipStatementTitle, CoreV2,
                "Members' comments: independent guardians, labour inspectors trained too, a yearly public report, and why now.", null, 6);
        }
        var core = coreId ?? await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(CoreStatementIdSql, new { title = GuardianshipStatementTitle }, transaction, cancellationToken: ct));
        if (core is not long id)
        {
            return inserted;
        }
        var coreVersions = (await connection.QueryAsync<(long Id, int Number)>(new CommandDefinition(
            "select id, number from statement_version where statement_id = @id", new { id }, transaction, cancellationToken: ct))).ToDictionary(v => v.Number, v => v.Id);

        async Task VariantAsync(string country, string language, string title, string body, int coreVersion, DateOnly release)
        {
            var variantId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(InsertVariantSql,
                new { coreId = id, country, language, title, releaseOn = release }, transaction, cancellationToken: ct));
            if (variantId is long variant)
            {
                inserted++;
                await VersionAsync(variant, 1, title, body, $"Adapted from core version {coreVersion}.", coreVersions[coreVersion], coreVersion == 1 ? 9 : 4);
            }
        }

        await VariantAsync("MD", "ro", "Declarație comună: un tutore pentru fiecare copil neînsoțit, din prima zi", MoldovaV1, 2, releaseOn);
        await VariantAsync("RO", "ro", "Declarație comună: un tutore pentru fiecare copil neînsoțit, din prima zi", RomaniaV1, 2, releaseOn);
        // Albania: still on core version 1, and planned a week later than the others.
        await VariantAsync("AL", "sq", "Deklaratë e përbashkët: një kujdestar për çdo fëmijë të pashoqëruar që nga dita e parë", AlbaniaV1, 1, releaseOn.AddDays(7));
        return inserted;
    }
}
