using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Child10.Advocacy.Web.Infrastructure.Csv;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.PrivacyNotices;

/// <summary>Contacts whose privacy notice has not been sent yet (GDPR art. 14), oldest records first; editors mark notices sent in bulk.</summary>
public sealed class IndexModel(NpgsqlDataSource dataSource, Places places, IAuthorizationService authorizationService) : PageModel
{
    public const int PageSize = 100;

    private const string Where = """
        where p.privacy_notice_sent_on is null and p.erased_at is null
          and (cast(@country as text) is null or p.country_code = cast(@country as char(2)))
          and (cast(@category as text) is null or p.category = @category)
        """;

    private const string CountSql = "select count(*) from person p " + Where;

    private const string ListSql = """
        select p.id, p.full_name, p.email, p.category, p.country_code, o.name as organisation, p.data_source, p.lawful_basis, p.created_at
        from person p
        left join organisation o on o.id = p.organisation_id
        """ + "\n" + Where + "\n" + """
        order by p.created_at, p.id
        limit @limit offset @offset
        """;

    private const string MarkSql = """
        update person
        set privacy_notice_sent_on = current_date, updated_at = now()
        where id = any(@ids) and privacy_notice_sent_on is null and erased_at is null
        returning id
        """;

    public sealed record PendingRow(long Id, string FullName, string? Email, string Category, string? CountryCode, string? Organisation, string? DataSource, string? LawfulBasis, DateTime CreatedAt);

    [BindProperty(SupportsGet = true)]
    public string? Country { get; set; }

    [BindProperty(SupportsGet = true)]
    public string? Category { get; set; }

    // Not "page": Razor Pages reserves that route value for the page's own path.
    [BindProperty(SupportsGet = true, Name = "p")]
    public int PageNumber { get; set; } = 1;

    [BindProperty]
    public IReadOnlyList<long> Ids { get; set; } = [];

    [TempData]
    public string? Flash { get; set; }

    public Lookups Lists { get; private set; } = null!;

    public IReadOnlyList<PendingRow> Rows { get; private set; } = [];

    public long Total { get; private set; }

    public bool CanEdit { get; private set; }

    public async Task OnGetAsync(CancellationToken ct)
    {
        CanEdit = (await authorizationService.AuthorizeAsync(User, Policies.CanEdit)).Succeeded;
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Lists = await Lookups.LoadPlacesAndThemesAsync(db, places, ct);
        Country = Rules.NormaliseCountry(Country);
        if (!Lists.IsCountry(Country))
        {
            Country = null;
        }
        if (!Vocabulary.Contains(Vocabulary.PersonCategories, Category))
        {
            Category = null;
        }
        PageNumber = Math.Max(PageNumber, 1);
        var args = new { country = Country, category = Category, limit = PageSize, offset = (PageNumber - 1) * PageSize };
        Total = await db.ExecuteScalarAsync<long>(new CommandDefinition(CountSql, args, cancellationToken: ct));
        Rows = (await db.QueryAsync<PendingRow>(new CommandDefinition(ListSql, args, cancellationToken: ct))).ToList();
    }

    /// <summary>The same filtered list as CSV, every row, for sending the notices by mail merge.</summary>
    public async Task<IActionResult> OnGetExportAsync(CancellationToken ct)
    {
        Country = Rules.NormaliseCountry(Country);
        Category = Vocabulary.Contains(Vocabulary.PersonCategories, Category) ? Category : null;
        Response.ContentType = "text/csv; charset=utf-8";
        Response.Headers.ContentDisposition = "attachment; filename=privacy-notices-to-send.csv";
        Response.Headers.CacheControl = "no-store";

        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var writer = new StreamWriter(Response.Body, CsvWriter.Utf8WithBom, bufferSize: 32 * 1024);
        var csv = new CsvWriter(writer);
        await csv.WriteRowAsync(["id", "full_name", "email", "category", "country_code", "organisation", "data_source", "lawful_basis", "created_at"]);
        var args = new { country = Country, category = Category, limit = (int?)null, offset = 0 };
        await foreach (var row in db.QueryUnbufferedAsync<PendingRow>(ListSql, args).WithCancellation(ct))
        {
            await csv.WriteRowAsync([row.Id, row.FullName, row.Email, row.Category, row.CountryCode, row.Organisation, row.DataSource, row.LawfulBasis, row.CreatedAt]);
        }
        await writer.FlushAsync(ct);
        return new EmptyResult();
    }

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (!(await authorizationService.AuthorizeAsync(User, Policies.CanEdit)).Succeeded)
        {
            return Forbid();
        }
        var back = $"/stakeholders/privacy-notices{Request.QueryString}";
        if (Ids.Count == 0)
        {
            Flash = "Select at least one person first.";
            return LocalRedirect(back);
        }
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var marked = (await db.QueryAsync<long>(new CommandDefinition(MarkSql, new { ids = Ids.Distinct().ToArray() }, tx, cancellationToken: ct))).Order().ToList();
        if (marked.Count > 0)
        {
            await db.RecordAsync(tx, Actor.From(User), "person.privacy_notice_sent", "person", null,
                new { ids = marked, sentOn = DateOnly.FromDateTime(DateTime.UtcNow) }, ct);
        }
        await tx.CommitAsync(ct);
        Flash = marked.Count == 1 ? "Privacy notice marked as sent today for 1 person." : $"Privacy notice marked as sent today for {marked.Count} people.";
        return LocalRedirect(back);
    }
}
