using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Demo;

/// <summary>The number of rows in each table once the seed has run (demo and non-demo rows alike).</summary>
public sealed record DemoSeedResult(int StaffUsers, int Organisations, int People);

/// <summary>
/// Loads an invented demo network: staff users, awarded member organisations with their
/// signatories and contacts, and the ministries, parliaments and intergovernmental bodies
/// they advocate to, with their decision-makers. All names, addresses and websites are
/// invented (every domain ends in <c>.example</c>).
/// </summary>
/// <remarks>
/// Idempotent: every row is keyed on its natural key (staff user by issuer and subject,
/// organisation by name and country, person by normalised email) and inserted only when
/// missing, so a second run changes nothing and an existing record edited by staff is left
/// as it is. Everything happens in one transaction; an <c>audit_event</c> is written only when
/// a row was actually inserted. Needs the reference data of migration 0003 (regions, countries,
/// themes).
/// </remarks>
public static partial class DemoSeed
{
    private const string Issuer = "local-dev";
    private const string AuditLabel = "system:seed-demo";

    private const string Lead = "demo-lead";
    private const string Lead2 = "demo-lead-2";

    private const string National = "national";
    private const string Regional = "regional";
    private const string International = "international";

    private const string LegitimateInterest = "legitimate_interest";
    private const string PublicTask = "public_task";

    private const string PublicDirectory = "Public directory";
    private const string ParliamentWebsite = "Parliament website";
    private const string EuWhoiswho = "EU Whoiswho directory";
    private const string MetAtEvent = "Met at event";
    private const string ReferredByMember = "Referred by member organisation";
    private const string AwardProgramme = "Child10 award programme";

    // Serialises concurrent seeds so that each sees the other's committed rows.
    private const string LockSql = """
        select pg_advisory_xact_lock(hashtext('child10.demo-seed'))
        """;

    private const string InsertStaffUserSql = """
        insert into staff_user (issuer, subject, email, display_name, role, time_zone)
        values (@Issuer, @Subject, @Email, @DisplayName, @Role, @TimeZone)
        on conflict (issuer, subject) do nothing
        """;

    private const string SelectStaffUsersSql = """
        select subject, id
        from staff_user
        where issuer = @Issuer and subject = any(@Subjects)
        """;

    private const string SelectThemesSql = """
        select name, id
        from theme
        """;

    // Returns the organisation's id and whether this statement inserted it. The second branch
    // runs on the statement's snapshot, so it never sees the row the first branch inserts:
    // exactly one row comes back.
    private const string UpsertOrganisationSql = """
        with inserted as (
            insert into organisation (name, kind, award_year, country_code, region_id, website, notes)
            values (@Name, @Kind, @AwardYear, @CountryCode,
                    coalesce((select r.id from region r where r.name = @Region),
                             (select c.region_id from country c where c.code = @CountryCode)),
                    @Website, @Notes)
            on conflict (lower(name), coalesce(country_code, '--')) do nothing
            returning id
        )
        select id, true as inserted from inserted
        union all
        select o.id, false as inserted
        from organisation o
        where lower(o.name) = lower(@Name)
          and coalesce(o.country_code, '--') = coalesce(@CountryCode, '--')
        """;

    private const string InsertOrganisationThemeSql = """
        insert into organisation_theme (organisation_id, theme_id)
        values (@OwnerId, @ThemeId)
        on conflict do nothing
        """;

    private const string UpsertPersonSql = """
        with inserted as (
            insert into person (full_name, position, category, organisation_id, email, country_code,
                                preferred_language, jurisdiction, owner_staff_id, owner_organisation_id,
                                data_source, lawful_basis, privacy_notice_sent_on, do_not_contact)
            values (@FullName, @Position, @Category, @OrganisationId, @Email, @CountryCode,
                    @PreferredLanguage, @Jurisdiction, @OwnerStaffId, @OwnerOrganisationId,
                    @DataSource, @LawfulBasis, @PrivacyNoticeSentOn, @DoNotContact)
            on conflict (email_normalised) where email_normalised is not null do nothing
            returning id
        )
        select id, true as inserted from inserted
        union all
        select p.id, false as inserted
        from person p
        where p.email_normalised = lower(btrim(@Email))
        """;

    private const string InsertPersonThemeSql = """
        insert into person_theme (person_id, theme_id)
        values (@OwnerId, @ThemeId)
        on conflict do nothing
        """;

    private const string CountSql = """
        select (select count(*) from staff_user)::int   as staff_users,
               (select count(*) from organisation)::int as organisations,
               (select count(*) from person)::int       as people
        """;

    private const string InsertAuditEventSql = """
        insert into audit_event (actor_id, actor_label, action, entity, entity_id, data)
        values (null, @ActorLabel, 'demo.seed', 'database', null,
                jsonb_build_object(
                    'inserted', jsonb_build_object(
                        'staff_users', @StaffUsersInserted,
                        'organisations', @OrganisationsInserted,
                        'organisation_themes', @OrganisationThemesInserted,
                        'people', @PeopleInserted,
                        'person_themes', @PersonThemesInserted,
                        'interactions', @InteractionsInserted,
                        'segments', @SegmentsInserted,
                        'campaigns_and_consultations', @CampaignsInserted),
                    'totals', jsonb_build_object(
                        'staff_users', @StaffUsers,
                        'organisations', @Organisations,
                        'people', @People)))
        """;

    // ---------------------------------------------------------------- staff (Child10, Sweden)

    private static readonly StaffSeed[] Staff =
    [
        new("demo-admin", "Karin Ekström", "karin.ekstrom@child10.example", "admin"),
        new(Lead, "Amira Haddad", "amira.haddad@child10.example", "lead"),
        new(Lead2, "Elin Sjöberg", "elin.sjoberg@child10.example", "lead"),
        new("demo-viewer", "Mikael Nyström", "mikael.nystrom@child10.example", "viewer"),
    ];

    // ---------------------------------------------------------------- awarded member organisations

    private static readonly OrganisationSeed[] Members =
    [
        // Europe
        Member("md-punte", "Asociația Obștească Punte pentru Copii", "MD", 2016, "puntepentrucopii.md.example",
            "Runs a drop-in centre in Bălți and gives legal aid and psychosocial support to child victims of trafficking and their families.",
            ["Victim identification and support", "Legal reform", "Cross-border cooperation"]),
        Member("md-zori", "Centrul Comunitar Zori Senine", "MD", 2021, "zorisenine.md.example",
            "Works in schools and villages around Cahul to prevent the trafficking of children left behind by parents who migrated for work.",
            ["Prevention", "Unaccompanied and migrant children"]),
        Member("ro-pasi", "Asociația Pași Siguri pentru Copii", "RO", 2018, "pasisiguri.ro.example",
            "Runs a shelter in Iași for girls returned from sexual exploitation abroad and supports their return to school and family.",
            ["Victim identification and support", "Cross-border cooperation", "Prevention"]),
        Member("ro-ochi", "Fundația Ochi Deschiși", "RO", 2022, "ochideschisi.ro.example",
            "Operates a national hotline for reporting online sexual exploitation of children and trains teachers and parents in online safety.",
            ["Online sexual exploitation", "Prevention", "Data and research"]),
        Member("al-lire", "Qendra Fëmijët e Lirë", "AL", 2015, "femijetelire.al.example",
            "Does street outreach and case management for children in street situations in Tirana and Durrës and refers them to child protection units.",
            ["Children in street situations", "Child labour", "Victim identification and support"]),
        Member("se-trygga", "Föreningen Trygga Spår Södertälje", "SE", 2019, "tryggaspar.se.example",
            "Gives unaccompanied migrant children in the Stockholm region who are at risk of exploitation a mentor, housing referrals and guardianship advice.",
            ["Unaccompanied and migrant children", "Victim identification and support"]),

        // Africa
        Member("ke-pwani", "Pwani Child Shield Initiative", "KE", 2014, "pwanichildshield.ke.example",
            "Works with hotels, boat operators and communities on the Kenyan coast to prevent the sexual exploitation of children in travel and tourism.",
            ["Prevention", "Victim identification and support", "Legal reform"]),
        Member("ke-mtaa", "Mtaa Salama Children's Trust", "KE", 2020, "mtaasalama.ke.example",
            "Runs night outreach and a drop-in centre for children in street situations in Nairobi's informal settlements.",
            ["Children in street situations", "Victim identification and support"]),
        Member("ug-nile", "Nile Border Child Protection Forum", "UG", 2023, "nileborder.ug.example",
            "Monitors the Busia and Malaba border crossings and works with police and social workers on the safe return of trafficked children between Uganda and Kenya.",
            ["Cross-border cooperation", "Child labour", "Victim identification and support"]),

        // Asia and the Pacific
        Member("np-sano", "Sano Haat Child Protection Centre", "NP", 2016, "sanohaat.np.example",
            "Runs transit homes and interception desks on the Nepal–India border and gives legal aid to child survivors in court.",
            ["Cross-border cooperation", "Legal reform", "Victim identification and support"]),
        Member("np-ujyalo", "Bal Ujyalo Samaj", "NP", 2024, "balujyalo.np.example",
            "Works with adolescent girls' groups in rural Madhesh Province to prevent child marriage and trafficking.",
            ["Child and forced marriage", "Prevention"]),
        Member("ph-sinag", "Sinag Ligtas Foundation", "PH", 2019, "sinagligtas.ph.example",
            "Gives aftercare to children rescued from livestreamed sexual abuse in Cebu and trains barangay officials to recognise online exploitation.",
            ["Online sexual exploitation", "Victim identification and support", "Data and research"]),
    ];

    // ---------------------------------------------------------------- actors (decision-making bodies, partners)

    private static readonly OrganisationSeed[] Actors =
    [
        // Ministries of the member countries
        Actor("md-mlsp", "Ministry of Labour and Social Protection", "government", "MD", null, "mlsp.gov.md.example"),
        Actor("ro-mmuncii", "Ministry of Labour, Family, Youth and Social Solidarity", "government", "RO", null, "mmuncii.gov.ro.example"),
        Actor("al-mshms", "Ministry of Health and Social Protection", "government", "AL", null, "shendetesia.gov.al.example"),
        Actor("se-s", "Ministry of Health and Social Affairs", "government", "SE", null, "regeringskansliet.se.example"),
        Actor("ke-mlsp", "Ministry of Labour and Social Protection", "government", "KE", null, "labour.go.ke.example"),
        Actor("ug-mglsd", "Ministry of Gender, Labour and Social Development", "government", "UG", null, "mglsd.go.ug.example"),
        Actor("np-mowcsc", "Ministry of Women, Children and Senior Citizens", "government", "NP", null, "mowcsc.gov.np.example"),
        Actor("ph-dswd", "Department of Social Welfare and Development", "government", "PH", null, "dswd.gov.ph.example"),

        // National parliament committees
        Actor("md-parl", "Parliament of the Republic of Moldova – Committee on Social Protection, Health and Family", "parliament", "MD", null, "parlament.md.example"),
        Actor("ro-parl", "Chamber of Deputies – Committee on Labour and Social Protection", "parliament", "RO", null, "cdep.ro.example"),
        Actor("al-parl", "Assembly of Albania – Committee on Labour, Social Affairs and Health", "parliament", "AL", null, "parlament.al.example"),
        Actor("se-parl", "Riksdag – Committee on Justice", "parliament", "SE", null, "riksdagen.se.example"),
        Actor("ke-parl", "National Assembly of Kenya – Departmental Committee on Social Protection", "parliament", "KE", null, "parliament.go.ke.example"),
        Actor("ph-parl", "House of Representatives of the Philippines – Committee on the Welfare of Children", "parliament", "PH", null, "congress.gov.ph.example"),

        // Private-sector partner
        Actor("se-av", "Applied Value", "private_sector", "SE", null, "appliedvalue.example",
            "Private-sector partner that supports the Child10 Mentorship Program for awarded members."),

        // Intergovernmental bodies (no country)
        Actor("eu-home", "European Commission – Directorate-General for Migration and Home Affairs (DG HOME)", "intergovernmental", null, "Europe", "ec.europa.eu.example",
            themes: ["Legal reform", "Online sexual exploitation"]),
        Actor("eu-atc", "European Commission – Office of the EU Anti-Trafficking Coordinator", "intergovernmental", null, "Europe", "ec.europa.eu.example",
            themes: ["Cross-border cooperation", "Victim identification and support"]),
        Actor("ep-libe", "European Parliament – Committee on Civil Liberties, Justice and Home Affairs (LIBE)", "intergovernmental", null, "Europe", "europarl.europa.eu.example"),
        Actor("ep-femm", "European Parliament – Committee on Women's Rights and Gender Equality (FEMM)", "intergovernmental", null, "Europe", "europarl.europa.eu.example"),
        Actor("coe-greta", "Council of Europe – Group of Experts on Action against Trafficking in Human Beings (GRETA)", "intergovernmental", null, "Europe", "coe.int.example",
            themes: ["Legal reform", "Victim identification and support"]),
        Actor("coe-lanzarote", "Council of Europe – Lanzarote Committee", "intergovernmental", null, "Europe", "coe.int.example",
            "Monitors the Council of Europe Convention on the Protection of Children against Sexual Exploitation and Sexual Abuse.",
            ["Online sexual exploitation", "Legal reform"]),
        Actor("osce-sr", "OSCE – Office of the Special Representative and Co-ordinator for Combating Trafficking in Human Beings", "intergovernmental", null, "Europe", "osce.org.example",
            themes: ["Cross-border cooperation"]),
        Actor("un-ohchr", "Office of the United Nations High Commissioner for Human Rights (OHCHR)", "intergovernmental", null, null, "ohchr.org.example"),
        Actor("un-unicef", "United Nations Children's Fund (UNICEF)", "intergovernmental", null, null, "unicef.org.example",
            themes: ["Prevention", "Children in street situations", "Child and forced marriage"]),
        Actor("un-unodc", "United Nations Office on Drugs and Crime (UNODC)", "intergovernmental", null, null, "unodc.org.example",
            themes: ["Cross-border cooperation", "Data and research"]),
        Actor("un-srsec", "UN Special Rapporteur on the sale, sexual exploitation and sexual abuse of children", "intergovernmental", null, null, "ohchr.org.example",
            "Independent expert mandate of the UN Human Rights Council, formerly the Special Rapporteur on the sale of children, child prostitution and child pornography."),
        Actor("au-hhs", "African Union Commission – Department of Health, Humanitarian Affairs and Social Development", "intergovernmental", null, "Africa", "au.int.example"),
        Actor("au-acerwc", "African Committee of Experts on the Rights and Welfare of the Child (ACERWC)", "intergovernmental", null, "Africa", "acerwc.africa.example",
            themes: ["Child labour", "Child and forced marriage"]),
        Actor("asean-sec", "ASEAN Secretariat", "intergovernmental", null, "Asia and the Pacific", "asean.org.example"),
        Actor("asean-acwc", "ASEAN Commission on the Promotion and Protection of the Rights of Women and Children (ACWC)", "intergovernmental", null, "Asia and the Pacific", "asean.org.example",
            themes: ["Online sexual exploitation", "Cross-border cooperation"]),
    ];

    // ---------------------------------------------------------------- decision-makers
    // organisation, name, position, email, country (null for international staff), language,
    // jurisdiction, data source, lawful basis, privacy notice sent on, owning lead, policy areas.

    private static readonly PersonSeed[] DecisionMakers =
    [
        // Moldova
        Dm("md-mlsp", "Ion Ciobanu", "State Secretary", "i.ciobanu@mlsp.gov.md.example", "MD", "ro", National, PublicDirectory, LegitimateInterest, On(2025, 2, 11), Lead,
            ["Legal reform", "Victim identification and support"]),
        Dm("md-mlsp", "Tatiana Moraru", "Head of the Child Rights Protection Policy Directorate", "t.moraru@mlsp.gov.md.example", "MD", "ro", National, PublicDirectory, LegitimateInterest, On(2025, 2, 11), Lead,
            ["Victim identification and support", "Prevention"]),
        Dm("md-mlsp", "Sergiu Bălan", "Senior Consultant, Anti-Trafficking Unit", "s.balan@mlsp.gov.md.example", "MD", "ro", National, ReferredByMember, LegitimateInterest, null, Lead,
            ["Cross-border cooperation"]),
        Dm("md-parl", "Doina Țurcanu", "Chair of the Committee, Member of Parliament", "doina.turcanu@parlament.md.example", "MD", "ro", National, ParliamentWebsite, PublicTask, On(2024, 11, 5), Lead,
            ["Legal reform"]),
        Dm("md-parl", "Victor Grosu", "Member of Parliament", "victor.grosu@parlament.md.example", "MD", "ro", National, ParliamentWebsite, PublicTask, On(2024, 11, 5), Lead,
            ["Legal reform", "Child labour"]),

        // Romania
        Dm("ro-mmuncii", "Andreea Popescu", "State Secretary", "andreea.popescu@mmuncii.gov.ro.example", "RO", "ro", National, PublicDirectory, LegitimateInterest, On(2025, 1, 20), Lead,
            ["Legal reform", "Victim identification and support"]),
        Dm("ro-mmuncii", "Mihai Dumitrescu", "Director, Directorate for Child Protection", "mihai.dumitrescu@mmuncii.gov.ro.example", "RO", "ro", National, PublicDirectory, LegitimateInterest, On(2025, 1, 20), Lead,
            ["Victim identification and support", "Cross-border cooperation"]),
        Dm("ro-mmuncii", "Elena Stănescu", "Counsellor for International Affairs", "elena.stanescu@mmuncii.gov.ro.example", "RO", "en", National, MetAtEvent, LegitimateInterest, On(2025, 3, 14), Lead,
            ["Cross-border cooperation", "Data and research"]),
        Dm("ro-parl", "Gheorghe Rădulescu", "Member of the Chamber of Deputies, Committee Secretary", "gheorghe.radulescu@cdep.ro.example", "RO", "ro", National, ParliamentWebsite, PublicTask, On(2024, 10, 2), Lead,
            ["Legal reform", "Online sexual exploitation"]),
        Dm("ro-parl", "Ana-Maria Constantinescu", "Member of the Chamber of Deputies", "anamaria.constantinescu@cdep.ro.example", "RO", "ro", National, ParliamentWebsite, PublicTask, null, Lead,
            ["Online sexual exploitation"]),

        // Albania
        Dm("al-mshms", "Arben Hoxha", "Deputy Minister", "arben.hoxha@shendetesia.gov.al.example", "AL", "sq", National, PublicDirectory, LegitimateInterest, On(2025, 4, 3), Lead,
            ["Children in street situations", "Legal reform"]),
        Dm("al-mshms", "Elira Shehu", "Director of Social Inclusion Policies", "elira.shehu@shendetesia.gov.al.example", "AL", "sq", National, ReferredByMember, LegitimateInterest, On(2025, 4, 3), Lead,
            ["Children in street situations", "Child labour", "Victim identification and support"]),
        Dm("al-parl", "Blerina Dervishi", "Chair of the Committee, Member of Parliament", "b.dervishi@parlament.al.example", "AL", "sq", National, ParliamentWebsite, PublicTask, On(2024, 12, 9), Lead,
            ["Legal reform"]),
        Dm("al-parl", "Gentian Kola", "Member of Parliament", "g.kola@parlament.al.example", "AL", "sq", National, ParliamentWebsite, PublicTask, On(2024, 12, 9), Lead,
            ["Child labour"]),

        // Sweden
        Dm("se-s", "Åsa Lindqvist", "State Secretary", "asa.lindqvist@regeringskansliet.se.example", "SE", "sv", National, PublicDirectory, LegitimateInterest, On(2025, 1, 8), Lead,
            ["Unaccompanied and migrant children", "Legal reform"]),
        Dm("se-s", "Johan Wikström", "Deputy Director, Division for Family and Social Services", "johan.wikstrom@regeringskansliet.se.example", "SE", "sv", National, PublicDirectory, LegitimateInterest, On(2025, 1, 8), Lead,
            ["Unaccompanied and migrant children", "Victim identification and support"]),
        Dm("se-s", "Sara Öberg", "Desk Officer for Children's Rights", "sara.oberg@regeringskansliet.se.example", "SE", "sv", National, MetAtEvent, LegitimateInterest, On(2025, 5, 22), Lead,
            ["Online sexual exploitation", "Data and research"]),
        Dm("se-parl", "Lars Engström", "Member of the Riksdag, Committee on Justice", "lars.engstrom@riksdagen.se.example", "SE", "sv", National, ParliamentWebsite, PublicTask, On(2024, 9, 30), Lead,
            ["Legal reform", "Online sexual exploitation"]),
        Dm("se-parl", "Maja Håkansson", "Member of the Riksdag, Deputy Chair of the Committee on Justice", "maja.hakansson@riksdagen.se.example", "SE", "sv", National, ParliamentWebsite, PublicTask, On(2024, 9, 30), Lead,
            ["Legal reform"]),

        // Kenya
        Dm("ke-mlsp", "Grace Wanjiru Kamau", "Principal Secretary, State Department for Children Services", "g.kamau@labour.go.ke.example", "KE", "en", National, PublicDirectory, LegitimateInterest, On(2025, 2, 26), Lead2,
            ["Legal reform", "Victim identification and support"]),
        Dm("ke-mlsp", "Peter Otieno", "Director of Children Services", "p.otieno@labour.go.ke.example", "KE", "en", National, PublicDirectory, LegitimateInterest, On(2025, 2, 26), Lead2,
            ["Children in street situations", "Victim identification and support"]),
        Dm("ke-mlsp", "Mercy Chebet", "Senior Children's Officer, Counter-Trafficking Desk", "m.chebet@labour.go.ke.example", "KE", "sw", National, ReferredByMember, LegitimateInterest, On(2025, 6, 10), Lead2,
            ["Cross-border cooperation", "Prevention"]),
        Dm("ke-parl", "Hassan Abdi Noor", "Chair of the Committee, Member of the National Assembly", "h.noor@parliament.go.ke.example", "KE", "en", National, ParliamentWebsite, PublicTask, On(2024, 11, 18), Lead2,
            ["Legal reform", "Prevention"]),
        Dm("ke-parl", "Faith Njeri Mwangi", "Member of the National Assembly", "f.mwangi@parliament.go.ke.example", "KE", "en", National, ParliamentWebsite, PublicTask, On(2024, 11, 18), Lead2,
            ["Children in street situations"], doNotContact: true),

        // Uganda
        Dm("ug-mglsd", "Florence Nakato", "Permanent Secretary", "f.nakato@mglsd.go.ug.example", "UG", "en", National, PublicDirectory, LegitimateInterest, On(2025, 3, 3), Lead2,
            ["Legal reform", "Child labour"]),
        Dm("ug-mglsd", "Moses Okello", "Commissioner for Children and Youth Affairs", "m.okello@mglsd.go.ug.example", "UG", "en", National, PublicDirectory, LegitimateInterest, On(2025, 3, 3), Lead2,
            ["Child labour", "Cross-border cooperation"]),
        Dm("ug-mglsd", "Brenda Achieng Auma", "Senior Probation and Social Welfare Officer", "b.auma@mglsd.go.ug.example", "UG", "en", National, ReferredByMember, LegitimateInterest, null, Lead2,
            ["Victim identification and support", "Cross-border cooperation"]),

        // Nepal
        Dm("np-mowcsc", "Sita Kumari Shrestha", "Secretary", "sita.shrestha@mowcsc.gov.np.example", "NP", "ne", National, PublicDirectory, LegitimateInterest, On(2025, 1, 29), Lead2,
            ["Legal reform", "Child and forced marriage"]),
        Dm("np-mowcsc", "Ramesh Prasad Adhikari", "Joint Secretary, Child Rights Division", "ramesh.adhikari@mowcsc.gov.np.example", "NP", "ne", National, PublicDirectory, LegitimateInterest, On(2025, 1, 29), Lead2,
            ["Child and forced marriage", "Prevention"]),
        Dm("np-mowcsc", "Anjana Gurung", "Under Secretary, Anti-Trafficking Section", "anjana.gurung@mowcsc.gov.np.example", "NP", "en", National, MetAtEvent, LegitimateInterest, On(2025, 7, 1), Lead2,
            ["Cross-border cooperation", "Victim identification and support", "Data and research"]),

        // Philippines
        Dm("ph-dswd", "Maria Teresa Villanueva", "Undersecretary for Operations", "mt.villanueva@dswd.gov.ph.example", "PH", "en", National, PublicDirectory, LegitimateInterest, On(2025, 2, 4), Lead2,
            ["Online sexual exploitation", "Victim identification and support"]),
        Dm("ph-dswd", "Jose Miguel Santos", "Director, Protective Services Bureau", "jm.santos@dswd.gov.ph.example", "PH", "en", National, PublicDirectory, LegitimateInterest, On(2025, 2, 4), Lead2,
            ["Victim identification and support", "Children in street situations"]),
        Dm("ph-dswd", "Rowena Dela Cruz", "Social Welfare Officer, Recovery and Reintegration Program for Trafficked Persons", "r.delacruz@dswd.gov.ph.example", "PH", "tl", National, ReferredByMember, LegitimateInterest, On(2025, 8, 12), Lead2,
            ["Victim identification and support"]),
        Dm("ph-parl", "Ramon Bautista", "Representative, Chair of the Committee on the Welfare of Children", "ramon.bautista@congress.gov.ph.example", "PH", "en", National, ParliamentWebsite, PublicTask, On(2024, 10, 21), Lead2,
            ["Online sexual exploitation", "Legal reform"]),
        Dm("ph-parl", "Kristine Mae Reyes", "Committee Secretary", "km.reyes@congress.gov.ph.example", "PH", "tl", National, ParliamentWebsite, PublicTask, null, Lead2,
            ["Online sexual exploitation"]),

        // European Union
        Dm("eu-home", "Mária Kovács", "Head of Unit, Fight against Trafficking in Human Beings", "maria.kovacs@ec.europa.eu.example", null, "en", Regional, EuWhoiswho, LegitimateInterest, On(2025, 3, 18), Lead,
            ["Legal reform", "Cross-border cooperation"]),
        Dm("eu-home", "Pierre-Alain Dubois", "Policy Officer, Child Sexual Abuse", "pierre-alain.dubois@ec.europa.eu.example", null, "fr", Regional, EuWhoiswho, LegitimateInterest, On(2025, 3, 18), Lead,
            ["Online sexual exploitation", "Legal reform"]),
        Dm("eu-home", "Katarzyna Nowak", "Deputy Head of Unit, Prevention of Child Sexual Abuse", "katarzyna.nowak@ec.europa.eu.example", null, "en", Regional, MetAtEvent, LegitimateInterest, On(2025, 6, 2), Lead,
            ["Online sexual exploitation", "Prevention"]),
        Dm("eu-atc", "Giulia Ferrante", "Adviser to the EU Anti-Trafficking Coordinator", "giulia.ferrante@ec.europa.eu.example", null, "en", Regional, EuWhoiswho, LegitimateInterest, On(2025, 3, 18), Lead,
            ["Cross-border cooperation", "Victim identification and support"]),
        Dm("eu-atc", "Henrik Sørensen", "Policy Officer", "henrik.sorensen@ec.europa.eu.example", null, "en", Regional, EuWhoiswho, LegitimateInterest, On(2025, 3, 18), Lead,
            ["Data and research"]),
        Dm("ep-libe", "Lucía Fernández Ortega", "Member of the European Parliament, LIBE Rapporteur", "lucia.fernandezortega@europarl.europa.eu.example", "ES", "es", Regional, ParliamentWebsite, PublicTask, On(2024, 12, 2), Lead,
            ["Legal reform", "Unaccompanied and migrant children"]),
        Dm("ep-libe", "Jürgen Hoffmann", "Member of the European Parliament", "juergen.hoffmann@europarl.europa.eu.example", "DE", "de", Regional, ParliamentWebsite, PublicTask, On(2024, 12, 2), Lead,
            ["Online sexual exploitation"], doNotContact: true),
        Dm("ep-femm", "Ilona Vaitkevičienė", "Member of the European Parliament, FEMM Vice-Chair", "ilona.vaitkeviciene@europarl.europa.eu.example", "LT", "lt", Regional, ParliamentWebsite, PublicTask, On(2024, 12, 2), Lead,
            ["Child and forced marriage", "Legal reform"]),
        Dm("ep-femm", "Chiara Benedetti", "Administrator, FEMM Committee Secretariat", "chiara.benedetti@europarl.europa.eu.example", null, "it", Regional, MetAtEvent, LegitimateInterest, On(2025, 4, 24), Lead,
            ["Child and forced marriage"]),

        // Council of Europe
        Dm("coe-greta", "Nathalie Lefèvre", "Administrator, GRETA Secretariat", "nathalie.lefevre@coe.int.example", null, "fr", Regional, PublicDirectory, LegitimateInterest, On(2025, 2, 17), Lead,
            ["Legal reform", "Victim identification and support"]),
        Dm("coe-greta", "Dragan Petrović", "Member of GRETA, Country Rapporteur", "dragan.petrovic@coe.int.example", "RS", "en", Regional, MetAtEvent, LegitimateInterest, On(2025, 5, 6), Lead,
            ["Child labour", "Cross-border cooperation"]),
        Dm("coe-lanzarote", "Ingrid Johansen", "Chair of the Lanzarote Committee", "ingrid.johansen@coe.int.example", "NO", "en", Regional, PublicDirectory, LegitimateInterest, On(2025, 2, 17), Lead,
            ["Online sexual exploitation", "Legal reform"]),
        Dm("coe-lanzarote", "Sophie Marchetti", "Secretary of the Lanzarote Committee", "sophie.marchetti@coe.int.example", null, "fr", Regional, PublicDirectory, LegitimateInterest, On(2025, 2, 17), Lead,
            ["Online sexual exploitation", "Data and research"]),

        // OSCE
        Dm("osce-sr", "Thomas Gruber", "Senior Adviser", "thomas.gruber@osce.org.example", null, "de", Regional, PublicDirectory, LegitimateInterest, On(2025, 4, 9), Lead,
            ["Cross-border cooperation", "Child labour"]),
        Dm("osce-sr", "Nino Beridze", "Associate Programme Officer", "nino.beridze@osce.org.example", null, "en", Regional, MetAtEvent, LegitimateInterest, On(2025, 9, 15), Lead,
            ["Online sexual exploitation", "Unaccompanied and migrant children"]),

        // United Nations
        Dm("un-ohchr", "Amadou Diallo", "Human Rights Officer, Child Rights", "amadou.diallo@ohchr.org.example", null, "fr", International, PublicDirectory, LegitimateInterest, On(2025, 1, 14), Lead2,
            ["Legal reform", "Data and research"]),
        Dm("un-unicef", "Laura Méndez", "Chief of Child Protection, Programme Division", "lmendez@unicef.org.example", null, "es", International, MetAtEvent, LegitimateInterest, On(2025, 5, 28), Lead2,
            ["Prevention", "Children in street situations", "Unaccompanied and migrant children"]),
        Dm("un-unicef", "Kavita Rai", "Child Protection Specialist, Nepal Country Office", "krai@unicef.org.example", "NP", "en", International, ReferredByMember, LegitimateInterest, On(2025, 7, 1), Lead2,
            ["Child and forced marriage", "Cross-border cooperation"]),
        Dm("un-unodc", "Carlos Eduardo Ribeiro", "Crime Prevention and Criminal Justice Officer, Human Trafficking and Migrant Smuggling Section", "carlos.ribeiro@unodc.org.example", null, "pt", International, PublicDirectory, LegitimateInterest, On(2025, 1, 14), Lead2,
            ["Data and research", "Cross-border cooperation"]),
        Dm("un-unodc", "Mei Ling Tan", "Regional Programme Officer, Southeast Asia and the Pacific", "meiling.tan@unodc.org.example", "TH", "en", International, MetAtEvent, LegitimateInterest, null, Lead2,
            ["Online sexual exploitation", "Cross-border cooperation"]),
        Dm("un-srsec", "Aïcha Benali", "Special Rapporteur", "aicha.benali@ohchr.org.example", null, "fr", International, PublicDirectory, LegitimateInterest, On(2025, 1, 14), Lead2,
            ["Online sexual exploitation", "Legal reform", "Prevention"]),

        // African Union
        Dm("au-hhs", "Tendai Moyo", "Head of Division, Social Welfare, Vulnerable Groups and Drug Control", "t.moyo@au.int.example", null, "en", Regional, PublicDirectory, LegitimateInterest, On(2025, 3, 11), Lead2,
            ["Cross-border cooperation", "Unaccompanied and migrant children"]),
        Dm("au-acerwc", "Aminata Koné", "Member of the Committee, Rapporteur on Child Trafficking", "a.kone@acerwc.africa.example", "ML", "fr", Regional, MetAtEvent, LegitimateInterest, On(2025, 3, 11), Lead2,
            ["Child and forced marriage", "Child labour", "Legal reform"]),

        // ASEAN
        Dm("asean-sec", "Nguyễn Thị Lan", "Senior Officer, Poverty Eradication and Gender Division", "lan.nguyen@asean.org.example", null, "en", Regional, PublicDirectory, LegitimateInterest, On(2025, 2, 20), Lead2,
            ["Data and research", "Cross-border cooperation"]),
        Dm("asean-acwc", "Arief Wibowo", "Representative of Indonesia on Children's Rights", "arief.wibowo@asean.org.example", "ID", "id", Regional, MetAtEvent, LegitimateInterest, null, Lead2,
            ["Online sexual exploitation"]),
    ];

    // ---------------------------------------------------------------- member signatories and contacts
    // member, signatory (name, position, email), contact (name, position, email), language, notice sent on.

    private static readonly MemberPeopleSeed[] MemberPeople =
    [
        new("md-punte", "Natalia Rusu", "Executive Director", "n.rusu@puntepentrucopii.md.example",
            "Vasile Cebotari", "Programme Coordinator", "v.cebotari@puntepentrucopii.md.example", "ro", On(2024, 3, 1)),
        new("md-zori", "Lilia Munteanu", "Director", "l.munteanu@zorisenine.md.example",
            "Cristina Lupașcu", "Advocacy Officer", "c.lupascu@zorisenine.md.example", "ro", On(2024, 3, 1)),
        new("ro-pasi", "Ioana Mărgineanu", "President", "ioana.margineanu@pasisiguri.ro.example",
            "Ștefan Ionescu", "Shelter Coordinator", "stefan.ionescu@pasisiguri.ro.example", "ro", On(2024, 3, 4)),
        new("ro-ochi", "Radu Georgescu", "Executive Director", "radu.georgescu@ochideschisi.ro.example",
            "Alexandra Dinu", "Hotline Manager", "alexandra.dinu@ochideschisi.ro.example", "ro", On(2024, 3, 4)),
        new("al-lire", "Entela Çela", "Executive Director", "e.cela@femijetelire.al.example",
            "Besnik Muça", "Outreach Coordinator", "b.muca@femijetelire.al.example", "sq", On(2024, 3, 6)),
        new("se-trygga", "Annika Söderlund", "Director", "annika.soderlund@tryggaspar.se.example",
            "Omid Rahimi", "Project Coordinator", "omid.rahimi@tryggaspar.se.example", "sv", On(2024, 3, 6)),
        new("ke-pwani", "Rehema Said Mwinyi", "Executive Director", "rehema.mwinyi@pwanichildshield.ke.example",
            "Joseph Kiprono", "Programme Officer", "joseph.kiprono@pwanichildshield.ke.example", "en", On(2024, 3, 11)),
        new("ke-mtaa", "Daniel Mutua", "Founder and Director", "daniel.mutua@mtaasalama.ke.example",
            "Lucy Atieno", "Social Worker", "lucy.atieno@mtaasalama.ke.example", "en", On(2024, 3, 11)),
        new("ug-nile", "Sarah Namukasa", "Executive Director", "s.namukasa@nileborder.ug.example",
            "Isaac Wafula", "Border Monitoring Officer", "i.wafula@nileborder.ug.example", "en", On(2024, 3, 13)),
        new("np-sano", "Binita Thapa Magar", "Chairperson", "binita.thapa@sanohaat.np.example",
            "Suman Karki", "Programme Manager", "suman.karki@sanohaat.np.example", "ne", On(2024, 3, 15)),
        new("np-ujyalo", "Kamala Yadav", "Executive Director", "kamala.yadav@balujyalo.np.example",
            "Pooja Mahato", "Field Coordinator", "pooja.mahato@balujyalo.np.example", "ne", On(2024, 9, 2)),
        new("ph-sinag", "Ma. Lourdes Aquino", "Executive Director", "lourdes.aquino@sinagligtas.ph.example",
            "Jerome Castillo", "Aftercare Programme Lead", "jerome.castillo@sinagligtas.ph.example", "en", On(2024, 3, 18)),
    ];

    public static async Task<DemoSeedResult> RunAsync(NpgsqlDataSource dataSource, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(dataSource);

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        await connection.ExecuteAsync(new CommandDefinition(LockSql, null, transaction, cancellationToken: ct));

        // Reference data from migration 0003.
        var themeIds = (await connection.QueryAsync<(string Name, long Id)>(
                new CommandDefinition(SelectThemesSql, null, transaction, cancellationToken: ct)))
            .ToDictionary(t => t.Name, t => t.Id, StringComparer.Ordinal);

        // Staff users.
        var staffInserted = await connection.ExecuteAsync(new CommandDefinition(
            InsertStaffUserSql,
            Staff.Select(s => new
            {
                Issuer,
                s.Subject,
                s.Email,
                s.DisplayName,
                s.Role,
                TimeZone = "Europe/Stockholm",
            }),
            transaction,
            cancellationToken: ct));

        var staffIds = (await connection.QueryAsync<(string Subject, long Id)>(new CommandDefinition(
                SelectStaffUsersSql,
                new { Issuer, Subjects = new[] { Lead, Lead2 } },
                transaction,
                cancellationToken: ct)))
            .ToDictionary(s => s.Subject, s => s.Id, StringComparer.Ordinal);

        // Organisations and their themes.
        var organisationIds = new Dictionary<string, long>(StringComparer.Ordinal);
        var organisationsInserted = 0;
        var organisationThemes = new List<ThemeLink>();
        foreach (var organisation in Members.Concat(Actors))
        {
            var (id, inserted) = await connection.QuerySingleAsync<(long Id, bool Inserted)>(new CommandDefinition(
                UpsertOrganisationSql,
                new
                {
                    organisation.Name,
                    organisation.Kind,
                    organisation.AwardYear,
                    organisation.CountryCode,
                    organisation.Region,
                    organisation.Website,
                    organisation.Notes,
                },
                transaction,
                cancellationToken: ct));
            organisationIds.Add(organisation.Key, id);
            organisationsInserted += inserted ? 1 : 0;
            organisationThemes.AddRange(organisation.Themes.Select(t => new ThemeLink(id, ThemeId(themeIds, t))));
        }

        var organisationThemesInserted = await connection.ExecuteAsync(new CommandDefinition(
            InsertOrganisationThemeSql, organisationThemes, transaction, cancellationToken: ct));

        // People: decision-makers, then each member's signatory and contact.
        var people = new List<(PersonRow Row, IReadOnlyList<string> Themes)>();
        foreach (var dm in DecisionMakers)
        {
            people.Add((new PersonRow(
                dm.Name, dm.Position, "decision_maker", OrganisationId(organisationIds, dm.Organisation), dm.Email,
                dm.CountryCode, dm.Language, dm.Jurisdiction, StaffId(staffIds, dm.Owner), null,
                dm.DataSource, dm.LawfulBasis, dm.PrivacyNoticeSentOn, dm.DoNotContact), dm.Themes));
        }

        foreach (var member in MemberPeople)
        {
            var organisationId = OrganisationId(organisationIds, member.Organisation);
            var countryCode = Members.Single(m => m.Key == member.Organisation).CountryCode;
            people.Add((new PersonRow(
                member.SignatoryName, member.SignatoryPosition, "signatory", organisationId, member.SignatoryEmail,
                countryCode, member.Language, null, null, organisationId,
                AwardProgramme, LegitimateInterest, member.PrivacyNoticeSentOn, false), []));
            people.Add((new PersonRow(
                member.ContactName, member.ContactPosition, "member_contact", organisationId, member.ContactEmail,
                countryCode, member.Language, null, null, organisationId,
                AwardProgramme, LegitimateInterest, member.PrivacyNoticeSentOn, false), []));
        }

        var peopleInserted = 0;
        var personThemes = new List<ThemeLink>();
        foreach (var (row, themes) in people)
        {
            var (id, inserted) = await connection.QuerySingleAsync<(long Id, bool Inserted)>(
                new CommandDefinition(UpsertPersonSql, row, transaction, cancellationToken: ct));
            peopleInserted += inserted ? 1 : 0;
            personThemes.AddRange(themes.Select(t => new ThemeLink(id, ThemeId(themeIds, t))));
        }

        var personThemesInserted = await connection.ExecuteAsync(new CommandDefinition(
            InsertPersonThemeSql, personThemes, transaction, cancellationToken: ct));

        var campaignsInserted = await SeedCampaignsAsync(connection, transaction, staffIds, organisationIds, ct);
        var interactionsInserted = await SeedInteractionsAsync(connection, transaction, staffIds, organisationIds, ct);
        var segmentsInserted = await SeedSegmentsAsync(connection, transaction, staffIds, themeIds, ct);
        var statementsInserted = await SeedStatementsAsync(connection, transaction, staffIds, organisationIds, ct);
        var roundsInserted = await SeedSignOffAsync(connection, transaction, staffIds, organisationIds, ct);
        var briefingsInserted = await SeedBriefingsAsync(connection, transaction, staffIds, organisationIds, ct);
        campaignsInserted += statementsInserted + roundsInserted + briefingsInserted;

        var (staffUsers, organisations, peopleCount) = await connection.QuerySingleAsync<(int, int, int)>(
            new CommandDefinition(CountSql, null, transaction, cancellationToken: ct));

        if (staffInserted + organisationsInserted + organisationThemesInserted + peopleInserted + personThemesInserted + interactionsInserted + segmentsInserted + campaignsInserted > 0)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                InsertAuditEventSql,
                new
                {
                    ActorLabel = AuditLabel,
                    StaffUsersInserted = staffInserted,
                    OrganisationsInserted = organisationsInserted,
                    OrganisationThemesInserted = organisationThemesInserted,
                    PeopleInserted = peopleInserted,
                    PersonThemesInserted = personThemesInserted,
                    InteractionsInserted = interactionsInserted,
                    SegmentsInserted = segmentsInserted,
                    CampaignsInserted = campaignsInserted,
                    StaffUsers = staffUsers,
                    Organisations = organisations,
                    People = peopleCount,
                },
                transaction,
                cancellationToken: ct));
        }

        await transaction.CommitAsync(ct);
        return new DemoSeedResult(staffUsers, organisations, peopleCount);
    }

    private static long ThemeId(Dictionary<string, long> themeIds, string name) =>
        themeIds.TryGetValue(name, out var id)
            ? id
            : throw new InvalidOperationException(
                $"Demo seed: theme '{name}' does not exist. Apply migration 0003_reference_data.sql first.");

    private static long OrganisationId(Dictionary<string, long> organisationIds, string key) =>
        organisationIds.TryGetValue(key, out var id)
            ? id
            : throw new InvalidOperationException($"Demo seed: no organisation with key '{key}' in the seed data.");

    private static long StaffId(Dictionary<string, long> staffIds, string subject) =>
        staffIds.TryGetValue(subject, out var id)
            ? id
            : throw new InvalidOperationException($"Demo seed: staff user '{Issuer}/{subject}' is missing.");

    private static DateOnly On(int year, int month, int day) => new(year, month, day);

    private static OrganisationSeed Member(
        string key, string name, string countryCode, int awardYear, string domain, string notes, IReadOnlyList<string> themes) =>
        new(key, name, "member", awardYear, countryCode, null, $"https://www.{domain}", notes, themes);

    private static OrganisationSeed Actor(
        string key, string name, string kind, string? countryCode, string? region, string domain,
        string? notes = null, IReadOnlyList<string>? themes = null) =>
        new(key, name, kind, null, countryCode, region, $"https://www.{domain}", notes, themes ?? []);

    private static PersonSeed Dm(
        string organisation, string name, string position, string email, string? countryCode, string language,
        string jurisdiction, string dataSource, string lawfulBasis, DateOnly? privacyNoticeSentOn, string owner,
        IReadOnlyList<string> themes, bool doNotContact = false) =>
        new(organisation, name, position, email, countryCode, language, jurisdiction, dataSource, lawfulBasis,
            privacyNoticeSentOn, owner, themes, doNotContact);

    private sealed record StaffSeed(string Subject, string DisplayName, string Email, string Role);

    /// <summary>An organisation; <c>Region</c> is set only for bodies without a country.</summary>
    private sealed record OrganisationSeed(
        string Key, string Name, string Kind, int? AwardYear, string? CountryCode, string? Region,
        string Website, string? Notes, IReadOnlyList<string> Themes);

    private sealed record PersonSeed(
        string Organisation, string Name, string Position, string Email, string? CountryCode, string Language,
        string Jurisdiction, string DataSource, string LawfulBasis, DateOnly? PrivacyNoticeSentOn, string Owner,
        IReadOnlyList<string> Themes, bool DoNotContact);

    private sealed record MemberPeopleSeed(
        string Organisation,
        string SignatoryName, string SignatoryPosition, string SignatoryEmail,
        string ContactName, string ContactPosition, string ContactEmail,
        string Language, DateOnly PrivacyNoticeSentOn);

    /// <summary>Parameters of <see cref="UpsertPersonSql"/>.</summary>
    private sealed record PersonRow(
        string FullName, string Position, string Category, long OrganisationId, string Email,
        string? CountryCode, string PreferredLanguage, string? Jurisdiction, long? OwnerStaffId,
        long? OwnerOrganisationId, string DataSource, string LawfulBasis, DateOnly? PrivacyNoticeSentOn,
        bool DoNotContact);

    private sealed record ThemeLink(long OwnerId, long ThemeId);
}
