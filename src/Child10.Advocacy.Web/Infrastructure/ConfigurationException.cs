namespace Child10.Advocacy.Web.Infrastructure;

/// <summary>Missing or invalid configuration: start-up stops with this one-line message.</summary>
public sealed class ConfigurationException(string key, string problem)
    : Exception($"Configuration key '{key}' {problem}.")
{
    public string Key { get; } = key;
}

public static class ConfigurationReader
{
    public static string Required(IConfiguration config, string key)
    {
        var value = config[key];
        return string.IsNullOrWhiteSpace(value)
            ? throw new ConfigurationException(key, "is required but not set")
            : value;
    }

    public static bool Flag(IConfiguration config, string key, bool fallback)
    {
        var value = config[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }
        return bool.TryParse(value, out var parsed)
            ? parsed
            : throw new ConfigurationException(key, $"must be true or false, not '{value}'");
    }

    public static int Number(IConfiguration config, string key, int fallback, int min, int max)
    {
        var value = config[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return fallback;
        }
        return int.TryParse(value, out var parsed) && parsed >= min && parsed <= max
            ? parsed
            : throw new ConfigurationException(key, $"must be a whole number from {min} to {max}, not '{value}'");
    }

    public static Uri? AbsoluteUri(IConfiguration config, string key)
    {
        var value = config[key];
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        return Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ConfigurationException(key, $"must be an absolute http(s) URL, not '{value}'");
    }
}
