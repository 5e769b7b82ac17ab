using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Tests.Stakeholders;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.Playwright;

namespace Child10.Advocacy.Tests.Admin;

[Collection(DatabaseGroup.Name)]
public sealed class AuditLogBrowserTests(TestDatabase database) : DemoBrowserTest(database)
{
    [Fact]
    public async Task Admin_ReadsAndFiltersTheAuditLog_OnADesktopAndAPhone()
    {
        await PlantHistoryAsync();
        var context = await SignedInContextAsync(Roles.Admin);
        var page = await context.NewPageAsync();

        await page.GotoAsync(Url("/admin/audit"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToHaveTextAsync("Audit log");
        var rows = page.Locator("table.audit-table tbody tr");
        await Assertions.Expect(rows.First).ToContainTextAsync("Signed in");
        var briefing = await IdAsync("select id from briefing order by id limit 1");
        await Assertions.Expect(page.GetByRole(AriaRole.Link, new() { Name = "Briefing #" + briefing, Exact = true }).First).ToHaveAttributeAsync("href", "/briefings/" + briefing);
        await Chromium.ScreenshotAsync(page, "audit-log-desktop");
        Assert.False(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth"), "The audit log scrolls sideways on a desktop.");

        await page.GetByLabel("Who").SelectOptionAsync(new SelectOptionValue { Label = "Amira Haddad" });
        await page.GetByLabel("Action").SelectOptionAsync(new SelectOptionValue { Label = "Any briefing action" });
        await page.GetByRole(AriaRole.Button, new() { Name = "Filter" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(2);
        await Assertions.Expect(rows.Nth(0)).ToContainTextAsync("Scheduled briefing");
        await Assertions.Expect(rows.Nth(1)).ToContainTextAsync("Created briefing");
        await Assertions.Expect(page.GetByLabel("Who")).ToHaveValueAsync(await IdAsync("select id from staff_user where display_name = 'Amira Haddad'"));
        await page.GetByRole(AriaRole.Link, new() { Name = "Clear" }).ClickAsync();
        await Assertions.Expect(rows).ToHaveCountAsync(12);

        await page.SetViewportSizeAsync(390, 844);
        await page.GotoAsync(Url("/admin/audit"));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToBeInViewportAsync();
        await Chromium.ScreenshotAsync(page, "audit-log-phone");
        var overflow = await Chromium.SidewaysOverflowAsync(page);
        Assert.True(overflow.Length == 0, $"The audit log scrolls sideways on a phone: {overflow} reach past the right edge.");
        await context.CloseAsync();
    }

    private async Task<string> IdAsync(string sql) =>
        (await PeopleTestData.ScalarAsync<long>(Database, sql)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    // A few days of work by the demo network's staff, its jobs and a member's signatory, in the shapes the app writes.
    private async Task PlantHistoryAsync()
    {
        await using var db = await Database.DataSource.OpenConnectionAsync();
        await using var tx = await db.BeginTransactionAsync();
        // The demo data was loaded a moment ago; the history below happened after it, so it moves back a week
        // (only an erasure's transaction may change audit rows, and says so).
        await db.ExecuteAsync(
            """
            set local child10.audit_redaction = 'on';
            update audit_event set occurred_at = now() - interval '7 days' where action = 'demo.seed';
            """, transaction: tx);
        await db.ExecuteAsync(
            """
            with staff as (select id, display_name from staff_user),
                 amira as (select id, display_name from staff where display_name = 'Amira Haddad'),
                 elin as (select id, display_name from staff where display_name = 'Elin Sjöberg'),
                 karin as (select id, display_name from staff where display_name = 'Karin Ekström'),
                 briefing as (select id, title from briefing order by id limit 1),
                 person as (select id from person where erased_at is null order by id limit 1),
                 organisation as (select id, name from organisation order by id limit 1),
                 campaign as (select id, title from campaign order by id limit 1),
                 request as (select q.id, q.round_id from signoff_request q order by q.id limit 1)
            insert into audit_event (occurred_at, actor_id, actor_label, action, entity, entity_id, data)
            select now() - e.age, e.actor_id, e.actor_label, e.action, e.entity, e.entity_id, e.data
            from (
                select interval '4 days 3 hours' as age, amira.id as actor_id, amira.display_name as actor_label, 'campaign.update' as action,
                       'campaign' as entity, campaign.id::text as entity_id,
                       jsonb_build_object('title', campaign.title, 'status', 'active', 'scope', 'regional') as data
                from amira, campaign
                union all
                select interval '3 days 5 hours', amira.id, amira.display_name, 'briefing.create', 'briefing', briefing.id::text,
                       jsonb_build_object('Title', briefing.title, 'CampaignId', campaign.id)
                from amira, briefing, campaign
                union all
                select interval '3 days 2 hours', elin.id, elin.display_name, 'briefing.approve', 'briefing', briefing.id::text, jsonb_build_object('version', 3)
                from elin, briefing
                union all
                select interval '3 days 1 hour', amira.id, amira.display_name, 'briefing.schedule', 'briefing', briefing.id::text,
                       jsonb_build_object('kind', 'once', 'next', '2025-06-02T07:00:00Z', 'cron', null, 'timeZone', 'Europe/Brussels')
                from amira, briefing
                union all
                select interval '2 days 6 hours', elin.id, elin.display_name, 'organisation.update', 'organisation', organisation.id::text,
                       jsonb_build_object('name', organisation.name, 'changed', jsonb_build_array('website', 'themes'))
                from elin, organisation
                union all
                select interval '2 days 1 hour', null, 'signatory:Doina Țurcanu (La Strada Moldova)', 'signoff.answer', 'signoff_request', request.id::text,
                       jsonb_build_object('decision', 'request_changes', 'round_id', request.round_id, 'ip', '203.0.113.24')
                from request
                union all
                select interval '1 day 20 hours', null, 'system:signoff-chase', 'signoff.chase', 'signoff_request', null,
                       jsonb_build_object('steps', jsonb_build_array('12:reminder', '14:reminder', '15:final'))
                union all
                select interval '1 day 4 hours', null, 'system:delivery', 'suppression.hard_bounce', 'outbox_message', '4411',
                       jsonb_build_object('reply', '550 5.1.1 <m.popa@gov.example>: Recipient address rejected: User unknown in virtual mailbox table (in reply to RCPT TO command)')
                union all
                select interval '20 hours', elin.id, elin.display_name, 'person.update', 'person', person.id::text,
                       jsonb_build_object('changed', jsonb_build_array('position', 'email', 'do_not_contact'))
                from elin, person
                union all
                select interval '2 hours', karin.id, karin.display_name, 'staff.role_change', 'staff_user', elin.id::text,
                       jsonb_build_object('from', 'viewer', 'to', 'lead')
                from karin, elin
            ) e
            order by e.age desc;
            """, transaction: tx);
        await tx.CommitAsync();
    }
}
