namespace Child10.Advocacy.Web.Infrastructure;

/// <summary>
/// A stored web address as a link target: only absolute http, https and mailto addresses become links, so text
/// that reached the database some other way than through a validated form never becomes a javascript: link.
/// </summary>
public static class SafeLink
{
    public static string? Href(string? url) =>
        Uri.TryCreate(url?.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" or "mailto" ? uri.AbsoluteUri : null;
}
