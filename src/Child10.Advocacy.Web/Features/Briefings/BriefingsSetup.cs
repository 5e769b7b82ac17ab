using Child10.Advocacy.Web.Infrastructure.Hosting;

namespace Child10.Advocacy.Web.Features.Briefings;

public static class BriefingsSetup
{
    /// <summary>Registers the Briefings feature's services and, where this instance runs jobs, its recurring jobs.</summary>
    public static void AddBriefings(this WebApplicationBuilder builder, HostingRole role)
    {
        _ = (builder, role);
    }
}
