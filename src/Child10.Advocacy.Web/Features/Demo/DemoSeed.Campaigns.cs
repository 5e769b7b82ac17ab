using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Demo;

// Two campaigns, one coordinated national and one joint international, with targets and
// milestones, and three consultations (one closing within a week). Dates are relative to the
// day the demo data is first loaded.
public static partial class DemoSeed
{
    private const string InsertCampaignSql = """
        insert into campaign (title, objective, key_asks, scope, region_id, status, lead_id, starts_on, ends_on)
        select @title, @objective, @keyAsks, @scope, (select id from region where name = @region), 'active', @leadId, @startsOn, @endsOn
        where not exists (select 1 from campaign where title = @title)
        returning id
        """;

    private const string CampaignIdSql = "select id from campaign where title = @title";

    private const string InsertCampaignCountriesSql = """
        insert into campaign_country (campaign_id, country_code) select @campaignId, unnest(@countries) on conflict do nothing
        """;

    private const string InsertCampaignMembersSql = """
        insert into campaign_member (campaign_id, organisation_id) select @campaignId, unnest(@organisationIds) on conflict do nothing
        """;

    private const string InsertMilestoneSql = """
        insert into milestone (campaign_id, title, due_on, done_at)
        select @campaignId, @title, @dueOn, case when @done then now() end
        where not exists (select 1 from milestone where campaign_id = @campaignId and title = @title)
        """;

    private const string InsertTargetSql = """
        with target as (
            insert into campaign_target (campaign_id, person_id, stance, influence, progress, notes)
            select @campaignId, p.id, @stance, @influence, @progress, @notes
            from person p where p.email_normalised = @email
            on conflict (campaign_id, person_id) do nothing
            returning id, stance
        )
        insert into campaign_target_stance (target_id, stance, changed_by)
        select id, stance, @leadId from target
        """;

    private const string InsertConsultationSql = """
        insert into consultation (institution_id, title, url, scope, opens_at, closes_at, institution_time_zone, status, responsible_id, campaign_id)
        select @institutionId, @title, @url, @scope, @opensAt, @closesAt, @timeZone, @status, @responsibleId, @campaignId
        where not exists (select 1 from consultation where title = @title)
        """;

    private static readonly string[] GuardianshipCountries = ["MD", "RO", "AL"];
    private static readonly string[] GuardianshipMembers = ["md-punte", "md-zori", "ro-pasi", "ro-ochi", "al-lire"];
    private static readonly string[] OnlineMembers = ["ro-ochi", "se-trygga", "ph-sinag", "ke-mtaa", "np-ujyalo"];

    private static async Task<int> SeedCampaignsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Dictionary<string, long> staffIds,
        Dictionary<string, long> organisationIds,
        CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var lead = StaffId(staffIds, Lead);
        var inserted = 0;

        async Task<long> CampaignAsync(string title, string objective, string keyAsks, string scope, string? region, int startedDaysAgo, int endsInDays)
        {
            var id = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(InsertCampaignSql, new
            {
                title, objective, keyAsks, scope, region, leadId = lead,
                startsOn = today.AddDays(-startedDaysAgo), endsOn = today.AddDays(endsInDays),
            }, transaction, cancellationToken: ct));
            inserted += id is null ? 0 : 1;
            return id ?? await connection.ExecuteScalarAsync<long>(new CommandDefinition(CampaignIdSql, new { title }, transaction, cancellationToken: ct));
        }

        Task<int> MilestoneAsync(long campaignId, string title, int inDays, bool done = false) =>
            connection.ExecuteAsync(new CommandDefinition(InsertMilestoneSql, new { campaignId, title, dueOn = today.AddDays(inDays), done }, transaction, cancellationToken: ct));

        Task<int> TargetAsync(long campaignId, string email, string stance, int influence, string progress, string? notes = null) =>
            connection.ExecuteAsync(new CommandDefinition(InsertTargetSql, new { campaignId, email, stance, influence = (short)influence, progress, notes, leadId = lead }, transaction, cancellationToken: ct));

        // Coordinated national: one core message, national variants aimed at each government.
        var guardianship = await CampaignAsync(
            "Guardianship for every unaccompanied child",
            "Every unaccompanied or separated child identified in Moldova, Romania and Albania gets a qualified guardian within 24 hours.",
            "1. Appoint a qualified guardian within 24 hours of identification.\n2. Fund specialised shelters for child victims of trafficking.\n3. Train border police and child protection staff together on identification.",
            "national", "Europe", 45, 240);
        await connection.ExecuteAsync(new CommandDefinition(InsertCampaignCountriesSql, new { campaignId = guardianship, countries = GuardianshipCountries }, transaction, cancellationToken: ct));
        await connection.ExecuteAsync(new CommandDefinition(InsertCampaignMembersSql, new
        {
            campaignId = guardianship,
            organisationIds = GuardianshipMembers.Select(k => OrganisationId(organisationIds, k)).ToArray(),
        }, transaction, cancellationToken: ct));
        await MilestoneAsync(guardianship, "Core message agreed with member organisations", -20, done: true);
        await MilestoneAsync(guardianship, "National variants drafted (Moldova, Romania, Albania)", 5);
        await MilestoneAsync(guardianship, "Joint release in all three capitals", 60);
        await TargetAsync(guardianship, "i.ciobanu@mlsp.gov.md.example", "supportive", 5, "met", "Champion inside the ministry; wants evidence from shelters.");
        await TargetAsync(guardianship, "t.moraru@mlsp.gov.md.example", "supportive", 4, "contacted");
        await TargetAsync(guardianship, "doina.turcanu@parlament.md.example", "neutral", 4, "contacted", "Committee chair; hearing requested.");
        await TargetAsync(guardianship, "mihai.dumitrescu@mmuncii.gov.ro.example", "supportive", 4, "met");
        await TargetAsync(guardianship, "gheorghe.radulescu@cdep.ro.example", "opposed", 3, "not_contacted", "Worries about the cost of guardianship services.");
        await TargetAsync(guardianship, "arben.hoxha@shendetesia.gov.al.example", "unknown", 4, "not_contacted");

        // Joint international: one statement, addressed to the EU and the Council of Europe.
        var online = await CampaignAsync(
            "Safe online spaces for children",
            "European rules on online child sexual abuse keep detection, reporting and victim support, with grassroots hotlines heard.",
            "1. Keep mandatory reporting of online child sexual abuse material.\n2. Fund national hotlines run by civil society.\n3. Give survivors a say in the EU Centre's governance.",
            "international", null, 30, 150);
        await connection.ExecuteAsync(new CommandDefinition(InsertCampaignMembersSql, new
        {
            campaignId = online,
            organisationIds = OnlineMembers.Select(k => OrganisationId(organisationIds, k)).ToArray(),
        }, transaction, cancellationToken: ct));
        await MilestoneAsync(online, "Joint statement final and signed", 12);
        await MilestoneAsync(online, "Meetings in Brussels with LIBE rapporteurs", 35);
        await TargetAsync(online, "lucia.fernandezortega@europarl.europa.eu.example", "supportive", 5, "contacted");
        await TargetAsync(online, "juergen.hoffmann@europarl.europa.eu.example", "opposed", 4, "contacted", "Privacy concerns about detection orders.");
        await TargetAsync(online, "maria.kovacs@ec.europa.eu.example", "neutral", 5, "met");
        await TargetAsync(online, "sophie.marchetti@coe.int.example", "supportive", 3, "met");

        var now = DateTime.UtcNow;
        (string Institution, string Title, string Url, string Scope, int OpenedDaysAgo, double ClosesInDays, string Status, long? Campaign)[] consultations =
        [
            ("eu-home", "Call for evidence: revision of the Anti-Trafficking Directive guidance on child victims",
                "https://ec.europa.eu.example/have-your-say/anti-trafficking-children", "regional", 40, 5.3, "in_preparation", online),
            ("coe-lanzarote", "Lanzarote Committee questionnaire on children in street situations",
                "https://coe.int.example/lanzarote/questionnaire-street-situations", "regional", 10, 26, "open", null),
            ("md-parl", "Draft law on guardianship of unaccompanied children — public consultation",
                "https://parlament.md.example/consultations/guardianship", "national", 2, 48, "upcoming", guardianship),
        ];
        foreach (var c in consultations)
        {
            inserted += await connection.ExecuteAsync(new CommandDefinition(InsertConsultationSql, new
            {
                institutionId = OrganisationId(organisationIds, c.Institution),
                title = c.Title,
                url = c.Url,
                scope = c.Scope,
                opensAt = now.AddDays(-c.OpenedDaysAgo),
                // Deadlines fall at 17:00 UTC, the end of a Brussels working day.
                closesAt = now.Date.AddDays(Math.Floor(c.ClosesInDays)).AddHours(17),
                timeZone = c.Institution.StartsWith("md-", StringComparison.Ordinal) ? "Europe/Chisinau" : c.Institution.StartsWith("coe-", StringComparison.Ordinal) ? "Europe/Paris" : "Europe/Brussels",
                status = c.Status,
                responsibleId = lead,
                campaignId = c.Campaign,
            }, transaction, cancellationToken: ct));
        }
        return inserted;
    }
}
