using Child10.Advocacy.Web.Features.SignOff;
using Child10.Advocacy.Web.Features.Statements;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Statements;

/// <summary>Drafts a new core statement and its first version in one transaction.</summary>
[Authorize(Policy = Policies.CanEdit)]
public sealed class NewModel(NpgsqlDataSource dataSource, RoundSupersession supersession) : PageModel
{
    private const string CampaignsSql = "select id, title as name from campaign where status <> 'archived' order by sort_key(title)";

    private const string InsertSql = """
        insert into statement (campaign_id, kind, scope, title, language, planned_release_on, lead_id, created_by)
        values (@CampaignId, @Kind, @Scope, @Title, @Language, @PlannedReleaseOn, @LeadId, @createdBy)
        returning id
        """;

    public sealed record InputModel
    {
        public string Kind { get; set; } = "joint_statement";
        public long? CampaignId { get; set; }
        public string Scope { get; set; } = "international";
        public string? Title { get; set; }
        public string Language { get; set; } = "en";
        public long? LeadId { get; set; }
        public DateOnly? PlannedReleaseOn { get; set; }
        public string? Body { get; set; }
    }

    [BindProperty]
    public InputModel Input { get; set; } = new();

    public IReadOnlyList<NamedOption> Campaigns { get; private set; } = [];

    public IReadOnlyList<NamedOption> Staff { get; private set; } = [];

    [TempData]
    public string? Flash { get; set; }

    public async Task OnGetAsync(long? campaignId, CancellationToken ct)
    {
        await LoadAsync(ct);
        Input.CampaignId = campaignId;
        Input.LeadId = Actor.From(User).StaffId;
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        await LoadAsync(ct);
        Validate(ModelState);
        if (!ModelState.IsValid)
        {
            return Page();
        }
        var actor = Actor.From(User);
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var id = await db.ExecuteScalarAsync<long>(new CommandDefinition(InsertSql, new
        {
            Input.CampaignId, Input.Kind, Input.Scope, Input.Title, Input.Language, Input.PlannedReleaseOn, Input.LeadId, createdBy = actor.StaffId,
        }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, actor, "statement.create", "statement", id, new
        {
            campaign_id = Input.CampaignId, kind = Input.Kind, scope = Input.Scope, title = Input.Title, language = Input.Language,
            planned_release_on = Input.PlannedReleaseOn, lead_id = Input.LeadId,
        }, ct);
        await StatementVersions.WriteAsync(db, tx, supersession, actor, id, Input.Title!, Input.Body!, "First draft.", null, ct);
        await tx.CommitAsync(ct);
        Flash = "Statement drafted as version 1.";
        return LocalRedirect($"/statements/{id}");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Campaigns = (await db.QueryAsync<NamedOption>(new CommandDefinition(CampaignsSql, cancellationToken: ct))).ToList();
        Staff = await Lookups.StaffAsync(db, ct);
    }

    private void Validate(ModelStateDictionary modelState)
    {
        if (!Vocabulary.Contains(StatementVocabulary.Kinds, Input.Kind))
        {
            modelState.AddModelError("Input.Kind", "Choose a kind: joint statement, position paper, open letter or consultation response.");
        }
        if (Input.CampaignId is not long campaignId || Campaigns.All(c => c.Id != campaignId))
        {
            modelState.AddModelError("Input.CampaignId", "Choose the campaign the statement belongs to.");
        }
        if (!Vocabulary.Contains(Vocabulary.Jurisdictions, Input.Scope))
        {
            modelState.AddModelError("Input.Scope", "Choose national, regional or international.");
        }
        if (!Vocabulary.Contains(Vocabulary.Languages, Input.Language))
        {
            modelState.AddModelError("Input.Language", "Choose the language of the text.");
        }
        if (Input.LeadId is long leadId && Staff.All(s => s.Id != leadId))
        {
            modelState.AddModelError("Input.LeadId", "Choose a lead from the list of active staff.");
        }
        Input.Title = StatementInput.Title(modelState, "Input.Title", Input.Title);
        Input.Body = StatementInput.Body(modelState, "Input.Body", Input.Body);
    }
}
