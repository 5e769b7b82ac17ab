using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.Gdpr;

/// <summary>The confirmation shown after an erasure.</summary>
[Authorize(Policy = Policies.AdminOnly)]
public sealed class ErasedModel(NpgsqlDataSource dataSource) : PageModel
{
    private const string Sql = "select erased_at from person where id = @id";

    public long Id { get; private set; }

    public DateTime? ErasedAt { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        var erasedAt = await db.QuerySingleOrDefaultAsync<DateTime?>(new CommandDefinition(Sql, new { id }, cancellationToken: ct));
        if (erasedAt is null)
        {
            return NotFound();
        }
        Id = id;
        ErasedAt = erasedAt;
        return Page();
    }
}
