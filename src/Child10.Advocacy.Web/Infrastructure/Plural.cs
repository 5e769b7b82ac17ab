using System.Globalization;

namespace Child10.Advocacy.Web.Infrastructure;

public static class Plural
{
    /// <summary>"1 organisation", "1,204 organisations", "3 people": the count with thousands separators and the noun it takes.</summary>
    public static string Of(long n, string one, string? many = null) =>
        n.ToString("N0", CultureInfo.InvariantCulture) + " " + (n == 1 ? one : many ?? one + "s");
}
