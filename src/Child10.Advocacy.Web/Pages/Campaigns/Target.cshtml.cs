using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Campaigns;

/// <summary>Edits one campaign target (stance, influence, progress, notes) and shows its stance history; a stance change appends to it.</summary>
[Authorize(Policy = Policies.CanEdit)]
public sealed class TargetModel(NpgsqlDataSource dataSource) : PageModel
{
    private const string Sql = """
        select t.id, t.campaign_id, c.title as campaign_title, t.person_id,
               case when p.erased_at is null then p.full_name else 'Erased person' end as full_name,
               p.position, t.stance, t.influence, t.progress, t.notes
        from campaign_target t
        join campaign c on c.id = t.campaign_id
        join person p on p.id = t.person_id
        where t.id = @targetId and t.campaign_id = @id;

        select h.stance, h.changed_at, s.display_name as changed_by
        from campaign_target_stance h
        left join staff_user s on s.id = h.changed_by
        where h.target_id = @targetId
        order by h.changed_at, h.id;
        """;

    private const string LockSql = """
        select stance from campaign_target where id = @targetId and campaign_id = @id for update
        """;

    private const string UpdateSql = """
        update campaign_target
        set stance = @Stance, influence = @Influence, progress = @Progress, notes = @Notes, updated_at = now()
        where id = @targetId
        """;

    private const string InsertStanceSql = """
        insert into campaign_target_stance (target_id, stance, changed_by)
        values (@targetId, @stance, @changedBy)
        """;

    private const string DeleteSql = """
        delete from campaign_target where id = @targetId and campaign_id = @id returning person_id
        """;

    public sealed record TargetRow(
        long Id, long CampaignId, string CampaignTitle, long PersonId, string FullName, string? Position,
        string Stance, short Influence, string Progress, string? Notes);

    public sealed record StanceRow(string Stance, DateTime ChangedAt, string? ChangedBy);

    [BindProperty]
    public DetailsModel.TargetInputModel Target { get; set; } = new();

    public TargetRow Row { get; private set; } = null!;

    public IReadOnlyList<StanceRow> History { get; private set; } = [];

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, long targetId, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await LoadAsync(db, id, targetId, ct))
        {
            return NotFound();
        }
        Target = new DetailsModel.TargetInputModel
        {
            PersonId = Row.PersonId, Stance = Row.Stance, Influence = Row.Influence, Progress = Row.Progress, Notes = Row.Notes,
        };
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, long targetId, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        DetailsModel.ValidateTarget(Target, ModelState);
        if (!ModelState.IsValid)
        {
            return await LoadAsync(db, id, targetId, ct) ? Page() : NotFound();
        }
        await using var tx = await db.BeginTransactionAsync(ct);
        var previousStance = await db.ExecuteScalarAsync<string?>(new CommandDefinition(LockSql, new { id, targetId }, tx, cancellationToken: ct));
        if (previousStance is null)
        {
            return NotFound();
        }
        var actor = Actor.From(User);
        await db.ExecuteAsync(new CommandDefinition(UpdateSql, new { targetId, Target.Stance, Target.Influence, Target.Progress, Target.Notes }, tx, cancellationToken: ct));
        if (previousStance != Target.Stance)
        {
            await db.ExecuteAsync(new CommandDefinition(InsertStanceSql, new { targetId, stance = Target.Stance, changedBy = actor.StaffId }, tx, cancellationToken: ct));
        }
        await db.RecordAsync(tx, actor, "campaign_target.update", "campaign_target", targetId, new
        {
            campaign_id = id, stance = Target.Stance, previous_stance = previousStance, influence = Target.Influence, progress = Target.Progress,
        }, ct);
        await tx.CommitAsync(ct);
        Flash = "Target saved.";
        return LocalRedirect($"/campaigns/{id}#targets");
    }

    public async Task<IActionResult> OnPostRemoveAsync(long id, long targetId, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var personId = await db.ExecuteScalarAsync<long?>(new CommandDefinition(DeleteSql, new { id, targetId }, tx, cancellationToken: ct));
        if (personId is null)
        {
            return NotFound();
        }
        await db.RecordAsync(tx, Actor.From(User), "campaign_target.delete", "campaign_target", targetId, new { campaign_id = id, person_id = personId }, ct);
        await tx.CommitAsync(ct);
        Flash = "Target removed from the campaign.";
        return LocalRedirect($"/campaigns/{id}#targets");
    }

    private async Task<bool> LoadAsync(NpgsqlConnection db, long id, long targetId, CancellationToken ct)
    {
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(Sql, new { id, targetId }, cancellationToken: ct));
        var row = await reader.ReadSingleOrDefaultAsync<TargetRow>();
        if (row is null)
        {
            return false;
        }
        Row = row;
        History = (await reader.ReadAsync<StanceRow>()).ToList();
        return true;
    }
}
