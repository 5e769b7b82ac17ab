using System.Security.Cryptography;
using System.Text;

namespace Child10.Advocacy.Web.Features.Statements;

/// <summary>The text of a statement version as it is hashed, compared and shown.</summary>
public static class StatementText
{
    /// <summary>
    /// SHA-256 of a version's title and body, line endings normalised to \n and trailing whitespace trimmed,
    /// so the hash names the words approved and not the editor they were typed in.
    /// </summary>
    public static byte[] ContentHash(string title, string body) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(Normalise(title) + "\n\n" + Normalise(body)));

    /// <summary>The hash as shown to people and in evidence files: lower-case hex.</summary>
    public static string Hex(byte[] hash) => Convert.ToHexStringLower(hash);

    public static string Normalise(string text) =>
        string.Join('\n', text.ReplaceLineEndings("\n").Split('\n').Select(line => line.TrimEnd())).Trim('\n');
}
