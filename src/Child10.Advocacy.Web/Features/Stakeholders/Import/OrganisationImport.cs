using Dapper;
using Npgsql;
using NpgsqlTypes;

namespace Child10.Advocacy.Web.Features.Stakeholders.Import;

/// <summary>One organisations row ready to write. Null means "leave as it is" on update.</summary>
public sealed record OrganisationValues(
    int Row,
    RowAction Action,
    long? OrganisationId,
    string Name,
    string? Kind,
    string? Country,
    long? RegionId,
    int? AwardYear,
    string? Website,
    string? Notes,
    long[] ThemeIds);

/// <summary>Organisations import, deduplicated by name and country (the unique key of organisation), written like the people import.</summary>
public static class OrganisationImport
{
    private const string LookupsSql = """
        select code, name, region_id from country;
        select id, lower(name) as name from theme;
        select id, lower(name) as name from region;
        select id, name, kind, country_code, award_year from organisation;
        """;

    private const string CreateTempSql = """
        create temp table tmp_import (
            row_no          integer,
            action          text,
            organisation_id bigint,
            name            text,
            kind            text,
            country_code    text,
            region_id       bigint,
            award_year      integer,
            website         text,
            notes           text,
            theme_ids       bigint[],
            new_id          bigint
        ) on commit drop
        """;

    private const string CopySql = """
        copy tmp_import (row_no, action, organisation_id, name, kind, country_code, region_id, award_year, website, notes, theme_ids)
        from stdin (format binary)
        """;

    // New organisations get their identities first, from the sequence looked up once (as the people import draws
    // them): OFFSET 0 keeps the lookup a subquery instead of a call for every row.
    private const string WriteSql = """
        update tmp_import t set new_id = nextval(q.sequence)
        from (select pg_get_serial_sequence('organisation', 'id')::regclass as sequence offset 0) q
        where t.action = 'create';

        analyze tmp_import;

        insert into organisation (id, name, kind, country_code, region_id, award_year, website, notes)
        overriding system value
        select new_id, name, kind, country_code, region_id, award_year, website, notes
        from tmp_import
        where action = 'create'
        order by row_no;

        update organisation o
        set name       = t.name,
            kind       = coalesce(t.kind, o.kind),
            region_id  = coalesce(t.region_id, o.region_id),
            award_year = coalesce(t.award_year, o.award_year),
            website    = coalesce(t.website, o.website),
            notes      = coalesce(t.notes, o.notes),
            updated_at = now()
        from tmp_import t
        where t.action = 'update' and o.id = t.organisation_id;

        insert into organisation_theme (organisation_id, theme_id)
        select coalesce(t.organisation_id, t.new_id), unnest(t.theme_ids)
        from tmp_import t
        where cardinality(t.theme_ids) > 0
        on conflict do nothing;
        """;

    private sealed record CountryRow(string Code, string Name, long? RegionId);

    private sealed record ExistingOrganisation(long Id, string Name, string Kind, string? CountryCode, int? AwardYear);

    internal static async Task<ImportPlan> PlanAsync(NpgsqlConnection db, NpgsqlTransaction? tx, IEnumerable<CsvRecord> records, HeaderMap header, CancellationToken ct)
    {
        await using var lookups = await db.QueryMultipleAsync(new CommandDefinition(LookupsSql, transaction: tx, cancellationToken: ct));
        var countryRows = (await lookups.ReadAsync<CountryRow>()).ToDictionary(c => c.Code);
        var countries = countryRows.Keys.ToHashSet();
        var themes = (await lookups.ReadAsync<(long Id, string Name)>()).ToDictionary(t => t.Name, t => t.Id);
        var regions = (await lookups.ReadAsync<(long Id, string Name)>()).ToDictionary(r => r.Name, r => r.Id);
        var existing = (await lookups.ReadAsync<ExistingOrganisation>())
            .ToDictionary(o => Key(o.Name, o.CountryCode));

        var problems = new List<ImportProblem>();
        var planned = new PlannedRowList();
        var fileRows = 0;
        var values = new List<OrganisationValues>();
        var seen = new Dictionary<(string, string), int>();
        foreach (var record in records)
        {
            fileRows++;
            var cells = new RowReader(record, header, problems);
            var name = cells.Text("name", Rules.MaxNameLength);
            var kind = cells.Choice("kind", Vocabulary.OrganisationKinds);
            var country = cells.Country("country", countries);
            long? regionId = null;
            if (cells.Text("region", Rules.MaxNameLength) is { } regionName)
            {
                if (regions.TryGetValue(regionName.ToLowerInvariant(), out var id))
                {
                    regionId = id;
                }
                else
                {
                    cells.Problem("region", $"'{regionName}' is not one of the regions: {string.Join(", ", regions.Keys)}");
                }
            }
            var awardYear = cells.Year("award_year");
            var themeIds = cells.Themes("themes", themes);
            var website = cells.Text("website", Rules.MaxNameLength);
            if (website is not null && !(Uri.TryCreate(website, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            {
                cells.Problem("website", $"'{website}' is not an address starting with http:// or https://");
            }
            var notes = cells.Text("notes", Rules.MaxTextLength);

            if (name is null)
            {
                cells.Problem("name", "is required");
                continue;
            }
            var key = Key(name, country);
            if (!seen.TryAdd(key, record.Row))
            {
                cells.Problem("name", $"'{name}'{(country is null ? "" : $" ({country})")} is also on row {seen[key]}");
            }
            existing.TryGetValue(key, out var match);
            if (match is null && kind is null && header.Cell(record.Fields, "kind").Length == 0)
            {
                cells.Problem("kind", "is required for a new organisation");
            }
            var finalKind = kind ?? match?.Kind;
            if (awardYear is not null && finalKind is not null && finalKind != "member")
            {
                cells.Problem("award_year", "is only for awarded member organisations (kind member)");
            }
            else if (match?.AwardYear is not null && finalKind != "member")
            {
                cells.Problem("kind", $"'{kind}' would remove the award year {match.AwardYear} of a member organisation; change it on the organisation page");
            }
            if (cells.Failed)
            {
                continue;
            }
            if (match is null && regionId is null && country is not null)
            {
                regionId = countryRows[country].RegionId;
            }
            var action = match is null ? RowAction.Create : RowAction.Update;
            planned.Add(new PlannedRow(record.Row, action, country is null ? name : $"{name} ({country})", match?.Id, null));
            values.Add(new OrganisationValues(record.Row, action, match?.Id, name, kind, country, regionId, awardYear, website, notes, themeIds));
        }
        return planned.ToPlan(ImportColumns.Organisations, header, problems, fileRows) with { Organisations = values };
    }

    internal static async Task CommitAsync(NpgsqlConnection db, NpgsqlTransaction tx, ImportPlan plan, CancellationToken ct)
    {
        await db.ExecuteAsync(new CommandDefinition(CreateTempSql, transaction: tx, cancellationToken: ct));
        await using (var copy = await db.BeginBinaryImportAsync(CopySql, ct))
        {
            foreach (var row in plan.Organisations)
            {
                await copy.StartRowAsync(ct);
                await copy.WriteAsync(row.Row, NpgsqlDbType.Integer, ct);
                await copy.WriteAsync(row.Action == RowAction.Create ? "create" : "update", NpgsqlDbType.Text, ct);
                await PeopleImport.WriteAsync(copy, row.OrganisationId, NpgsqlDbType.Bigint, ct);
                await copy.WriteAsync(row.Name, NpgsqlDbType.Text, ct);
                await PeopleImport.WriteAsync(copy, row.Kind, NpgsqlDbType.Text, ct);
                await PeopleImport.WriteAsync(copy, row.Country, NpgsqlDbType.Text, ct);
                await PeopleImport.WriteAsync(copy, row.RegionId, NpgsqlDbType.Bigint, ct);
                await PeopleImport.WriteAsync(copy, row.AwardYear, NpgsqlDbType.Integer, ct);
                await PeopleImport.WriteAsync(copy, row.Website, NpgsqlDbType.Text, ct);
                await PeopleImport.WriteAsync(copy, row.Notes, NpgsqlDbType.Text, ct);
                await copy.WriteAsync(row.ThemeIds, NpgsqlDbType.Array | NpgsqlDbType.Bigint, ct);
            }
            await copy.CompleteAsync(ct);
        }
        await db.ExecuteAsync(new CommandDefinition(WriteSql, transaction: tx, cancellationToken: ct));
    }

    // The same key as the unique index organisation_name_country_uq: lower(name) and the country, '--' for none.
    private static (string, string) Key(string name, string? country) => (name.Trim().ToLowerInvariant(), country ?? "--");
}
