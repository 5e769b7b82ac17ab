using Child10.Advocacy.Tests.Email;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.SignOff;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace Child10.Advocacy.Tests.SignOff;

public sealed class OutcomeTests
{
    [Theory]
    [InlineData(SignOffVocabulary.AllMustApprove, new[] { "approve", "approve" }, true)]
    [InlineData(SignOffVocabulary.AllMustApprove, new[] { "approve", null }, false)]
    [InlineData(SignOffVocabulary.AllMustApprove, new[] { "approve", "request_changes" }, false)]
    [InlineData(SignOffVocabulary.SilenceIsConsent, new[] { "approve", null }, true)]
    [InlineData(SignOffVocabulary.SilenceIsConsent, new string?[] { null, null }, true)]
    [InlineData(SignOffVocabulary.SilenceIsConsent, new[] { "approve", "decline" }, false)]
    [InlineData(SignOffVocabulary.SilenceIsConsent, new[] { null, "request_changes" }, false)]
    public void Outcome_FollowsTheRule(string rule, string?[] decisions, bool approved)
    {
        Assert.Equal(approved, SignOffRounds.Outcome(rule, decisions).Approved);
    }

    [Fact]
    public void SilenceIsConsent_ListsSilentOrganisations_AllMustApprove_OnlyApprovers()
    {
        Assert.True(SignOffRounds.Outcome(SignOffVocabulary.SilenceIsConsent, ["approve", null]).Signs(null));
        Assert.False(SignOffRounds.Outcome(SignOffVocabulary.AllMustApprove, ["approve", "approve"]).Signs(null));
        Assert.False(SignOffRounds.Outcome(SignOffVocabulary.AllMustApprove, ["approve", "decline"]).Signs("approve"));
    }
}

[Collection(DatabaseGroup.Name)]
public sealed class CloseTests(TestDatabase database) : MailAppTest(database)
{
    [Fact]
    public async Task Close_AllMustApprove_WithASilentOrganisation_IsNotApproved_AndTheStatementGoesBackToDraft()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 2);
        var roundId = await scene.OpenRoundAsync(App, Database, SignOffVocabulary.AllMustApprove);
        await AnswerAsync(scene.Members[0].OrganisationId, "approve");
        await PassDeadlineAsync(roundId);

        Assert.Equal(1, await App.App.Services.GetRequiredService<CloseSweep>().RunAsync(CancellationToken.None));

        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(("closed", "not_approved"), await db.QuerySingleAsync<(string, string)>("select status, outcome from signoff_round where id = @roundId", new { roundId }));
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from signoff_request where signed"));
        Assert.Equal("draft", await db.ExecuteScalarAsync<string>("select status from statement where id = @id", new { id = scene.StatementId }));
    }

    [Fact]
    public async Task Close_SilenceIsConsent_ListsApproversAndSilentOnes_MailsTheLeadAndSignatories()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 3);
        var roundId = await scene.OpenRoundAsync(App, Database, SignOffVocabulary.SilenceIsConsent);
        await AnswerAsync(scene.Members[0].OrganisationId, "approve");
        await PassDeadlineAsync(roundId);

        Assert.Equal(1, await App.App.Services.GetRequiredService<CloseSweep>().RunAsync(CancellationToken.None));

        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal("approved", await db.ExecuteScalarAsync<string>("select outcome from signoff_round where id = @roundId", new { roundId }));
        Assert.Equal(3, await db.ExecuteScalarAsync<int>("select count(*) from signoff_request where signed"));
        Assert.Equal("final", await db.ExecuteScalarAsync<string>("select status from statement where id = @id", new { id = scene.StatementId }));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from outbox_message where idempotency_key = @key", new { key = $"signoff:{roundId}:closed:lead" }));
        Assert.Equal(3, await db.ExecuteScalarAsync<int>("select count(*) from outbox_message where purpose = 'signoff-closed' and person_id is not null"));
        var leadMail = await db.ExecuteScalarAsync<string>("select text_body from outbox_message where idempotency_key = @key", new { key = $"signoff:{roundId}:closed:lead" });
        Assert.Contains("Member A for Children (Approved)", leadMail, StringComparison.Ordinal);
        Assert.Contains("Member B for Children (No answer yet)", leadMail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Close_ADeclineUnderSilenceIsConsent_IsNotApproved()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 2);
        var roundId = await scene.OpenRoundAsync(App, Database, SignOffVocabulary.SilenceIsConsent);
        await AnswerAsync(scene.Members[1].OrganisationId, "decline");
        await PassDeadlineAsync(roundId);

        await App.App.Services.GetRequiredService<CloseSweep>().RunAsync(CancellationToken.None);

        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal("not_approved", await db.ExecuteScalarAsync<string>("select outcome from signoff_round where id = @roundId", new { roundId }));
    }

    [Fact]
    public async Task Close_RunsOnce_EvenWithSweepsRacing()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 2);
        var roundId = await scene.OpenRoundAsync(App, Database, SignOffVocabulary.AllMustApprove);
        await AnswerAsync(scene.Members[0].OrganisationId, "approve");
        await AnswerAsync(scene.Members[1].OrganisationId, "approve");
        await PassDeadlineAsync(roundId);

        var closed = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => App.App.Services.GetRequiredService<CloseSweep>().RunAsync(CancellationToken.None))));
        var later = await App.App.Services.GetRequiredService<CloseSweep>().RunAsync(CancellationToken.None);

        Assert.Equal(1, closed.Sum());
        Assert.Equal(0, later);
        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from audit_event where action = 'signoff.close'"));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from outbox_message where purpose = 'signoff-closed' and person_id is null"));
        Assert.Equal("approved", await db.ExecuteScalarAsync<string>("select outcome from signoff_round where id = @roundId", new { roundId }));
    }

    [Fact]
    public async Task OpenRoundBeforeItsDeadline_IsNotClosedBySweep()
    {
        var scene = await SignOffScene.CreateAsync(Database, members: 1);
        await scene.OpenRoundAsync(App, Database);

        Assert.Equal(0, await App.App.Services.GetRequiredService<CloseSweep>().RunAsync(CancellationToken.None));
    }

    private async Task AnswerAsync(long organisationId, string decision)
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync("update signoff_request set decision = @decision, answered_at = now(), next_chase_at = null where organisation_id = @organisationId", new { organisationId, decision });
    }

    private async Task PassDeadlineAsync(long roundId)
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        await db.ExecuteAsync("update signoff_round set opens_at = now() - interval '10 days', deadline = now() - interval '1 second' where id = @roundId", new { roundId });
    }
}
