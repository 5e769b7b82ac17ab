namespace Child10.Advocacy.Web.Infrastructure.Hosting;

/// <summary>What this instance does: serve pages, run background jobs, or both.</summary>
public enum HostingRole
{
    All,
    Web,
    Worker,
}

public static class HostingRoles
{
    public const string Key = "Hosting:Role";

    public static HostingRole Read(IConfiguration config)
    {
        var value = config[Key];
        return value?.Trim().ToLowerInvariant() switch
        {
            null or "" or "all" => HostingRole.All,
            "web" => HostingRole.Web,
            "worker" => HostingRole.Worker,
            _ => throw new ConfigurationException(Key, $"must be all, web or worker, not '{value}'"),
        };
    }

    public static bool ServesPages(this HostingRole role) => role != HostingRole.Worker;

    public static bool RunsJobs(this HostingRole role) => role != HostingRole.Web;
}
