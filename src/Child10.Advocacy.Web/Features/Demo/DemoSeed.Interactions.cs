using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Demo;

// Interactions of the demo network: meetings, calls and submissions of the last months, some
// with follow-ups (two already overdue) so that timelines and "my follow-ups" have content.
public static partial class DemoSeed
{
    private const string InsertInteractionSql = """
        insert into interaction (kind, occurred_on, subject, notes, outcome, follow_up_on, follow_up_owner_id, created_by)
        select @kind, @occurredOn, @subject, @notes, @outcome, @followUpOn, @ownerId, @ownerId
        where not exists (select 1 from interaction where subject = @subject)
        returning id
        """;

    private const string LinkPeopleSql = """
        insert into interaction_person (interaction_id, person_id)
        select @interactionId, id from person where email_normalised = any(@emails)
        on conflict do nothing
        """;

    private const string LinkOrganisationsSql = """
        insert into interaction_organisation (interaction_id, organisation_id)
        select @interactionId, unnest(@organisationIds)
        on conflict do nothing
        """;

    private sealed record InteractionSeed(
        string Kind, int DaysAgo, string Subject, string Owner, string[] PersonEmails, string[] Organisations,
        string? Outcome, string? Notes = null, int? FollowUpInDays = null);

    private static readonly InteractionSeed[] Interactions =
    [
        new("meeting", 62, "Consultation on the national anti-trafficking action plan 2026–2030", Lead,
            ["i.ciobanu@mlsp.gov.md.example", "t.moraru@mlsp.gov.md.example", "n.rusu@puntepentrucopii.md.example"], ["md-mlsp", "md-punte"],
            "Ministry open to a chapter on child victims' access to specialised shelters.",
            "Punte pentru Copii presented findings from its shelter and reintegration work.", -9),
        new("letter", 40, "Joint letter on guardianship for unaccompanied children", Lead,
            ["doina.turcanu@parlament.md.example", "victor.grosu@parlament.md.example"], ["md-parl", "md-zori"],
            "Acknowledged by the committee secretariat; hearing requested."),
        new("call", 12, "Follow-up call on the shelter funding line", Lead,
            ["t.moraru@mlsp.gov.md.example"], ["md-mlsp"],
            "Budget line confirmed in the draft; final figures after the cabinet meeting.", null, 6),
        new("meeting", 35, "Briefing on child victim identification at the Romanian border", Lead,
            ["mihai.dumitrescu@mmuncii.gov.ro.example", "ioana.margineanu@pasisiguri.ro.example"], ["ro-mmuncii", "ro-pasi"],
            "Directorate agreed to a joint training for border police and child protection staff.", null, -3),
        new("event", 21, "Round table on online sexual exploitation with the Chamber of Deputies", Lead,
            ["anamaria.constantinescu@cdep.ro.example", "radu.georgescu@ochideschisi.ro.example"], ["ro-parl", "ro-ochi"],
            "Rapporteur will table an amendment on hotline reporting duties."),
        new("submission", 28, "Input to GRETA's evaluation round on child trafficking", Lead,
            ["nathalie.lefevre@coe.int.example"], ["coe-greta", "md-punte", "ro-pasi", "al-lire"],
            "Submission received; members invited to the country visit in Albania.", null, 14),
        new("meeting", 16, "Lanzarote Committee: children in street situations", Lead,
            ["ingrid.johansen@coe.int.example", "sophie.marchetti@coe.int.example"], ["coe-lanzarote"],
            "Committee interested in grassroots evidence from Nepal and the Philippines."),
        new("meeting", 9, "EU Anti-Trafficking Coordinator: voice of grassroots organisations", Lead,
            ["giulia.ferrante@ec.europa.eu.example"], ["eu-atc", "se-trygga"],
            "Invitation to the EU Civil Society Platform against trafficking in human beings.", null, 20),
        new("email", 5, "Comments on the LIBE draft report on child sexual abuse online", Lead,
            ["lucia.fernandezortega@europarl.europa.eu.example", "juergen.hoffmann@europarl.europa.eu.example"], ["ep-libe"],
            null, "Sent the network's five key asks with examples from the hotline in Romania."),
        new("meeting", 44, "Swedish government: support for cross-border case management", Lead,
            ["asa.lindqvist@regeringskansliet.se.example"], ["se-s", "se-trygga"],
            "Ministry will consider funding for a Nordic-Baltic case coordination pilot."),
        new("meeting", 30, "County child protection officers and the coastal tourism sector", Lead2,
            ["g.kamau@labour.go.ke.example", "rehema.mwinyi@pwanichildshield.ke.example"], ["ke-mlsp", "ke-pwani"],
            "Agreement to co-host a workshop with hotel associations in Mombasa.", null, 4),
        new("call", 18, "Uganda–Kenya border monitoring data", Lead2,
            ["f.nakato@mglsd.go.ug.example", "s.namukasa@nileborder.ug.example"], ["ug-mglsd", "ug-nile"],
            "Ministry will share anonymised interception figures for the joint report."),
        new("meeting", 50, "Nepal: foreign employment and children left behind", Lead2,
            ["sita.shrestha@mowcsc.gov.np.example", "binita.thapa@sanohaat.np.example"], ["np-mowcsc", "np-sano"],
            "Ministry asked for a short policy brief before the budget session.", null, -15),
        new("event", 25, "ASEAN regional dialogue on child protection in disasters", Lead2,
            ["arief.wibowo@asean.org.example", "lourdes.aquino@sinagligtas.ph.example"], ["asean-acwc", "ph-sinag"],
            "Sinag Ligtas invited to present its aftercare model at the next ACWC meeting."),
        new("meeting", 8, "UNICEF and UNODC: data on child victims in East Africa", Lead2,
            ["krai@unicef.org.example", "carlos.ribeiro@unodc.org.example"], ["un-unicef", "un-unodc"],
            "Shared definitions agreed for the coordination mapping.", null, 10),
        new("submission", 3, "Call for input: Special Rapporteur report on sale and sexual exploitation of children", Lead2,
            ["aicha.benali@ohchr.org.example"], ["un-srsec", "ke-mtaa", "np-ujyalo", "ph-sinag"],
            null, "Joint submission with three members' case studies."),
    ];

    private static async Task<int> SeedInteractionsAsync(
        NpgsqlConnection connection,
        NpgsqlTransaction transaction,
        Dictionary<string, long> staffIds,
        Dictionary<string, long> organisationIds,
        CancellationToken ct)
    {
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var inserted = 0;
        foreach (var seed in Interactions)
        {
            var ownerId = StaffId(staffIds, seed.Owner);
            var interactionId = await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
                InsertInteractionSql,
                new
                {
                    kind = seed.Kind,
                    occurredOn = today.AddDays(-seed.DaysAgo),
                    subject = seed.Subject,
                    notes = seed.Notes,
                    outcome = seed.Outcome,
                    followUpOn = seed.FollowUpInDays is int days ? today.AddDays(days) : (DateOnly?)null,
                    ownerId,
                },
                transaction,
                cancellationToken: ct));
            if (interactionId is not long id)
            {
                continue;
            }
            inserted++;
            await connection.ExecuteAsync(new CommandDefinition(
                LinkPeopleSql, new { interactionId = id, emails = seed.PersonEmails }, transaction, cancellationToken: ct));
            await connection.ExecuteAsync(new CommandDefinition(
                LinkOrganisationsSql,
                new { interactionId = id, organisationIds = seed.Organisations.Select(key => OrganisationId(organisationIds, key)).ToArray() },
                transaction,
                cancellationToken: ct));
        }
        return inserted;
    }
}
