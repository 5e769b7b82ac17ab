using System.Net.Mail;
using System.Security.Cryptography;
using System.Text;

namespace Child10.Advocacy.Web.Features.Stakeholders;

/// <summary>Field rules shared by the forms and the CSV import, so both accept and refuse the same values.</summary>
public static class Rules
{
    public const int MaxNameLength = 200;
    public const int MaxTextLength = 4000;

    /// <summary>Trimmed, lower-case address, or null when blank. Matches person.email_normalised.</summary>
    public static string? NormaliseEmail(string? email) =>
        string.IsNullOrWhiteSpace(email) ? null : email.Trim().ToLowerInvariant();

    /// <summary>Null when the address is acceptable, else why not.</summary>
    public static string? EmailProblem(string? email)
    {
        if (string.IsNullOrWhiteSpace(email))
        {
            return null;
        }
        var trimmed = email.Trim();
        if (trimmed.Length > 254)
        {
            return "is longer than 254 characters";
        }
        if (!MailAddress.TryCreate(trimmed, out var parsed) || parsed.Address != trimmed || !trimmed.Contains('@', StringComparison.Ordinal)
            || trimmed.Split('@')[1] is not { } domain || !domain.Contains('.', StringComparison.Ordinal) || domain.EndsWith('.'))
        {
            return $"'{trimmed}' is not a valid email address";
        }
        return null;
    }

    /// <summary>ISO 3166-1 alpha-2 in upper case, or null when blank. Whether it exists is checked against the country table.</summary>
    public static string? NormaliseCountry(string? code) =>
        string.IsNullOrWhiteSpace(code) ? null : code.Trim().ToUpperInvariant();

    public static bool IsLanguageCode(string? code) =>
        code is { Length: 2 } && code.All(c => c is >= 'a' and <= 'z');

    /// <summary>SHA-256 of the normalised address: how suppressed addresses are stored.</summary>
    public static byte[] EmailHash(string email) =>
        SHA256.HashData(Encoding.UTF8.GetBytes(NormaliseEmail(email) ?? ""));
}
