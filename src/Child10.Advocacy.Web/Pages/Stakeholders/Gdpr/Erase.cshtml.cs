using System.Text;
using Child10.Advocacy.Web.Features.Stakeholders;
using Child10.Advocacy.Web.Infrastructure;
using Child10.Advocacy.Web.Infrastructure.Auth;
using Dapper;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Npgsql;

namespace Child10.Advocacy.Web.Pages.Stakeholders.Gdpr;

/// <summary>
/// GDPR erasure: anonymises the person and every free-text mention of their name or email, keeps the interaction links
/// (so counts stay right) and a hashed suppression entry (so the address is never mailed or imported again). One transaction.
/// </summary>
[Authorize(Policy = Policies.AdminOnly)]
public sealed class EraseModel(NpgsqlDataSource dataSource) : PageModel
{
    public const string ErasedName = "Erased person";
    public const string Redacted = "[erased]";

    private const string PersonSql = """
        select p.id, p.full_name, p.email, o.name as organisation, p.erased_at,
               (select count(*) from interaction_person ip where ip.person_id = p.id) as interactions
        from person p
        left join organisation o on o.id = p.organisation_id
        where p.id = @id
        """;

    private const string MentionsSql = """
        select
            (select count(*) from interaction where subject ~* @pattern or notes ~* @pattern or outcome ~* @pattern) as interactions,
            (select count(*) from organisation where notes ~* @pattern) as organisations,
            (select count(*) from audit_event where data::text ~* @pattern) as audit_events
        """;

    private const string LockSql = "select id, full_name, email, erased_at from person where id = @id for update";

    // Free text first, while the name and email are still known; audit_event may be changed only by an erasure, which says so.
    private const string EraseSql = """
        set local child10.audit_redaction = 'on';

        update interaction
        set subject    = regexp_replace(subject, @pattern, @redacted, 'gi'),
            notes      = regexp_replace(notes, @pattern, @redacted, 'gi'),
            outcome    = regexp_replace(outcome, @pattern, @redacted, 'gi'),
            updated_at = now()
        where subject ~* @pattern or notes ~* @pattern or outcome ~* @pattern;

        update organisation
        set notes = regexp_replace(notes, @pattern, @redacted, 'gi'), updated_at = now()
        where notes ~* @pattern;

        update audit_event
        set data = cast(regexp_replace(data::text, @pattern, @redacted, 'gi') as jsonb)
        where data::text ~* @pattern;

        update import_batch
        set content = regexp_replace(content, @pattern, @redacted, 'gi')
        where content ~* @pattern;

        -- Mail to or about them: what was sent keeps its status and dates, not its content; what waits is cancelled.
        update outbox_message
        set recipient_address = @redacted, recipient_name = null, subject = @redacted, html_body = '', text_body = '',
            headers = '{}'::jsonb,
            status = case when status = 'pending' then 'cancelled' else status end,
            last_error = case when status = 'pending' then 'recipient erased' else last_error end
        where person_id = @id or recipient_hash = @hash;

        delete from person_theme where person_id = @id;

        update person
        set full_name = @erasedName, position = null, email = null, phone = null, data_source = null,
            do_not_contact = true, erased_at = now(), updated_at = now()
        where id = @id;
        """;

    // An unsubscribed address becomes an erased one: the import refuses erased addresses.
    private const string SuppressSql = """
        insert into suppression (email_hash, reason) values (@hash, 'erased')
        on conflict (email_hash) do update set reason = 'erased'
        """;

    public sealed record PersonRow(long Id, string FullName, string? Email, string? Organisation, DateTime? ErasedAt, long Interactions);

    public sealed record Mentions(long Interactions, long Organisations, long AuditEvents);

    private sealed record Locked(long Id, string FullName, string? Email, DateTime? ErasedAt);

    public sealed record InputModel(string? ConfirmName);

    [BindProperty]
    public InputModel Input { get; set; } = new(null);

    public PersonRow Person { get; private set; } = null!;

    public Mentions? FreeText { get; private set; }

    public async Task<IActionResult> OnGetAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        return await LoadAsync(db, id, ct) ? Page() : NotFound();
    }

    public async Task<IActionResult> OnPostAsync(long id, CancellationToken ct)
    {
        await using var db = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await db.BeginTransactionAsync(ct);
        var person = await db.QuerySingleOrDefaultAsync<Locked>(new CommandDefinition(LockSql, new { id }, tx, cancellationToken: ct));
        if (person is null)
        {
            return NotFound();
        }
        if (person.ErasedAt is not null)
        {
            await tx.RollbackAsync(ct);
            ModelState.AddModelError("", "This person has already been erased; there is nothing left to erase.");
            await LoadAsync(db, id, ct);
            return Page();
        }
        if (!SameName(Input.ConfirmName, person.FullName))
        {
            await tx.RollbackAsync(ct);
            ModelState.AddModelError("Input.ConfirmName", $"Type the name exactly as shown ({person.FullName}) to confirm the erasure.");
            await LoadAsync(db, id, ct);
            return Page();
        }

        await db.ExecuteAsync(new CommandDefinition(EraseSql,
            new
            {
                id,
                pattern = MentionPattern(person.FullName, person.Email),
                redacted = Redacted,
                erasedName = ErasedName,
                hash = person.Email is null ? null : Rules.EmailHash(person.Email),
            },
            tx,
            cancellationToken: ct));
        if (person.Email is not null)
        {
            await db.ExecuteAsync(new CommandDefinition(SuppressSql, new { hash = Rules.EmailHash(person.Email) }, tx, cancellationToken: ct));
        }
        await db.RecordAsync(tx, Actor.From(User), "person.erase", "person", id, new { personId = id }, ct);
        await tx.CommitAsync(ct);
        return LocalRedirect($"/stakeholders/people/{id}/erased");
    }

    /// <summary>A PostgreSQL regular expression matching the name (as a whole word) or the email, for case-insensitive replacement.</summary>
    public static string MentionPattern(string fullName, string? email)
    {
        var name = Escape(fullName.Trim());
        if (char.IsLetterOrDigit(fullName.Trim()[0]))
        {
            name = @"\m" + name;
        }
        if (char.IsLetterOrDigit(fullName.Trim()[^1]))
        {
            name += @"\M";
        }
        return string.IsNullOrWhiteSpace(email) ? name : $"({name}|{Escape(email.Trim())})";
    }

    private static string Escape(string literal)
    {
        var builder = new StringBuilder(literal.Length * 2);
        foreach (var c in literal)
        {
            if (!char.IsLetterOrDigit(c) && c != ' ')
            {
                builder.Append('\\');
            }
            builder.Append(c);
        }
        return builder.ToString();
    }

    private static bool SameName(string? typed, string name) =>
        typed is not null && string.Equals(
            string.Join(' ', typed.Split(' ', StringSplitOptions.RemoveEmptyEntries)),
            string.Join(' ', name.Split(' ', StringSplitOptions.RemoveEmptyEntries)),
            StringComparison.OrdinalIgnoreCase);

    private async Task<bool> LoadAsync(NpgsqlConnection db, long id, CancellationToken ct)
    {
        var person = await db.QuerySingleOrDefaultAsync<PersonRow>(new CommandDefinition(PersonSql, new { id }, cancellationToken: ct));
        if (person is null)
        {
            return false;
        }
        Person = person;
        if (person.ErasedAt is null)
        {
            FreeText = await db.QuerySingleAsync<Mentions>(new CommandDefinition(MentionsSql,
                new { pattern = MentionPattern(person.FullName, person.Email) }, cancellationToken: ct));
        }
        return true;
    }
}
