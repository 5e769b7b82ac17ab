using Child10.Advocacy.Web.Infrastructure.Hosting;

namespace Child10.Advocacy.Web.Features.SignOff;

public static class SignOffSetup
{
    /// <summary>Registers the SignOff feature's services and, where this instance runs jobs, its recurring jobs.</summary>
    public static void AddSignOff(this WebApplicationBuilder builder, HostingRole role)
    {
        builder.Services.AddSingleton<RoundSupersession>();
        _ = role;
    }
}
