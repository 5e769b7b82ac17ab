using Child10.Advocacy.Web.Features.Stakeholders;
using Dapper;
using Npgsql;

namespace Child10.Advocacy.Web.Features.Briefings;

/// <summary>One person a briefing goes to, with what the placeholders need.</summary>
public sealed record BriefingRecipient(
    long PersonId, string Name, string? Position, string? Organisation, string? CountryCode, string? CountryName, string Language, string Email);

/// <summary>Who receives a briefing, and how many of its audience are left out, by reason.</summary>
public sealed record BriefingAudience(IReadOnlyList<BriefingRecipient> Recipients, IReadOnlyDictionary<string, int> Excluded)
{
    public static readonly IReadOnlyList<(string Value, string Label)> Reasons =
    [
        ("do_not_contact", "Do not contact"),
        ("unsubscribed", "Unsubscribed"),
        ("hard_bounce", "Address bounced"),
        ("erased", "Erased"),
        ("no_email", "No email address"),
    ];

    public int ExcludedTotal => Excluded.Values.Sum();

    private const string SourcesSql = """
        select s.filter::text from briefing_segment bs join segment s on s.id = bs.segment_id where bs.briefing_id = @id;
        select person_id from briefing_person where briefing_id = @id;
        """;

    private const string PickedSql = """
        select p.id, p.full_name, p.position, o.name as organisation, p.country_code, c.name as country_name, p.preferred_language,
               p.email, p.do_not_contact, p.erased_at is not null as erased
        from person p
        left join organisation o on o.id = p.organisation_id
        left join country c on c.code = p.country_code
        where p.id = any(@ids)
        """;

    private const string SuppressionSql = "select encode(email_hash, 'hex') as hash, reason from suppression where email_hash = any(@hashes)";

    private sealed record PersonRow(
        long Id, string FullName, string? Position, string? Organisation, string? CountryCode, string? CountryName, string PreferredLanguage,
        string? Email, bool DoNotContact, bool Erased);

    private sealed record SuppressionRow(string Hash, string Reason);

    /// <summary>The saved audience of a briefing: its segments (as they match today) and its picked people.</summary>
    public static async Task<BriefingAudience> ResolveAsync(NpgsqlConnection db, long briefingId, CancellationToken ct)
    {
        var (segments, picked) = await SourcesAsync(db, briefingId, ct);
        return await ResolveAsync(db, segments, picked, ct);
    }

    private static async Task<(List<PeopleFilter> Segments, List<long> Picked)> SourcesAsync(NpgsqlConnection db, long briefingId, CancellationToken ct)
    {
        await using var reader = await db.QueryMultipleAsync(new CommandDefinition(SourcesSql, new { id = briefingId }, cancellationToken: ct));
        var filters = (await reader.ReadAsync<string>()).ToList();
        var picked = (await reader.ReadAsync<long>()).ToList();
        return (filters.Select(PeopleFilter.FromJson).ToList(), picked);
    }

    /// <summary>Why a person is left out before any suppression is looked at, or null.</summary>
    private static string? Exclusion(string? email, bool doNotContact, bool erased) =>
        erased ? "erased"
        : Rules.EmailProblem(email) is not null || string.IsNullOrWhiteSpace(email) ? "no_email"
        : doNotContact ? "do_not_contact"
        : null;

    /// <summary>Suppression reasons by hex address hash, for those of the hashes that are suppressed.</summary>
    private static async Task<Dictionary<string, string>> SuppressionsAsync(NpgsqlConnection db, List<string> hexHashes, CancellationToken ct)
    {
        if (hexHashes.Count == 0)
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }
        var hashes = hexHashes.Select(Convert.FromHexString).ToArray();
        return (await db.QueryAsync<SuppressionRow>(new CommandDefinition(SuppressionSql, new { hashes }, cancellationToken: ct)))
            .ToDictionary(s => s.Hash, s => s.Reason, StringComparer.Ordinal);
    }

    /// <summary>People matching any of the segment filters, plus the picked people, once each; exclusions counted.</summary>
    public static async Task<BriefingAudience> ResolveAsync(NpgsqlConnection db, IReadOnlyList<PeopleFilter> segments, IReadOnlyList<long> picked, CancellationToken ct)
    {
        var people = new Dictionary<long, PersonRow>();
        foreach (var filter in segments)
        {
            await foreach (var row in PeopleQuery.AllAsync(db, filter with { Sort = null }, withThemes: false, ct))
            {
                people.TryAdd(row.Id, new PersonRow(row.Id, row.FullName, row.Position, row.OrganisationName, row.CountryCode, row.CountryName,
                    row.PreferredLanguage, row.Email, row.DoNotContact, Erased: false));
            }
        }
        var missing = picked.Where(id => !people.ContainsKey(id)).Distinct().ToArray();
        if (missing.Length > 0)
        {
            foreach (var row in await db.QueryAsync<PersonRow>(new CommandDefinition(PickedSql, new { ids = missing }, cancellationToken: ct)))
            {
                people.TryAdd(row.Id, row);
            }
        }

        var excluded = new Dictionary<string, int>(StringComparer.Ordinal);
        void Exclude(string reason) => excluded[reason] = excluded.GetValueOrDefault(reason) + 1;
        var candidates = new List<(PersonRow Person, string Hash)>(people.Count);
        foreach (var person in people.Values.OrderBy(p => p.FullName, StringComparer.CurrentCultureIgnoreCase).ThenBy(p => p.Id))
        {
            if (Exclusion(person.Email, person.DoNotContact, person.Erased) is { } reason)
            {
                Exclude(reason);
            }
            else
            {
                candidates.Add((person, Convert.ToHexStringLower(Rules.EmailHash(person.Email!))));
            }
        }

        var suppressed = await SuppressionsAsync(db, candidates.Select(c => c.Hash).ToList(), ct);
        var recipients = new List<BriefingRecipient>(candidates.Count);
        foreach (var (person, hash) in candidates)
        {
            if (suppressed.TryGetValue(hash, out var reason))
            {
                Exclude(reason);
                continue;
            }
            recipients.Add(new BriefingRecipient(person.Id, person.FullName, person.Position, person.Organisation, person.CountryCode,
                person.CountryName, person.PreferredLanguage, person.Email!.Trim()));
        }
        return new BriefingAudience(recipients, excluded);
    }
}
