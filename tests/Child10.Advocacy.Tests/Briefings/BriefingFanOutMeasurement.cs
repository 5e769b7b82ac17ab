using System.Diagnostics;
using Child10.Advocacy.Tests.Email;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Briefings;
using Child10.Advocacy.Web.Features.Stakeholders;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Child10.Advocacy.Tests.Briefings;

/// <summary>
/// A measurement, not a test: run by hand with CHILD10_MEASURE_BRIEFING=1 to time a 10,000-recipient briefing run
/// (audience, render, queue) and its delivery to the loopback SMTP server. It checks the outcome, never the time.
/// </summary>
[Collection(DatabaseGroup.Name)]
public sealed class BriefingFanOutMeasurement(TestDatabase database, ITestOutputHelper output) : MailAppTest(database)
{
    [Fact]
    public async Task Run10000Recipients_QueueAndDeliver()
    {
        if (Environment.GetEnvironmentVariable("CHILD10_MEASURE_BRIEFING") != "1")
        {
            return;
        }
        const int people = 10_000;
        var lead = await BriefingTestData.StaffAsync(Database, "lead", "Lead", "lead@child10.example");
        var approver = await BriefingTestData.StaffAsync(Database, "lead", "Approver", "approver@child10.example");
        var campaign = await BriefingTestData.CampaignAsync(Database, lead);
        var core = await BriefingTestData.StatementAsync(Database, campaign, "Core", "The **core** text.\n\n- one\n- two");
        await BriefingTestData.StatementAsync(Database, campaign, "Variant FR", "Le texte **national**.", core, "FR", "fr");
        await using (var db = await Database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("insert into organisation (name, kind, country_code) select 'Ministry ' || n, 'government', case when n % 2 = 0 then 'FR' else 'MD' end from generate_series(1, 100) n");
            await db.ExecuteAsync(
                """
                insert into person (full_name, email, position, category, country_code, preferred_language, organisation_id)
                select 'Person ' || n, 'person' || n || '@example.org', 'Adviser', 'decision_maker', case when n % 2 = 0 then 'FR' else 'MD' end,
                       case when n % 2 = 0 then 'fr' else 'en' end, (select min(id) from organisation) + n % 100
                from generate_series(1, @people) n
                """, new { people });
        }
        var segment = await BriefingTestData.SegmentAsync(Database, "Everyone", new PeopleFilter { Category = "decision_maker" });
        var body = "Dear {{ recipient.name }},\n\nAs {{ recipient.position }} at {{ recipient.organisation }} in {{ recipient.country }}, you can act.\n\n{{ statement.body }}\n\nWith kind regards,\n{{ sender.name }}";
        var briefing = await BriefingTestData.BriefingAsync(Database, campaign, lead, "{{ statement.title }}: for {{ recipient.first_name }}", body, [segment], [], core, approver);
        await BriefingTestData.ScheduleNowAsync(Database, briefing);
        var dispatch = App.App.Services.GetRequiredService<BriefingDispatch>();
        var delivery = App.App.Services.GetRequiredService<OutboxDelivery>();

        await using (var db = await Database.DataSource.OpenConnectionAsync())
        {
            var watch = Stopwatch.StartNew();
            var audience = await BriefingAudience.ResolveAsync(db, briefing, CancellationToken.None);
            output.WriteLine($"audience {audience.Recipients.Count} in {watch.Elapsed.TotalSeconds:F2} s");
            watch.Restart();
            var prepared = await PreparedBriefing.LoadAsync(db, App.App.Services.GetRequiredService<EmailTemplates>(),
                new BriefingDraft(briefing, campaign, "{{ statement.title }}: for {{ recipient.first_name }}", body, core, false), CancellationToken.None);
            foreach (var recipient in audience.Recipients.Take(1000))
            {
                prepared.Render(recipient, "https://x.example/u", CancellationToken.None);
            }
            output.WriteLine($"1000 serial renders in {watch.Elapsed.TotalSeconds:F2} s");
        }
        var clock = Stopwatch.StartNew();
        var runs = await dispatch.RunDueAsync(CancellationToken.None);
        var queued = clock.Elapsed;
        await delivery.RunAsync(CancellationToken.None);
        var total = clock.Elapsed;

        output.WriteLine($"queued {people} in {queued.TotalSeconds:F2} s ({people / queued.TotalSeconds:F0}/s); delivered end to end in {total.TotalSeconds:F2} s ({people / total.TotalSeconds:F0}/s)");
        await using var check = await Database.DataSource.OpenConnectionAsync();
        foreach (var (status, count) in await check.QueryAsync<(string, long)>("select status, count(*) from outbox_message group by status"))
        {
            output.WriteLine($"{status}: {count}");
        }
        // What recording the interactions costs: mark every message sent again in one statement, as delivery does per batch.
        await check.ExecuteAsync("update briefing_message set interaction_id = null; update outbox_message set status = 'pending' where purpose = 'briefing'");
        var trigger = Stopwatch.StartNew();
        await check.ExecuteAsync("update outbox_message set status = 'sent', sent_at = now() where purpose = 'briefing'");
        output.WriteLine($"recording {people} interactions took {trigger.Elapsed.TotalSeconds:F2} s");
        Assert.Equal(1, runs);
        Assert.Equal(people, await check.ExecuteScalarAsync<long>("select count(*) from briefing_message"));
    }
}
