using Child10.Advocacy.Web.Features.Stakeholders.Import;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;
using NpgsqlTypes;

namespace Child10.Advocacy.Web.Pages.Stakeholders.Import;

/// <summary>Upload a CSV of people or organisations; the file is stored and shown as a dry run before anything is written.</summary>
[Authorize(Policy = Policies.AdminOnly)]
// Files up to 64 MB reach the handler so that anything over the 20 MB limit gets a message instead of a bare 413.
[RequestSizeLimit(64 * 1024 * 1024)]
[RequestFormLimits(MultipartBodyLengthLimit = 64 * 1024 * 1024)]
public sealed class IndexModel(NpgsqlDataSource dataSource) : PageModel
{
    public const long MaxFileBytes = 20 * 1024 * 1024;

    private const string InsertSql = """
        insert into import_batch (kind, file_name, content, uploaded_by)
        values (@kind, @fileName, @content, @uploadedBy)
        returning id
        """;

    private const string RecentSql = """
        select b.id, b.kind, b.file_name, s.display_name as uploaded_by, b.uploaded_at, b.status, b.committed_at
        from import_batch b
        left join staff_user s on s.id = b.uploaded_by
        order by b.uploaded_at desc, b.id desc
        limit 20
        """;

    public sealed record BatchRow(long Id, string Kind, string FileName, string? UploadedBy, DateTime UploadedAt, string Status, DateTime? CommittedAt);

    [BindProperty]
    public string Kind { get; set; } = "detect";

    [BindProperty]
    public IFormFile? Upload { get; set; }

    public IReadOnlyList<BatchRow> Recent { get; private set; } = [];

    public async Task OnGetAsync(CancellationToken ct) => await LoadAsync(ct);

    public IActionResult OnGetTemplate(string kind) =>
        kind is ImportColumns.People or ImportColumns.Organisations
            ? File(ImportColumns.Template(kind), "text/csv; charset=utf-8", $"child10-{kind}-template.csv")
            : NotFound();

    public async Task<IActionResult> OnPostAsync(CancellationToken ct)
    {
        if (Kind is not ("detect" or ImportColumns.People or ImportColumns.Organisations))
        {
            ModelState.AddModelError(nameof(Kind), "Choose people, organisations, or detect from the headers.");
        }
        ReadOnlyMemory<byte> content = default;
        var readable = false;
        if (Upload is null || Upload.Length == 0)
        {
            ModelState.AddModelError(nameof(Upload), "Choose a CSV file to upload.");
        }
        else if (Upload.Length > MaxFileBytes)
        {
            ModelState.AddModelError(nameof(Upload), $"The file is {Upload.Length / (1024.0 * 1024):0.#} MB; the limit is 20 MB. Split it into several files.");
        }
        else
        {
            // The file is kept as it came (UTF-8), never as one .NET string: checked here, parsed record by record later.
            var bytes = new byte[Upload.Length];
            await using (var stream = Upload.OpenReadStream())
            {
                await stream.ReadExactlyAsync(bytes, ct);
            }
            try
            {
                var text = CsvReader.Validate(bytes);
                content = bytes.AsMemory(bytes.Length - text.Length);
                readable = true;
            }
            catch (CsvFormatException ex)
            {
                ModelState.AddModelError(nameof(Upload), ex.Message);
            }
        }

        var kind = Kind;
        if (readable && kind == "detect")
        {
            string[] header;
            try
            {
                header = CsvReader.Parse(CsvReader.FirstLine(content.Span)).Header;
            }
            catch (CsvFormatException)
            {
                header = []; // the preview names the line; detection only needs a readable header
            }
            kind = ImportColumns.Detect(header) ?? "";
            if (kind.Length == 0)
            {
                ModelState.AddModelError(nameof(Kind), "The header has neither full_name (people) nor name and kind (organisations): choose the kind of file, or fix the header.");
            }
        }
        if (!ModelState.IsValid || !readable)
        {
            await LoadAsync(ct);
            return Page();
        }

        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var actor = Actor.From(User);
        var fileName = Path.GetFileName(Upload!.FileName);
        long id;
        await using (var insert = new NpgsqlCommand(InsertSql, db, tx))
        {
            insert.Parameters.AddWithValue("kind", kind);
            insert.Parameters.AddWithValue("fileName", fileName);
            // The UTF-8 bytes go to the text column as they are; PostgreSQL checks the encoding again.
            insert.Parameters.Add(new NpgsqlParameter("content", NpgsqlDbType.Text) { Value = content });
            insert.Parameters.Add(new NpgsqlParameter("uploadedBy", NpgsqlDbType.Bigint) { Value = (object?)actor.StaffId ?? DBNull.Value });
            id = (long)(await insert.ExecuteScalarAsync(ct))!;
        }
        await db.RecordAsync(tx, actor, "import.upload", "import_batch", id, new { kind, fileName, bytes = Upload.Length }, ct);
        await tx.CommitAsync(ct);
        return LocalRedirect($"/stakeholders/import/{id}");
    }

    private async Task LoadAsync(CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        Recent = (await db.QueryAsync<BatchRow>(new CommandDefinition(RecentSql, cancellationToken: ct))).ToList();
    }
}
