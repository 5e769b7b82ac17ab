using System.Net;
using Child10.Advocacy.Tests.Email;
using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Briefings;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;

namespace Child10.Advocacy.Tests.Briefings;

[Collection(DatabaseGroup.Name)]
public sealed class BriefingTests(TestDatabase database) : MailAppTest(database)
{
    private static readonly string[] ExpectedAddresses = ["ana@gov.md.example", "ion@gov.md.example", "marie@justice.fr.example"];
    private static readonly string[] AttachmentRecipients = ["a@x.example", "b@x.example"];

    private const string Body = "Dear {{ recipient.name }},\n\nWe write to {{ recipient.organisation }} in {{ recipient.country }}.\n\n{{ statement.body }}";

    private BriefingDispatch Dispatch => App.App.Services.GetRequiredService<BriefingDispatch>();

    private OutboxDelivery Delivery => App.App.Services.GetRequiredService<OutboxDelivery>();

    private EmailTemplates Templates => App.App.Services.GetRequiredService<EmailTemplates>();

    private sealed record World(long Author, long Approver, long Campaign, long Segment, long Ana, long Ion, long Marie, long Blocked, long Unsubscribed, long Erased);

    private async Task<World> WorldAsync()
    {
        var author = await BriefingTestData.StaffAsync(Database, "lead", "Ana Author", "author@child10.example");
        var approver = await BriefingTestData.StaffAsync(Database, "lead", "Bo Approver", "approver@child10.example");
        var campaign = await BriefingTestData.CampaignAsync(Database, author);
        var ministry = await BriefingTestData.OrganisationAsync(Database, "Ministry of Labour", "MD");
        var ana = await BriefingTestData.PersonAsync(Database, "Ana Popescu", "ana@gov.md.example", "MD", ministry, language: "ro");
        var ion = await BriefingTestData.PersonAsync(Database, "Ion Rusu", "ion@gov.md.example", "MD", ministry, language: "en");
        var blocked = await BriefingTestData.PersonAsync(Database, "Dan Blocked", "dan@gov.md.example", "MD", ministry, doNotContact: true);
        var unsubscribed = await BriefingTestData.PersonAsync(Database, "Una Unsubscribed", "una@gov.md.example", "MD", ministry);
        await BriefingTestData.SuppressAsync(Database, "una@gov.md.example", "unsubscribed");
        var erased = await BriefingTestData.PersonAsync(Database, "Erased Person", "erased@gov.md.example", "MD", ministry, erased: true);
        var ministere = await BriefingTestData.OrganisationAsync(Database, "Ministère de la Justice", "FR");
        var marie = await BriefingTestData.PersonAsync(Database, "Marie Dupont", "marie@justice.fr.example", "FR", ministere, language: "fr");
        var segment = await BriefingTestData.SegmentAsync(Database, "Moldova decision-makers", new PeopleFilter { Category = "decision_maker", Country = "MD" });
        return new World(author, approver, campaign, segment, ana, ion, marie, blocked, unsubscribed, erased);
    }

    [Fact]
    public async Task Audience_SegmentAndPickedPeople_ExcludesDoNotContactUnsubscribedAndErased()
    {
        var w = await WorldAsync();
        var briefing = await BriefingTestData.BriefingAsync(Database, w.Campaign, w.Author, "Hello", Body, [w.Segment], [w.Marie, w.Ana, w.Erased]);

        await using var db = await Database.DataSource.OpenConnectionAsync();
        var audience = await BriefingAudience.ResolveAsync(db, briefing, CancellationToken.None);

        Assert.Equal(new[] { w.Ana, w.Ion, w.Marie }.Order(), audience.Recipients.Select(r => r.PersonId).Order());
        Assert.Equal(1, audience.Excluded["do_not_contact"]);
        Assert.Equal(1, audience.Excluded["unsubscribed"]);
        Assert.Equal(1, audience.Excluded["erased"]);
        Assert.Equal(3, audience.ExcludedTotal);
    }

    [Fact]
    public async Task Render_PerRecipient_UsesNationalVariantInTheirLanguageElseCore()
    {
        var w = await WorldAsync();
        var core = await BriefingTestData.StatementAsync(Database, w.Campaign, "Core statement", "The **core** text.");
        await BriefingTestData.StatementAsync(Database, w.Campaign, "Moldova variant (en)", "Moldovan text in English.", core, "MD", "en");
        await BriefingTestData.StatementAsync(Database, w.Campaign, "Varianta Moldova", "Textul în limba română.", core, "MD", "ro");
        var briefing = await BriefingTestData.BriefingAsync(Database, w.Campaign, w.Author, "{{ statement.title }} for {{ recipient.first_name }}", Body, [w.Segment], [w.Marie], core);

        await using var db = await Database.DataSource.OpenConnectionAsync();
        var audience = await BriefingAudience.ResolveAsync(db, briefing, CancellationToken.None);
        var prepared = await PreparedBriefing.LoadAsync(db, Templates, new BriefingDraft(briefing, w.Campaign, "{{ statement.title }} for {{ recipient.first_name }}", Body, core, false), CancellationToken.None);
        RenderedEmail For(long person) => prepared.Render(audience.Recipients.Single(r => r.PersonId == person), "https://advocacy.example/unsubscribe/x", CancellationToken.None);

        var ana = For(w.Ana);
        var ion = For(w.Ion);
        var marie = For(w.Marie);

        Assert.Equal("Varianta Moldova for Ana", ana.Subject);
        Assert.Contains("Textul în limba română.", ana.Html, StringComparison.Ordinal);
        Assert.Equal("Moldova variant (en) for Ion", ion.Subject);
        Assert.Contains("Moldovan text in English.", ion.Text, StringComparison.Ordinal);
        Assert.Equal("Core statement for Marie", marie.Subject);
        Assert.Contains("The <strong>core</strong> text.", marie.Html, StringComparison.Ordinal);
        Assert.Contains("We write to Ministère de la Justice in France.", marie.Text, StringComparison.Ordinal);
        // Marie reads French: the French wrapper and footer of the briefing template.
        Assert.Contains("Note d’information de la campagne", marie.Html, StringComparison.Ordinal);
        Assert.Contains("Se désabonner", marie.Html, StringComparison.Ordinal);
        Assert.Contains("A briefing of the campaign", ana.Html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ScheduledRun_TriggeredTwice_DeliversExactlyOncePerRecipientWithReplyToAndUnsubscribe()
    {
        var w = await WorldAsync();
        var briefing = await BriefingTestData.BriefingAsync(Database, w.Campaign, w.Author, "Guardianship: our ask", Body, [w.Segment], [w.Marie], approvedBy: w.Approver);
        await BriefingTestData.ScheduleNowAsync(Database, briefing);

        // Two schedulers fire at once, and then the same run is queued again by hand.
        var fired = await Task.WhenAll(Dispatch.RunDueAsync(CancellationToken.None), Dispatch.RunDueAsync(CancellationToken.None));
        await using (var db = await Database.DataSource.OpenConnectionAsync())
        {
            var run = await db.QuerySingleAsync<(long Id, DateTime ScheduledFor)>("select id, scheduled_for from briefing_run where briefing_id = @briefing", new { briefing });
            await using var tx = await db.BeginTransactionAsync();
            var again = await Dispatch.QueueRunAsync(db, tx, briefing, new DateTimeOffset(DateTime.SpecifyKind(run.ScheduledFor, DateTimeKind.Utc)), CancellationToken.None);
            await tx.CommitAsync();
            Assert.Equal(run.Id, again.RunId);
            Assert.Equal(0, again.Queued);
            Assert.Equal(3, again.AlreadyQueued);
        }
        await Delivery.RunAsync(CancellationToken.None);
        await Delivery.RunAsync(CancellationToken.None);

        Assert.Equal(1, fired.Sum());
        var received = Smtp.Received.ToList();
        Assert.Equal(3, received.Count);
        Assert.Equal(ExpectedAddresses,
            received.Select(m => m.To.Mailboxes.Single().Address).Order(StringComparer.Ordinal));
        Assert.All(received, m =>
        {
            Assert.Equal("author@child10.example", m.ReplyTo.Mailboxes.Single().Address);
            Assert.Equal("Ana Author", m.ReplyTo.Mailboxes.Single().Name);
            Assert.Equal("List-Unsubscribe=One-Click", m.Headers["List-Unsubscribe-Post"]);
            Assert.StartsWith("<", m.Headers["List-Unsubscribe"], StringComparison.Ordinal);
            Assert.Equal("Guardianship: our ask", m.Subject);
        });
        var ana = received.Single(m => m.To.Mailboxes.Single().Address == "ana@gov.md.example");
        Assert.Contains("Dear Ana Popescu,", ana.TextBody, StringComparison.Ordinal);

        await using var check = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(1, await check.ExecuteScalarAsync<int>("select count(*) from briefing_run where briefing_id = @briefing", new { briefing }));
        Assert.Equal("finished", await check.ExecuteScalarAsync<string>("select state from briefing where id = @briefing", new { briefing }));
        // Each delivered briefing is an email interaction on the recipient's timeline, once, in the campaign.
        var interactions = (await check.QueryAsync<(long PersonId, string Kind, long CampaignId, string Subject)>(
            """
            select ip.person_id, i.kind, i.campaign_id, i.subject
            from interaction i join interaction_person ip on ip.interaction_id = i.id
            """)).ToList();
        Assert.Equal(new[] { w.Ana, w.Ion, w.Marie }.Order(), interactions.Select(i => i.PersonId).Order());
        Assert.All(interactions, i => Assert.Equal(("email", w.Campaign, "Guardianship: our ask"), (i.Kind, i.CampaignId, i.Subject)));
    }

    [Fact]
    public async Task ScheduledRun_DueAgainForTheSameTime_QueuesOnlyTheMissingMessagesAndSendsNobodyTwice()
    {
        var w = await WorldAsync();
        var briefing = await BriefingTestData.BriefingAsync(Database, w.Campaign, w.Author, "Guardianship: our ask", Body, [w.Segment], [w.Marie], approvedBy: w.Approver);
        await BriefingTestData.ScheduleNowAsync(Database, briefing);
        var first = await Dispatch.RunIfDueAsync(briefing, CancellationToken.None);
        Assert.NotNull(first);
        Assert.Equal(3, first.Queued);

        // One recipient's message is missing and the briefing is due again for the same time (as after a restore):
        // the same run is found, only what is missing is queued, and nobody gets the briefing twice.
        await using (var db = await Database.DataSource.OpenConnectionAsync())
        {
            await db.ExecuteAsync("""
                create temp table missing as
                    select m.outbox_message_id as id from briefing_message m join person p on p.id = m.person_id
                    where m.run_id = @run and p.email = 'marie@justice.fr.example';
                delete from briefing_message where outbox_message_id in (select id from missing);
                delete from unsubscribe_token where outbox_message_id in (select id from missing);
                delete from outbox_message where id in (select id from missing);
                update briefing b set state = 'scheduled', next_run_at = r.scheduled_for from briefing_run r where r.id = @run and b.id = r.briefing_id;
                """, new { run = first.RunId });
        }

        var second = await Dispatch.RunIfDueAsync(briefing, CancellationToken.None);
        await Delivery.RunAsync(CancellationToken.None);

        Assert.NotNull(second);
        Assert.Equal(first.RunId, second.RunId);
        Assert.Equal(1, second.Queued);
        Assert.Equal(2, second.AlreadyQueued);
        Assert.Equal(ExpectedAddresses, Smtp.Received.Select(m => m.To.Mailboxes.Single().Address).Order(StringComparer.Ordinal));
        await using var check = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(3, await check.ExecuteScalarAsync<int>("select recipients from briefing_run where id = @id", new { id = first.RunId }));
        Assert.Equal("finished", await check.ExecuteScalarAsync<string>("select state from briefing where id = @briefing", new { briefing }));
    }

    [Fact]
    public async Task Dispatch_BriefingNotApproved_QueuesNothing()
    {
        var w = await WorldAsync();
        var briefing = await BriefingTestData.BriefingAsync(Database, w.Campaign, w.Author, "Hello", Body, [w.Segment], []);
        await BriefingTestData.ScheduleNowAsync(Database, briefing);

        Assert.Equal(0, await Dispatch.RunDueAsync(CancellationToken.None));
        Assert.Null(await Dispatch.RunIfDueAsync(briefing, CancellationToken.None));

        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from outbox_message"));
    }

    [Fact]
    public async Task Pause_HoldsQueuedMessages_ResumeReleasesThem_CancelStopsThem()
    {
        var w = await WorldAsync();
        var actor = new Actor(w.Author, "Ana Author");
        var paused = await BriefingTestData.BriefingAsync(Database, w.Campaign, w.Author, "Paused", Body, [w.Segment], [], approvedBy: w.Approver);
        var cancelled = await BriefingTestData.BriefingAsync(Database, w.Campaign, w.Author, "Cancelled", Body, [], [w.Marie], approvedBy: w.Approver);
        await using var db = await Database.DataSource.OpenConnectionAsync();
        foreach (var briefing in new[] { paused, cancelled })
        {
            await db.ExecuteAsync("update briefing set state = 'scheduled', schedule_kind = 'cron', cron = '0 9 * * MON#1', time_zone = 'Europe/Brussels', next_run_at = now() where id = @briefing", new { briefing });
            Assert.NotNull(await Dispatch.RunIfDueAsync(briefing, CancellationToken.None));
        }

        Assert.True((await BriefingActions.PauseAsync(db, paused, actor, CancellationToken.None)).Done);
        Assert.True((await BriefingActions.CancelAsync(db, cancelled, actor, CancellationToken.None)).Done);
        await Delivery.RunAsync(CancellationToken.None);

        Assert.Empty(Smtp.Received);
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from outbox_message where status = 'cancelled'"));
        Assert.Equal(2, await db.ExecuteScalarAsync<int>("select count(*) from outbox_message where status = 'pending' and next_attempt_at = 'infinity'"));
        // A paused recurring briefing starts no new run even when due.
        await db.ExecuteAsync("update briefing set next_run_at = now() - interval '1 minute' where id = @paused", new { paused });
        Assert.Null(await Dispatch.RunIfDueAsync(paused, CancellationToken.None));

        Assert.True((await BriefingActions.ResumeAsync(db, paused, actor, CancellationToken.None)).Done);
        await Delivery.RunAsync(CancellationToken.None);

        Assert.Equal(2, Smtp.Received.Count);
        Assert.All(Smtp.Received, m => Assert.Equal("Paused", m.Subject));
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from briefing_run where briefing_id = @paused", new { paused }));
        Assert.True(await db.ExecuteScalarAsync<DateTime>("select next_run_at from briefing where id = @paused", new { paused }) > DateTime.UtcNow);
        Assert.Equal("cancelled", await db.ExecuteScalarAsync<string>("select state from briefing where id = @cancelled", new { cancelled }));
    }

    [Fact]
    public async Task Schedule_InThePastNeverFiringCronOrEmptyAudience_SaysWhyAndSchedulesNothing()
    {
        var w = await WorldAsync();
        var actor = new Actor(w.Author, "Ana Author");
        var briefing = await BriefingTestData.BriefingAsync(Database, w.Campaign, w.Author, "Hello", Body, [w.Segment], []);
        var empty = await BriefingTestData.BriefingAsync(Database, w.Campaign, w.Author, "Hello", Body, [], [w.Blocked]);
        await using var db = await Database.DataSource.OpenConnectionAsync();
        var now = DateTimeOffset.UtcNow;

        var (past, pastErrors) = await BriefingActions.ScheduleAsync(db, briefing, "at", new DateTime(2020, 1, 6, 9, 0, 0), null, "Europe/Brussels", actor, now, CancellationToken.None);
        var (never, neverErrors) = await BriefingActions.ScheduleAsync(db, briefing, "cron", null, "0 0 30 2 *", "Europe/Brussels", actor, now, CancellationToken.None);
        var (badZone, zoneErrors) = await BriefingActions.ScheduleAsync(db, briefing, "cron", null, "0 9 * * MON#1", "Mars/Olympus", actor, now, CancellationToken.None);
        var (nobody, nobodyErrors) = await BriefingActions.ScheduleAsync(db, empty, "now", null, null, null, actor, now, CancellationToken.None);

        Assert.False(past.Done);
        Assert.Contains("already passed", pastErrors["Schedule.SendAt"], StringComparison.Ordinal);
        Assert.False(never.Done);
        Assert.Contains("never fires", neverErrors["Schedule.Cron"] + neverErrors.GetValueOrDefault("Schedule.Cron"), StringComparison.Ordinal);
        Assert.False(badZone.Done);
        Assert.True(zoneErrors.ContainsKey("Schedule.TimeZone"));
        Assert.False(nobody.Done);
        Assert.Contains("audience is empty", nobodyErrors["Schedule.Kind"], StringComparison.Ordinal);
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from briefing where state <> 'draft' or next_run_at is not null"));
    }

    [Fact]
    public async Task Attachment_StoredOnce_ArrivesWithEveryMessage()
    {
        var pdf = "%PDF-1.4 briefing attachment"u8.ToArray();
        var outbox = App.App.Services.GetRequiredService<Outbox>();
        await using var db = await Database.DataSource.OpenConnectionAsync();
        await using (var tx = await db.BeginTransactionAsync())
        {
            var first = await MailAttachments.StoreAsync(db, tx, "statement.pdf", "application/pdf", pdf, CancellationToken.None);
            var second = await MailAttachments.StoreAsync(db, tx, "statement.pdf", "application/pdf", pdf, CancellationToken.None);
            Assert.Equal(first, second);
            var requests = AttachmentRecipients.Select(to => EmailParts.Request("attach-" + to, to) with { AttachmentIds = [first], ReplyTo = "Lead <lead@child10.example>" }).ToList();
            await outbox.EnqueueManyAsync(db, tx, requests, CancellationToken.None);
            await tx.CommitAsync();
        }

        await Delivery.RunAsync(CancellationToken.None);

        Assert.Equal(2, Smtp.Received.Count);
        Assert.All(Smtp.Received, m =>
        {
            var attachment = Assert.Single(m.Attachments.OfType<MimePart>());
            Assert.Equal("statement.pdf", attachment.FileName);
            using var content = new MemoryStream();
            attachment.Content!.DecodeTo(content);
            Assert.Equal(pdf, content.ToArray());
            Assert.Equal("lead@child10.example", m.ReplyTo.Mailboxes.Single().Address);
        });
        Assert.Equal(1, await db.ExecuteScalarAsync<int>("select count(*) from mail_attachment"));
    }

    [Fact]
    public async Task Approve_ByAuthor_IsRefused_ByViewer_IsDenied_BySecondLead_Approves_AndAnEditResetsIt()
    {
        var w = await WorldAsync();
        var briefing = await BriefingTestData.BriefingAsync(Database, w.Campaign, w.Author, "Hello", Body, [w.Segment], []);
        using var author = App.CreateClient(await SignInAsync(w.Author));
        using var approver = App.CreateClient(await SignInAsync(w.Approver));
        using var viewer = await App.SignedInClientAsync(Database, "viewer");

        var byAuthor = await PostAsync(author, $"/briefings/{briefing}", "Approve", new() { ["version"] = "1" });
        var byViewer = await PostAsync(viewer, $"/briefings/{briefing}", "Approve", new() { ["version"] = "1" });
        Assert.Equal("/account/access-denied", byViewer.Headers.Location!.AbsolutePath);
        Assert.Contains("another lead must approve it", await FlashAsync(author, briefing), StringComparison.Ordinal);
        Assert.Null(await ApprovedVersionAsync(briefing));
        _ = byAuthor;

        await PostAsync(approver, $"/briefings/{briefing}", "Approve", new() { ["version"] = "1" });
        Assert.Equal(1, await ApprovedVersionAsync(briefing));

        // The author edits the approved briefing: the approval is gone until a second lead approves the new version.
        var edit = await PostAsync(author, $"/briefings/{briefing}/edit", null, new()
        {
            ["Input.CampaignId"] = w.Campaign.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Input.Title"] = "Edited", ["Input.Subject"] = "Edited subject", ["Input.Body"] = "Dear {{ recipient.name }},",
            ["Input.SegmentIds"] = w.Segment.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        Assert.Equal(HttpStatusCode.Redirect, edit.StatusCode);
        Assert.Null(await ApprovedVersionAsync(briefing));
        var stale = await PostAsync(approver, $"/briefings/{briefing}", "Approve", new() { ["version"] = "1" });
        Assert.Null(await ApprovedVersionAsync(briefing));
        _ = stale;
        await PostAsync(approver, $"/briefings/{briefing}", "Approve", new() { ["version"] = "2" });
        Assert.Equal(2, await ApprovedVersionAsync(briefing));
    }

    [Fact]
    public async Task Post_UnknownPlaceholderAndEmptyAudience_ShowsLineColumnAndSavesNothing()
    {
        var w = await WorldAsync();
        using var author = App.CreateClient(await SignInAsync(w.Author));

        var response = await PostAsync(author, "/briefings/new", null, new()
        {
            ["Input.CampaignId"] = w.Campaign.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Input.Title"] = "T", ["Input.Subject"] = "S", ["Input.Body"] = "Dear {{ recipient.name }},\n\n{{ recipient.salary }}",
        });
        var html = WebUtility.HtmlDecode(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("Text, line 3, column 4: Unknown placeholder 'recipient.salary'", html, StringComparison.Ordinal);
        Assert.Contains("The audience is empty", html, StringComparison.Ordinal);
        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from briefing"));
    }

    [Fact]
    public async Task Preview_AsRecipient_IsSandboxedAndEncodesTheirName()
    {
        var w = await WorldAsync();
        var hostile = await BriefingTestData.PersonAsync(Database, "<img src=x onerror=alert(1)> Eve", "eve@gov.md.example", "MD");
        var briefing = await BriefingTestData.BriefingAsync(Database, w.Campaign, w.Author, "Hi {{ recipient.first_name }}", Body, [w.Segment], []);
        using var viewer = await App.SignedInClientAsync(Database, "viewer");

        var page = await viewer.GetStringAsync($"/briefings/{briefing}?recipient={hostile}");
        using var frame = await viewer.GetAsync($"/briefings/{briefing}?handler=Html&recipient={hostile}");
        var frameHtml = await frame.Content.ReadAsStringAsync();

        Assert.Contains("sandbox=\"\"", page, StringComparison.Ordinal);
        Assert.Contains("sandbox", frame.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        Assert.Contains("Dear &lt;img src=x onerror=alert(1)&gt; Eve,", frameHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("<img", frameHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SendTest_GoesToTheLeadsOwnAddressAsTheChosenRecipient()
    {
        var w = await WorldAsync();
        var briefing = await BriefingTestData.BriefingAsync(Database, w.Campaign, w.Author, "Hi {{ recipient.first_name }}", Body, [w.Segment], []);
        using var author = App.CreateClient(await SignInAsync(w.Author));

        await PostAsync(author, $"/briefings/{briefing}?recipient={w.Ion}", "Test", []);
        await Delivery.RunAsync(CancellationToken.None);

        var message = Assert.Single(Smtp.Received);
        Assert.Equal("author@child10.example", message.To.Mailboxes.Single().Address);
        Assert.Equal("[Test] Hi Ion", message.Subject);
        Assert.Contains("Dear Ion Rusu,", message.TextBody, StringComparison.Ordinal);
        await using var db = await Database.DataSource.OpenConnectionAsync();
        Assert.Equal(0, await db.ExecuteScalarAsync<int>("select count(*) from briefing_run"));
    }

    private async Task<int?> ApprovedVersionAsync(long briefing)
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        return await db.ExecuteScalarAsync<int?>("select approved_version from briefing where id = @briefing", new { briefing });
    }

    private static async Task<string> FlashAsync(HttpClient client, long briefing)
    {
        var html = WebUtility.HtmlDecode(await client.GetStringAsync($"/briefings/{briefing}"));
        var start = html.IndexOf("class=\"flash\"", StringComparison.Ordinal);
        return start < 0 ? "" : html[start..Math.Min(html.Length, start + 300)];
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string url, string? handler, Dictionary<string, string> fields)
    {
        var page = await client.GetStringAsync(url.Split('?')[0]);
        fields["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page);
        using var form = new FormUrlEncodedContent(fields);
        var target = handler is null ? url : url + (url.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "handler=" + handler;
        return await client.PostAsync(target, form);
    }

    private async Task<CookieContainer> SignInAsync(long staffId)
    {
        var cookies = new CookieContainer();
        using var client = App.CreateClient(cookies);
        var page = await client.GetStringAsync("/account/sign-in");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = TestApp.AntiforgeryToken(page),
            ["StaffId"] = staffId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var response = await client.PostAsync("/account/sign-in", form);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return cookies;
    }
}
