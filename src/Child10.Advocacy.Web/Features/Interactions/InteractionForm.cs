using Child10.Advocacy.Web.Features.Campaigns;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Dapper;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Interactions;

/// <summary>What the new and edit interaction forms post.</summary>
public sealed class InteractionInput
{
    public string Kind { get; set; } = "meeting";

    public DateOnly? OccurredOn { get; set; }

    public string? Subject { get; set; }

    public string? Notes { get; set; }

    public string? Outcome { get; set; }

    public DateOnly? FollowUpOn { get; set; }

    /// <summary>Blank means the signed-in staff member, once a follow-up date is given.</summary>
    public long? FollowUpOwnerId { get; set; }

    /// <summary>The campaign the interaction belongs to, if any; its targets among the people move forward.</summary>
    public long? CampaignId { get; set; }

    public IList<long> PersonIds { get; init; } = [];

    public IList<long> OrganisationIds { get; init; } = [];

    // Participants already listed on the form, ticked or not: an organisation the user unticked
    // is not ticked again when its person is chosen.
    public IList<long> ShownPersonIds { get; init; } = [];

    public IList<long> ShownOrganisationIds { get; init; } = [];
}

public sealed record PersonChoice(long Id, string FullName, string? Position, long? OrganisationId, string? OrganisationName, bool Erased);

public sealed record OrganisationChoice(long Id, string Name, string? CountryCode);

/// <summary>The participants listed on the form, the matches of a "find" search, and the staff who can own a follow-up.</summary>
public sealed record ParticipantChoices(
    IReadOnlyList<PersonChoice> People,
    IReadOnlyList<OrganisationChoice> Organisations,
    IReadOnlyList<PersonChoice> FoundPeople,
    IReadOnlyList<OrganisationChoice> FoundOrganisations,
    IReadOnlyList<NamedOption> Staff,
    string? FindProblem)
{
    /// <summary>Campaigns not archived, plus the interaction's own.</summary>
    public IReadOnlyList<NamedOption> Campaigns { get; init; } = [];
}

/// <summary>Loading, checking and saving the interaction form; the new and edit pages share it.</summary>
public static class InteractionForm
{
    public const int MaxSubjectLength = 200;
    public const int MaxNotesLength = 20_000;
    public const int MinFindLength = 3;
    public const int FindLimit = 10;

    private const string PeopleByIdSql = """
        select p.id, p.full_name, p.position, p.organisation_id, o.name as organisation_name, p.erased_at is not null as erased
        from person p
        left join organisation o on o.id = p.organisation_id
        where p.id = any(@ids)
        order by p.name_sort_key, p.id
        """;

    private const string OrganisationsByIdSql = """
        select o.id, o.name, o.country_code
        from organisation o
        where o.id = any(@ids)
        order by o.name_sort_key, o.id
        """;

    // Trigram indexes on the stored name keys (unaccented, lower case) serve the infix match; names that
    // start with the text come first.
    private const string FindPeopleSql = """
        select p.id, p.full_name, p.position, p.organisation_id, o.name as organisation_name, false as erased
        from person p
        left join organisation o on o.id = p.organisation_id
        where p.name_sort_key like '%' || immutable_unaccent(lower(@pattern)) || '%'
          and p.erased_at is null
          and p.id <> all(@exclude)
        order by p.name_sort_key like immutable_unaccent(lower(@pattern)) || '%' desc,
                 p.name_sort_key, p.id
        limit @limit
        """;

    private const string FindOrganisationsSql = """
        select o.id, o.name, o.country_code
        from organisation o
        where o.name_sort_key like '%' || immutable_unaccent(lower(@pattern)) || '%'
          and o.id <> all(@exclude)
        order by o.name_sort_key like immutable_unaccent(lower(@pattern)) || '%' desc,
                 o.name_sort_key, o.id
        limit @limit
        """;

    private const string StaffSql = """
        select id, display_name as name
        from staff_user
        where is_active or id = @currentOwnerId
        order by sort_key(display_name), id
        """;

    private const string CampaignsSql = """
        select id, title as name
        from campaign
        where status <> 'archived' or id = @currentCampaignId
        order by sort_key(title), id
        """;

    private const string InsertSql = """
        insert into interaction (kind, occurred_on, subject, notes, outcome, follow_up_on, follow_up_owner_id, campaign_id, created_by)
        values (@Kind, @OccurredOn, @Subject, @Notes, @Outcome, @FollowUpOn, @FollowUpOwnerId, @CampaignId, @CreatedBy)
        returning id
        """;

    private const string UpdateSql = """
        update interaction
        set kind = @Kind, occurred_on = @OccurredOn, subject = @Subject, notes = @Notes, outcome = @Outcome,
            follow_up_on = @FollowUpOn, follow_up_owner_id = @FollowUpOwnerId, campaign_id = @CampaignId,
            follow_up_done_at = case when @FollowUpOn::date is null then null else follow_up_done_at end,
            updated_at = now()
        where id = @Id
        """;

    private const string ReplaceLinksSql = """
        delete from interaction_person where interaction_id = @id and person_id <> all(@personIds);
        delete from interaction_organisation where interaction_id = @id and organisation_id <> all(@organisationIds);
        insert into interaction_person (interaction_id, person_id)
        select @id, unnest(@personIds) on conflict do nothing;
        insert into interaction_organisation (interaction_id, organisation_id)
        select @id, unnest(@organisationIds) on conflict do nothing;
        """;

    /// <summary>
    /// Loads what the form lists. A chosen person's organisation is ticked as a participant the
    /// first time it appears; once shown, the user's tick decides.
    /// </summary>
    public static async Task<ParticipantChoices> LoadChoicesAsync(NpgsqlConnection db, InteractionInput input, string? find, CancellationToken ct)
    {
        var personIds = input.PersonIds.Union(input.ShownPersonIds).Distinct().ToArray();
        var people = (await db.QueryAsync<PersonChoice>(new CommandDefinition(PeopleByIdSql, new { ids = personIds }, cancellationToken: ct))).ToList();
        foreach (var person in people.Where(p => input.PersonIds.Contains(p.Id)))
        {
            if (person.OrganisationId is long organisationId && !input.ShownOrganisationIds.Contains(organisationId) && !input.OrganisationIds.Contains(organisationId))
            {
                input.OrganisationIds.Add(organisationId);
            }
        }

        var organisationIds = input.OrganisationIds.Union(input.ShownOrganisationIds).Distinct().ToArray();
        var organisations = (await db.QueryAsync<OrganisationChoice>(new CommandDefinition(OrganisationsByIdSql, new { ids = organisationIds }, cancellationToken: ct))).ToList();

        IReadOnlyList<PersonChoice> foundPeople = [];
        IReadOnlyList<OrganisationChoice> foundOrganisations = [];
        string? findProblem = null;
        var text = find?.Trim() ?? "";
        if (text.Length is > 0 and < MinFindLength)
        {
            findProblem = $"Type at least {MinFindLength} letters of a name.";
        }
        else if (text.Length >= MinFindLength)
        {
            (foundPeople, foundOrganisations) = await FindAsync(db, text, people.Select(p => p.Id).ToArray(), organisations.Select(o => o.Id).ToArray(), ct);
            if (foundPeople.Count == 0 && foundOrganisations.Count == 0)
            {
                findProblem = $"No person or organisation has a name containing “{text}”.";
            }
        }

        var staff = (await db.QueryAsync<NamedOption>(new CommandDefinition(StaffSql, new { currentOwnerId = input.FollowUpOwnerId }, cancellationToken: ct))).ToList();
        var campaigns = (await db.QueryAsync<NamedOption>(new CommandDefinition(CampaignsSql, new { currentCampaignId = input.CampaignId }, cancellationToken: ct))).ToList();
        return new ParticipantChoices(people, organisations, foundPeople, foundOrganisations, staff, findProblem) { Campaigns = campaigns };
    }

    /// <summary>People (not erased) and organisations whose names contain the text, accents ignored.</summary>
    public static async Task<(IReadOnlyList<PersonChoice> People, IReadOnlyList<OrganisationChoice> Organisations)> FindAsync(
        NpgsqlConnection db, string text, long[] excludePeople, long[] excludeOrganisations, CancellationToken ct)
    {
        var pattern = EscapeLike(text.Trim());
        var people = await db.QueryAsync<PersonChoice>(new CommandDefinition(FindPeopleSql, new { pattern, exclude = excludePeople, limit = FindLimit }, cancellationToken: ct));
        var organisations = await db.QueryAsync<OrganisationChoice>(new CommandDefinition(FindOrganisationsSql, new { pattern, exclude = excludeOrganisations, limit = FindLimit }, cancellationToken: ct));
        return (people.ToList(), organisations.ToList());
    }

    /// <summary>
    /// Adds field errors for everything wrong with the input. People already linked to the
    /// interaction stay acceptable after an erasure; no one else who is erased or unknown is.
    /// </summary>
    public static void Validate(InteractionInput input, ParticipantChoices choices, ModelStateDictionary modelState, IReadOnlyCollection<long> alreadyLinkedPeople)
    {
        if (!Vocabulary.Contains(Vocabulary.InteractionKinds, input.Kind))
        {
            modelState.AddModelError("Input.Kind", "Choose what kind of interaction this was.");
        }
        // A date that did not parse already carries the binder's error.
        if (input.OccurredOn is null && modelState.GetFieldValidationState("Input.OccurredOn") != ModelValidationState.Invalid)
        {
            modelState.AddModelError("Input.OccurredOn", "Enter the date it happened.");
        }
        input.Subject = input.Subject?.Trim();
        if (string.IsNullOrEmpty(input.Subject))
        {
            modelState.AddModelError("Input.Subject", "Enter a subject.");
        }
        else if (input.Subject.Length > MaxSubjectLength)
        {
            modelState.AddModelError("Input.Subject", $"Keep the subject to {MaxSubjectLength} characters (it has {input.Subject.Length}).");
        }
        input.Notes = Blank(input.Notes);
        if (input.Notes?.Length > MaxNotesLength)
        {
            modelState.AddModelError("Input.Notes", $"Notes can hold up to {MaxNotesLength:N0} characters (these have {input.Notes.Length:N0}).");
        }
        input.Outcome = Blank(input.Outcome);
        if (input.Outcome?.Length > Rules.MaxTextLength)
        {
            modelState.AddModelError("Input.Outcome", $"Keep the outcome to {Rules.MaxTextLength:N0} characters (it has {input.Outcome.Length:N0}).");
        }

        if (input.FollowUpOn is null && input.FollowUpOwnerId is not null)
        {
            modelState.AddModelError("Input.FollowUpOn", "Give a follow-up date, or leave the follow-up owner blank.");
        }
        else if (input.FollowUpOn is DateOnly due && input.OccurredOn is DateOnly occurred && due < occurred)
        {
            modelState.AddModelError("Input.FollowUpOn", "The follow-up date is before the interaction. Pick the same day or later.");
        }
        if (input.FollowUpOwnerId is long ownerId && choices.Staff.All(s => s.Id != ownerId))
        {
            modelState.AddModelError("Input.FollowUpOwnerId", "Choose a staff member from the list.");
        }

        if (input.CampaignId is long campaignId && choices.Campaigns.All(c => c.Id != campaignId))
        {
            modelState.AddModelError("Input.CampaignId", "Choose a campaign from the list.");
        }

        var selectedPeople = input.PersonIds.Distinct().ToList();
        var selectedOrganisations = input.OrganisationIds.Distinct().ToList();
        if (selectedPeople.Count == 0 && selectedOrganisations.Count == 0)
        {
            modelState.AddModelError("Input.PersonIds", "Add at least one person or organisation who took part.");
        }
        foreach (var id in selectedPeople)
        {
            var person = choices.People.FirstOrDefault(p => p.Id == id);
            if (person is null)
            {
                modelState.AddModelError("Input.PersonIds", $"There is no person with id {id}. Find them by name instead.");
            }
            else if (person.Erased && !alreadyLinkedPeople.Contains(id))
            {
                modelState.AddModelError("Input.PersonIds", $"Person {id} has been erased and cannot take part in new interactions.");
            }
        }
        foreach (var id in selectedOrganisations.Where(id => choices.Organisations.All(o => o.Id != id)))
        {
            modelState.AddModelError("Input.OrganisationIds", $"There is no organisation with id {id}. Find it by name instead.");
        }
    }

    /// <summary>The follow-up owner to store: the chosen one, or the signed-in staff member when only a date is given.</summary>
    public static long? OwnerToStore(InteractionInput input, Actor actor) =>
        input.FollowUpOn is null ? null : input.FollowUpOwnerId ?? actor.StaffId;

    /// <summary>Inserts the interaction and its participants, and audits it, inside the caller's transaction.</summary>
    public static async Task<long> CreateAsync(NpgsqlConnection db, NpgsqlTransaction tx, InteractionInput input, Actor actor, CancellationToken ct)
    {
        var values = Values(input, actor);
        var id = await db.ExecuteScalarAsync<long>(new CommandDefinition(InsertSql, values, tx, cancellationToken: ct));
        await ReplaceLinksAsync(db, tx, id, input, ct);
        await db.RecordAsync(tx, actor, "interaction.create", "interaction", id, AuditData(values, input), ct);
        await TargetProgress.ApplyAsync(db, tx, values.CampaignId, values.Kind, input.PersonIds, id, actor, ct);
        return id;
    }

    /// <summary>Updates the interaction and its participants, and audits it, inside the caller's transaction.</summary>
    public static async Task UpdateAsync(NpgsqlConnection db, NpgsqlTransaction tx, long id, InteractionInput input, Actor actor, CancellationToken ct)
    {
        var values = Values(input, actor) with { Id = id };
        await db.ExecuteAsync(new CommandDefinition(UpdateSql, values, tx, cancellationToken: ct));
        await ReplaceLinksAsync(db, tx, id, input, ct);
        await db.RecordAsync(tx, actor, "interaction.update", "interaction", id, AuditData(values, input), ct);
        await TargetProgress.ApplyAsync(db, tx, values.CampaignId, values.Kind, input.PersonIds, id, actor, ct);
    }

    private static Task<int> ReplaceLinksAsync(NpgsqlConnection db, NpgsqlTransaction tx, long id, InteractionInput input, CancellationToken ct) =>
        db.ExecuteAsync(new CommandDefinition(
            ReplaceLinksSql,
            new { id, personIds = input.PersonIds.Distinct().ToArray(), organisationIds = input.OrganisationIds.Distinct().ToArray() },
            tx,
            cancellationToken: ct));

    private static InteractionValues Values(InteractionInput input, Actor actor) => new(
        0, input.Kind, input.OccurredOn!.Value, input.Subject!, input.Notes, input.Outcome, input.FollowUpOn, OwnerToStore(input, actor), input.CampaignId, actor.StaffId);

    private static object AuditData(InteractionValues values, InteractionInput input) => new
    {
        kind = values.Kind,
        occurred_on = values.OccurredOn,
        subject = values.Subject,
        follow_up_on = values.FollowUpOn,
        follow_up_owner_id = values.FollowUpOwnerId,
        campaign_id = values.CampaignId,
        people = input.PersonIds.Distinct().Order().ToArray(),
        organisations = input.OrganisationIds.Distinct().Order().ToArray(),
    };

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static string EscapeLike(string text) =>
        text.Replace(@"\", @"\\", StringComparison.Ordinal).Replace("%", @"\%", StringComparison.Ordinal).Replace("_", @"\_", StringComparison.Ordinal);

    private sealed record InteractionValues(
        long Id, string Kind, DateOnly OccurredOn, string Subject, string? Notes, string? Outcome, DateOnly? FollowUpOn, long? FollowUpOwnerId, long? CampaignId, long? CreatedBy);
}

/// <summary>What the shared form partial (Pages/Interactions/_InteractionFields) renders.</summary>
public sealed record InteractionFormView(InteractionInput Input, ParticipantChoices Choices, string? Find);
