using Child10.Advocacy.Web.Infrastructure;
using Npgsql;

namespace Child10.Advocacy.Web.Features.SignOff;

/// <summary>
/// A new version of a statement supersedes its open sign-off round: called by the statements feature in the
/// transaction that writes the version. Returns the id of the new round opened on the new version, or null
/// when no round was open.
/// </summary>
public sealed class RoundSupersession(SignOffRounds rounds)
{
    public Task<long?> SupersedeOpenRoundAsync(NpgsqlConnection db, NpgsqlTransaction tx, long statementId, long newVersionId, Actor actor, CancellationToken ct) =>
        rounds.SupersedeAsync(db, tx, statementId, newVersionId, actor, ct);
}
