using System.Data;
using System.Text.Json;
using Child10.Advocacy.Web.Features.Stakeholders.Import;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.Import;

/// <summary>The dry run of one uploaded file, and its commit: all rows in one transaction, or none when any row has a problem.</summary>
[Authorize(Policy = Policies.AdminOnly)]
public sealed class PreviewModel(NpgsqlDataSource dataSource) : PageModel
{
    /// <summary>How many problems and planned rows the page lists; the counts always cover the whole file.</summary>
    public const int ListLimit = ImportPlan.ListedRows;

    private const string BatchSql = """
        select b.id, b.kind, b.file_name, s.display_name as uploaded_by, b.uploaded_at, b.status, b.committed_at,
               b.summary::text as summary
        from import_batch b
        left join staff_user s on s.id = b.uploaded_by
        where b.id = @id
        """;

    // The stored file as UTF-8 bytes: half the size of a .NET string of it.
    private const string ContentSql = "select content from import_batch where id = @id";

    private const string LockSql = "select status from import_batch where id = @id for update";

    private const string MarkCommittedSql = """
        update import_batch
        set status = 'committed', committed_at = now(), summary = cast(@summary as jsonb)
        where id = @id
        """;

    public sealed record Batch(long Id, string Kind, string FileName, string? UploadedBy, DateTime UploadedAt, string Status, DateTime? CommittedAt, string? Summary);

    public Batch Upload { get; private set; } = null!;

    public ImportPlan? Plan { get; private set; }

    public ImportCounts? Committed { get; private set; }

    public string? Refusal { get; private set; }

    [TempData]
    public string? Flash { get; set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        if (!await LoadAsync(db, id, ct))
        {
            return NotFound();
        }
        if (Committed is null)
        {
            Plan = await ImportPlan.MakeAsync(db, null, Upload.Kind, await ContentAsync(db, null, id, ct), ct);
        }
        return Page();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var status = await db.QuerySingleOrDefaultAsync<string>(new CommandDefinition(LockSql, new { id }, tx, cancellationToken: ct));
        if (status is null)
        {
            return NotFound();
        }
        if (status == "committed")
        {
            await tx.RollbackAsync(ct);
            await LoadAsync(db, id, ct);
            Refusal = "This file has already been imported; a file is imported once only. Upload it again to import it anew.";
            return Page();
        }

        await LoadAsync(db, id, ct, tx);
        // Checked again inside this transaction and written as it is checked; a problem leaves nothing to commit.
        var plan = await ImportPlan.CommitAsync(dataSource, db, tx, Upload.Kind, await ContentAsync(db, tx, id, ct), ct);
        if (!plan.CanCommit)
        {
            await tx.RollbackAsync(ct);
            Plan = plan;
            Refusal = "Nothing was imported: the file still has problems. Fix them in the file and upload it again.";
            return Page();
        }

        var counts = plan.Counts;
        await db.ExecuteAsync(new CommandDefinition(MarkCommittedSql, new { id, summary = JsonSerializer.Serialize(counts) }, tx, cancellationToken: ct));
        await db.RecordAsync(tx, Actor.From(User), "import.commit", "import_batch", id,
            new { batchId = id, kind = plan.Kind, counts.Rows, counts.Created, counts.Updated, counts.Skipped }, ct);
        await tx.CommitAsync(ct);
        Flash = $"Imported {Upload.FileName}: {counts.Created} created, {counts.Updated} updated, {counts.Skipped} skipped.";
        return LocalRedirect($"/stakeholders/import/{id}");
    }

    private static async Task<byte[]> ContentAsync(NpgsqlConnection db, NpgsqlTransaction? tx, long id, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(ContentSql, db, tx);
        command.Parameters.AddWithValue("id", id);
        await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SequentialAccess, ct);
        return await reader.ReadAsync(ct) ? await reader.GetFieldValueAsync<byte[]>(0, ct) : [];
    }

    private async Task<bool> LoadAsync(NpgsqlConnection db, long id, CancellationToken ct, NpgsqlTransaction? tx = null)
    {
        var batch = await db.QuerySingleOrDefaultAsync<Batch>(new CommandDefinition(BatchSql, new { id }, tx, cancellationToken: ct));
        if (batch is null)
        {
            return false;
        }
        Upload = batch;
        Committed = batch.Summary is null ? null : JsonSerializer.Deserialize<ImportCounts>(batch.Summary);
        return true;
    }
}
