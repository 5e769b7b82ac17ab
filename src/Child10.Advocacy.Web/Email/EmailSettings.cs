using Child10.Advocacy.Web.Infrastructure;
using MailKit.Security;
using MimeKit;

namespace Child10.Advocacy.Web.Email;

/// <summary>Everything under Email:* and Hosting:PublicBaseUrl, read and checked once at start-up.</summary>
public sealed record EmailSettings(
    string TemplatesPath,
    MailboxAddress From,
    Uri PublicBaseUrl,
    string? SmtpHost,
    int SmtpPort,
    SecureSocketOptions SmtpSecurity,
    string? SmtpUsername,
    string? SmtpPassword,
    int PoolSize,
    int MessagesPerSecond,
    int BatchSize,
    TimeSpan Lease,
    TimeSpan RetryBase,
    int MaxAttempts)
{
    public const string PublicBaseUrlKey = "Hosting:PublicBaseUrl";

    /// <summary>Without an SMTP host, messages are queued (and visible in the mail log) but not delivered.</summary>
    public bool DeliveryEnabled => SmtpHost is not null;

    public static EmailSettings Read(IConfiguration config, IHostEnvironment environment)
    {
        var host = string.IsNullOrWhiteSpace(config["Email:Smtp:Host"]) ? null : config["Email:Smtp:Host"]!.Trim();
        var baseUrl = ConfigurationReader.AbsoluteUri(config, PublicBaseUrlKey);
        if (baseUrl is null && host is not null && !environment.IsDevelopment())
        {
            throw new ConfigurationException(PublicBaseUrlKey, "is required when Email:Smtp:Host is set outside Development (unsubscribe links point there)");
        }

        var fromAddress = config["Email:FromAddress"] is { Length: > 0 } configured ? configured.Trim() : "advocacy@child10.example";
        if (!MailboxAddress.TryParse(fromAddress, out var parsed) || !fromAddress.Contains('@', StringComparison.Ordinal))
        {
            throw new ConfigurationException("Email:FromAddress", $"must be an email address, not '{fromAddress}'");
        }
        var from = new MailboxAddress(config["Email:FromName"] is { Length: > 0 } name ? name.Trim() : "Child10 Advocacy", parsed.Address);

        var security = (config["Email:Smtp:Security"] ?? "").Trim().ToLowerInvariant() switch
        {
            "" or "auto" => SecureSocketOptions.StartTlsWhenAvailable,
            "none" => SecureSocketOptions.None,
            "starttls" => SecureSocketOptions.StartTls,
            "ssl" => SecureSocketOptions.SslOnConnect,
            var other => throw new ConfigurationException("Email:Smtp:Security", $"must be auto, none, starttls or ssl, not '{other}'"),
        };

        return new EmailSettings(
            TemplatesPath: FindTemplates(config, environment),
            From: from,
            PublicBaseUrl: baseUrl ?? new Uri("http://localhost:5080"),
            SmtpHost: host,
            SmtpPort: ConfigurationReader.Number(config, "Email:Smtp:Port", security == SecureSocketOptions.SslOnConnect ? 465 : 25, 1, 65535),
            SmtpSecurity: security,
            SmtpUsername: string.IsNullOrWhiteSpace(config["Email:Smtp:Username"]) ? null : config["Email:Smtp:Username"],
            SmtpPassword: config["Email:Smtp:Password"],
            PoolSize: ConfigurationReader.Number(config, "Email:Smtp:PoolSize", 4, 1, 64),
            MessagesPerSecond: ConfigurationReader.Number(config, "Email:Smtp:MessagesPerSecond", 0, 0, 100_000),
            BatchSize: ConfigurationReader.Number(config, "Email:Delivery:BatchSize", 200, 1, 10_000),
            Lease: TimeSpan.FromSeconds(ConfigurationReader.Number(config, "Email:Delivery:LeaseSeconds", 300, 10, 86_400)),
            RetryBase: TimeSpan.FromSeconds(ConfigurationReader.Number(config, "Email:Delivery:RetryBaseSeconds", 30, 1, 86_400)),
            MaxAttempts: ConfigurationReader.Number(config, "Email:Delivery:MaxAttempts", 12, 1, 100));
    }

    /// <summary>Email:TemplatesPath, else email-templates beside the content root, the app, or in a folder above (the repository).</summary>
    private static string FindTemplates(IConfiguration config, IHostEnvironment environment)
    {
        if (config["Email:TemplatesPath"] is { Length: > 0 } configured)
        {
            var path = Path.GetFullPath(configured, environment.ContentRootPath);
            return Directory.Exists(path)
                ? path
                : throw new ConfigurationException("Email:TemplatesPath", $"names '{path}', which is not a folder");
        }
        string[] starts = [environment.ContentRootPath, AppContext.BaseDirectory];
        foreach (var start in starts)
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "email-templates");
                if (Directory.Exists(candidate) && Directory.EnumerateFiles(candidate, "*.sbn").Any())
                {
                    return candidate;
                }
            }
        }
        throw new ConfigurationException("Email:TemplatesPath", "is not set and no email-templates folder was found beside the app or above it");
    }
}
