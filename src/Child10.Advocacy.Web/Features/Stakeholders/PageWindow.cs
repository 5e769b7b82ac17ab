using System.Globalization;

namespace Child10.Advocacy.Web.Features.Stakeholders;

/// <summary>
/// The LIMIT and OFFSET of one page, written into the statement rather than passed as parameters. Known, they let
/// PostgreSQL's generic plan of the prepared statement cost what a custom plan costs, so after a few runs it stops
/// planning the statement anew for every request (about 1 ms a time on the people list, as long as its rows take to
/// read). Both are integers computed here, never text from a request.
/// </summary>
internal static class PageWindow
{
    public static string Sql(int pageSize, int page) =>
        string.Create(CultureInfo.InvariantCulture, $"limit {pageSize} offset {(long)(Math.Max(1, page) - 1) * pageSize}");
}
