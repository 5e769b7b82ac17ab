using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Admin;

/// <summary>
/// One staff member as the staff administration pages show them. ProviderRole: the role the sign-in provider named at
/// their last sign-in, which replaces the stored role at every sign-in (null: it named none, so the role set here holds).
/// </summary>
public sealed record StaffMember(
    long Id,
    string DisplayName,
    string? Email,
    string Issuer,
    string Role,
    string? ProviderRole,
    bool IsActive,
    DateTime? DeactivatedAt,
    DateTime CreatedAt,
    DateTime? LastSignInAt,
    long CampaignsLed,
    long StatementsLed,
    long RoundsLed,
    long ConsultationsResponsible,
    long RelationshipsOwned,
    long OpenFollowUps)
{
    public bool SignsInWithDemo => Issuer == StaffSignIn.DemoIssuer;

    /// <summary>Whether the person still answers for anything another lead would have to take over.</summary>
    public bool HasResponsibilities => CampaignsLed + StatementsLed + RoundsLed + ConsultationsResponsible + RelationshipsOwned + OpenFollowUps > 0;
}

/// <summary>
/// A campaign, statement or sign-off round the staff member leads and that is not finished. Place: a statement
/// variant's country or region, so that variants sharing a title can be told apart.
/// </summary>
public sealed record StaffResponsibility(string Kind, long Id, string Title, string? Place, string Status);

/// <summary>One thing the staff member did, from the audit trail.</summary>
public sealed record StaffActivity(DateTime OccurredAt, string Action, string Entity, string? EntityId);

/// <summary>What became of an access change: done, or refused with the reason people read.</summary>
public sealed record StaffChange(bool Done, string Message);

/// <summary>
/// Staff administration: who can sign in, with which role, and taking access away from someone who has left. Only an
/// admin changes access, never their own (so an admin always remains), and never a role the sign-in provider manages.
/// </summary>
public static class StaffAccess
{
    public static readonly IReadOnlyList<(string Value, string Label, string Description)> RoleChoices =
    [
        (Roles.Viewer, "Viewer", "Reads campaigns, statements and stakeholder records; changes nothing but their own calendar link."),
        (Roles.Lead, "Advocacy lead", "Plans campaigns, keeps the stakeholder records, runs sign-off rounds, writes and approves briefings."),
        (Roles.Admin, "Admin", "Everything a lead does, and imports, erasure, the mail log, background jobs, the audit log and staff access."),
    ];

    private const string MembersSql = """
        select s.id, s.display_name, s.email, s.issuer, s.role, s.provider_role, s.is_active, s.deactivated_at, s.created_at, s.last_sign_in_at,
               (select count(*) from campaign c where c.lead_id = s.id and c.status in ('planning', 'active')) as campaigns_led,
               (select count(*) from statement st where st.lead_id = s.id and st.status in ('draft', 'in_signoff')) as statements_led,
               (select count(*) from signoff_round r where r.lead_id = s.id and r.status = 'open') as rounds_led,
               (select count(*) from consultation k
                 where k.responsible_id = s.id and k.status in ('upcoming', 'open', 'in_preparation')) as consultations_responsible,
               (select count(*) from person p where p.owner_staff_id = s.id and p.erased_at is null) as relationships_owned,
               (select count(*) from interaction i
                 where i.follow_up_owner_id = s.id and i.follow_up_on is not null and i.follow_up_done_at is null) as open_follow_ups
        from staff_user s
        """;

    private const string ResponsibilitiesSql = """
        select kind, id, title, place, status from (
        select 'campaign' as kind, c.id, c.title, null as place, c.status from campaign c
         where c.lead_id = @id and c.status in ('planning', 'active')
        union all
        select 'statement', st.id, st.title, coalesce(co.name, rg.name), st.status from statement st
          left join country co on co.code = st.country_code
          left join region rg on rg.id = st.region_id
         where st.lead_id = @id and st.status in ('draft', 'in_signoff')
        union all
        select 'signoff_round', r.id, st.title, null, r.status from signoff_round r join statement st on st.id = r.statement_id
         where r.lead_id = @id and r.status = 'open'
        union all
        select 'consultation', k.id, k.title, null, k.status from consultation k
         where k.responsible_id = @id and k.status in ('upcoming', 'open', 'in_preparation')
        ) x
        order by kind, sort_key(title), sort_key(place) nulls first
        """;

    private const string ActivitySql = """
        select occurred_at, action, entity, entity_id
        from audit_event
        where actor_id = @id
        order by id desc
        limit @limit
        """;

    private const string SuccessorsSql = """
        select id, display_name from staff_user
        where is_active and role in ('lead', 'admin') and id <> @id
        order by sort_key(display_name), id
        """;

    private const string SuccessorSql = """
        select display_name from staff_user where id = @id and is_active and role in ('lead', 'admin') for share
        """;

    // What a hand-over moves, each statement returning the ids it moved: the same unfinished work the pages count.
    private static readonly (string Key, string Sql)[] HandOverSql =
    [
        ("campaigns", "update campaign set lead_id = @to, updated_at = now() where lead_id = @from and status in ('planning', 'active') returning id"),
        ("statements", "update statement set lead_id = @to, updated_at = now() where lead_id = @from and status in ('draft', 'in_signoff') returning id"),
        ("signoff_rounds", "update signoff_round set lead_id = @to where lead_id = @from and status = 'open' returning id"),
        ("consultations", "update consultation set responsible_id = @to, updated_at = now() where responsible_id = @from and status in ('upcoming', 'open', 'in_preparation') returning id"),
        ("people", "update person set owner_staff_id = @to, updated_at = now() where owner_staff_id = @from and erased_at is null returning id"),
        ("follow_ups", "update interaction set follow_up_owner_id = @to, updated_at = now() where follow_up_owner_id = @from and follow_up_on is not null and follow_up_done_at is null returning id"),
    ];

    private const string LockSql = "select role, provider_role, is_active from staff_user where id = @id for update";

    private const string RoleSql = "update staff_user set role = @role where id = @id";

    private const string ActiveSql = """
        update staff_user set is_active = @active, deactivated_at = case when @active then null else now() end
        where id = @id
        """;

    public static async Task<IReadOnlyList<StaffMember>> ListAsync(NpgsqlConnection db, CancellationToken ct) =>
        (await db.QueryAsync<StaffMember>(new CommandDefinition(
            MembersSql + "\norder by s.is_active desc, sort_key(s.display_name), s.id", cancellationToken: ct))).ToList();

    public static Task<StaffMember?> FindAsync(NpgsqlConnection db, long id, CancellationToken ct) =>
        db.QuerySingleOrDefaultAsync<StaffMember>(new CommandDefinition(MembersSql + "\nwhere s.id = @id", new { id }, cancellationToken: ct));

    public static async Task<IReadOnlyList<StaffResponsibility>> ResponsibilitiesAsync(NpgsqlConnection db, long id, CancellationToken ct) =>
        (await db.QueryAsync<StaffResponsibility>(new CommandDefinition(ResponsibilitiesSql, new { id }, cancellationToken: ct))).ToList();

    public static async Task<IReadOnlyList<StaffActivity>> ActivityAsync(NpgsqlConnection db, long id, int limit, CancellationToken ct) =>
        (await db.QueryAsync<StaffActivity>(new CommandDefinition(ActivitySql, new { id, limit }, cancellationToken: ct))).ToList();

    /// <summary>The active leads and admins who could take over from the staff member.</summary>
    public static async Task<IReadOnlyList<(long Id, string DisplayName)>> SuccessorsAsync(NpgsqlConnection db, long id, CancellationToken ct) =>
        (await db.QueryAsync<(long, string)>(new CommandDefinition(SuccessorsSql, new { id }, cancellationToken: ct))).ToList();

    /// <summary>
    /// Hands everything unfinished the staff member answers for to another active lead or admin, in one transaction:
    /// campaigns and statements in progress, open sign-off rounds, open consultations, relationships and open follow-ups.
    /// Audited once as staff.hand_over, with the ids of every record moved.
    /// </summary>
    public static async Task<StaffChange> HandOverAsync(NpgsqlConnection db, Actor actor, long from, long to, CancellationToken ct)
    {
        if (from == to)
        {
            return new StaffChange(false, "Choose someone else to hand over to.");
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        var name = await db.QuerySingleOrDefaultAsync<string>(new CommandDefinition(SuccessorSql, new { id = to }, tx, cancellationToken: ct));
        if (name is null)
        {
            return new StaffChange(false, "Hand over to an active lead or admin: the person chosen is not one (any more).");
        }
        var moved = new Dictionary<string, long[]>();
        foreach (var (key, sql) in HandOverSql)
        {
            moved[key] = (await db.QueryAsync<long>(new CommandDefinition(sql, new { from, to }, tx, cancellationToken: ct))).Order().ToArray();
        }
        if (moved.Values.All(ids => ids.Length == 0))
        {
            return new StaffChange(false, "There was nothing left to hand over.");
        }
        await db.RecordAsync(tx, actor, "staff.hand_over", "staff_user", from, new { to, toName = name, moved }, ct);
        await tx.CommitAsync(ct);
        var parts = new List<string>();
        void Part(string key, string one, string? many = null)
        {
            if (moved[key].Length > 0)
            {
                parts.Add(Plural.Of(moved[key].Length, one, many));
            }
        }
        Part("campaigns", "campaign");
        Part("statements", "statement");
        Part("signoff_rounds", "sign-off round");
        Part("consultations", "consultation");
        Part("people", "relationship");
        Part("follow_ups", "open follow-up");
        var list = parts.Count == 1 ? parts[0] : string.Join(", ", parts[..^1]) + " and " + parts[^1];
        return new StaffChange(true, $"Handed to {name}: {list}. They are not told by email.");
    }

    public static string RoleLabel(string role) => RoleChoices.FirstOrDefault(r => r.Value == role).Label ?? role;

    /// <summary>
    /// Gives the staff member <paramref name="role"/>, if they still have <paramref name="expectedRole"/> (what the admin
    /// saw when choosing). Audited as staff.role_change.
    /// </summary>
    public static Task<StaffChange> ChangeRoleAsync(NpgsqlConnection db, Actor actor, long id, string expectedRole, string role, CancellationToken ct) =>
        ChangeAsync(db, actor, id, async (current, tx) =>
        {
            if (!Roles.All.Contains(role))
            {
                return new StaffChange(false, $"'{role}' is not a role: choose viewer, lead or admin.");
            }
            if (current.ProviderRole is not null)
            {
                return new StaffChange(false,
                    $"Their role comes from the sign-in provider, which named them {RoleLabel(current.ProviderRole).ToLowerInvariant()} at their last sign-in: change it there. A role set here would be replaced at their next sign-in.");
            }
            if (current.Role != expectedRole)
            {
                return new StaffChange(false, $"Someone changed their role to {RoleLabel(current.Role).ToLowerInvariant()} while you were looking. Check it and choose again.");
            }
            if (current.Role == role)
            {
                return new StaffChange(false, $"They are already {Article(RoleLabel(role))} {RoleLabel(role).ToLowerInvariant()}.");
            }
            await db.ExecuteAsync(new CommandDefinition(RoleSql, new { id, role }, tx, cancellationToken: ct));
            await db.RecordAsync(tx, actor, "staff.role_change", "staff_user", id, new { from = current.Role, to = role }, ct);
            return new StaffChange(true, $"Their role is now {RoleLabel(role).ToLowerInvariant()}. It applies to their next page.");
        }, ct);

    /// <summary>
    /// Takes the staff member's access away (<paramref name="active"/> false) or gives it back. A deactivated person is
    /// signed out and cannot sign in; what they wrote, lead and own stays. Audited as staff.deactivate or staff.reactivate.
    /// </summary>
    public static Task<StaffChange> SetActiveAsync(NpgsqlConnection db, Actor actor, long id, bool active, CancellationToken ct) =>
        ChangeAsync(db, actor, id, async (current, tx) =>
        {
            if (current.IsActive == active)
            {
                return new StaffChange(false, active ? "They can already sign in." : "They are already deactivated.");
            }
            await db.ExecuteAsync(new CommandDefinition(ActiveSql, new { id, active }, tx, cancellationToken: ct));
            await db.RecordAsync(tx, actor, active ? "staff.reactivate" : "staff.deactivate", "staff_user", id, new { role = current.Role }, ct);
            return new StaffChange(true, active
                ? "They can sign in again, with the role shown."
                : "They are signed out and can no longer sign in. Their records and history stay as they are.");
        }, ct);

    private sealed record Current(string Role, string? ProviderRole, bool IsActive);

    // Locks the staff row, refuses a change to the admin's own access, applies the change and commits it when done.
    private static async Task<StaffChange> ChangeAsync(NpgsqlConnection db, Actor actor, long id, Func<Current, NpgsqlTransaction, Task<StaffChange>> change, CancellationToken ct)
    {
        if (actor.StaffId == id)
        {
            return new StaffChange(false, "You cannot change your own access: another admin has to. This way an admin always remains.");
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        var current = await db.QuerySingleOrDefaultAsync<Current>(new CommandDefinition(LockSql, new { id }, tx, cancellationToken: ct));
        if (current is null)
        {
            return new StaffChange(false, "There is no such staff member.");
        }
        var result = await change(current, tx);
        if (result.Done)
        {
            await tx.CommitAsync(ct);
        }
        return result;
    }

    private static string Article(string word) => "aeiouAEIOU".Contains(word[0]) ? "an" : "a";
}
