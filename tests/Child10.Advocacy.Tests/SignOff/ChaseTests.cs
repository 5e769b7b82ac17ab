using Child10.Advocacy.Tests.Email;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.SignOff;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Child10.Advocacy.Tests.SignOff;

public sealed class ChaseScheduleTests
{
    private static readonly DateTime Opens = new(2026, 12, 1, 9, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Deadline = new(2026, 12, 15, 17, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void Steps_FollowThePolicy_RemindersStopBeforeTheFinalReminder()
    {
        var steps = ChaseSchedule.Steps(Opens, Deadline, new ChasePolicy(3, 4, 48, 24));

        Assert.Equal(
            [("reminder-1", Opens.AddDays(3)), ("reminder-2", Opens.AddDays(7)), ("reminder-3", Opens.AddDays(11)), ("final", Deadline.AddHours(-48)), ("escalation", Deadline.AddHours(-24))],
            steps.Select(s => (s.Step, s.At)));
    }

    [Fact]
    public void Due_AfterAMissedStep_SendsOnlyTheLatestReminder_AndPointsAtTheNextStep()
    {
        var steps = ChaseSchedule.Steps(Opens, Deadline, new ChasePolicy(3, 4, 48, 24));

        var (due, next) = ChaseSchedule.Due(steps, Opens.AddDays(8));

        Assert.Equal(["reminder-2"], due.Select(s => s.Step));
        Assert.Equal(Opens.AddDays(11), next);
    }

    [Fact]
    public void Due_NearTheDeadline_SendsTheFinalReminderAndTheEscalation()
    {
        var steps = ChaseSchedule.Steps(Opens, Deadline, new ChasePolicy(3, 4, 48, 24));

        var (due, next) = ChaseSchedule.Due(steps, Deadline.AddHours(-1));

        Assert.Equal(["final", "escalation"], due.Select(s => s.Step));
        Assert.Null(next);
    }

    [Fact]
    public void NoPolicy_NoSteps()
    {
        Assert.Empty(ChaseSchedule.Steps(Opens, Deadline, new ChasePolicy(null, null, null, null)));
        Assert.Null(ChaseSchedule.First(Opens, Deadline, new ChasePolicy(null, null, null, null)));
    }
}

[Collection(DatabaseGroup.Name)]
public sealed class ChaseSweepTests(TestDatabase database) : MailAppTest(database)
{
    [Fact]
    public async Task Sweep_RemindsOnlySilentOrganisations_EachStepOnce()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 3);
        var roundId = await scene.OpenRoundAsync(App, Database, policy: new ChasePolicy(2, 2, 24, 12), deadline: DateTime.UtcNow.AddDays(7));
        await AnswerDirectlyAsync(scene.Members[0].OrganisationId, "approve");
        var sweep = App.App.Services.GetRequiredService<ChaseSweep>();
        var opens = DateTime.UtcNow;

        var first = await sweep.RunAsync(opens.AddDays(2).AddMinutes(1), CancellationToken.None);
        var repeat = await sweep.RunAsync(opens.AddDays(2).AddMinutes(2), CancellationToken.None);
        var nearDeadline = await sweep.RunAsync(opens.AddDays(7).AddHours(-11), CancellationToken.None);

        Assert.Equal(2, first.Reminders);
        Assert.Equal(0, repeat.Requests);
        Assert.Equal(2, nearDeadline.Reminders);
        Assert.Equal(2, nearDeadline.Escalations);
        await using var db = await Database.DataSource.OpenConnectionAsync();
        // The final reminder and the escalation are recorded in one sweep's transaction, at the same sent_at.
        var chased = (await db.QueryAsync<(long OrganisationId, string Step)>("""
            select q.organisation_id, c.step from signoff_chase c join signoff_request q on q.id = c.request_id
            where c.step <> 'request' order by q.organisation_id, c.sent_at, c.step = 'escalation'
            """)).ToList();
        Assert.DoesNotContain(chased, c => c.OrganisationId == scene.Members[0].OrganisationId);
        Assert.Equal(["reminder-1", "final", "escalation"], chased.Where(c => c.OrganisationId == scene.Members[1].OrganisationId).Select(c => c.Step));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>(
            "select count(*) from outbox_message where recipient_address = @email and purpose = 'signoff-reminder'", new { email = scene.Members[0].Email }));
        Assert.Equal(2, await db.ExecuteScalarAsync<int>(
            "select count(*) from outbox_message where recipient_address = @email and purpose = 'signoff-reminder'", new { email = scene.Members[1].Email }));
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("select count(*) from outbox_message where purpose = 'signoff-escalation'"));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(distinct recipient_address) from outbox_message where purpose = 'signoff-escalation'"));
        _ = roundId;
    }

    [Fact]
    public async Task Sweep_InTheSignatorysLanguage_WhereATemplateExists()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 2, languages: ["fr", "de"]);
        await scene.OpenRoundAsync(App, Database, policy: new ChasePolicy(1, null, null, null));

        await App.App.Services.GetRequiredService<ChaseSweep>().RunAsync(DateTime.UtcNow.AddDays(1).AddMinutes(1), CancellationToken.None);

        await using var db = await Database.DataSource.OpenConnectionAsync();
        var subjects = (await db.QueryAsync<(string Address, string Subject)>(
            "select recipient_address, subject from outbox_message where purpose = 'signoff-reminder' order by recipient_address")).ToDictionary(r => r.Address, r => r.Subject);
        Assert.StartsWith("Rappel : ", subjects[scene.Members[0].Email], StringComparison.Ordinal);
        Assert.StartsWith("Reminder: ", subjects[scene.Members[1].Email], StringComparison.Ordinal);
        var request = await db.ExecuteScalarAsync<string>("select subject from outbox_message where purpose = 'signoff-request' and recipient_address = @email", new { email = scene.Members[0].Email });
        Assert.StartsWith("Validation demandée", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sweep_TwoWorkersAtOnce_MailEachStepExactlyOnce()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 40);
        await scene.OpenRoundAsync(App, Database, policy: new ChasePolicy(1, 1, null, null), deadline: DateTime.UtcNow.AddDays(10), alternates: true);
        var at = DateTime.UtcNow.AddDays(1).AddMinutes(1);
        var sweeps = Enumerable.Range(0, 4).Select(_ => App.App.Services.GetRequiredService<ChaseSweep>()).ToList();

        // Small batches, so the workers interleave and each claims part of the due requests.
        var reports = await Task.WhenAll(sweeps.Select(s => Task.Run(() => s.RunAsync(at, CancellationToken.None, batchSize: 3))));

        Assert.Equal(40, reports.Sum(r => r.Reminders));
        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(40, await db.ExecuteScalarAsync<int>("select count(*) from signoff_chase where step = 'reminder-1'"));
        // Signatory and alternate each get one reminder: 80 messages, no duplicate per person and step.
        Assert.Equal(80, await db.ExecuteScalarAsync<int>("select count(*) from outbox_message where purpose = 'signoff-reminder'"));
        Assert.Equal(80, await db.ExecuteScalarAsync<int>("select count(distinct (person_id, idempotency_key)) from outbox_message where purpose = 'signoff-reminder'"));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from signoff_chase where step = 'reminder-1' and outbox_message_id is null"));
    }

    [Fact]
    public async Task Sweep_ClaimsOnlyDueRequests()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 3);
        await scene.OpenRoundAsync(App, Database, policy: new ChasePolicy(2, null, null, null));
        await using (var db = await Database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("update signoff_request set next_chase_at = now() + interval '30 days' where organisation_id <> @id", new { id = scene.Members[0].OrganisationId });
        }

        var report = await App.App.Services.GetRequiredService<ChaseSweep>().RunAsync(DateTime.UtcNow.AddDays(2).AddMinutes(1), CancellationToken.None);

        Assert.Equal(1, report.Requests);
        Assert.Equal(1, report.Reminders);
    }

    private async Task AnswerDirectlyAsync(long organisationId, string decision)
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync(
            "update signoff_request set decision = @decision, answered_at = now(), next_chase_at = null where organisation_id = @organisationId",
            new { organisationId, decision });
    }
}
