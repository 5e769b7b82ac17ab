using Child10.Advocacy.Web.Infrastructure.Hosting;

namespace Child10.Advocacy.Web.Features.Statements;

public static class StatementsSetup
{
    /// <summary>Registers the Statements feature's services and, where this instance runs jobs, its recurring jobs.</summary>
    public static void AddStatements(this WebApplicationBuilder builder, HostingRole role)
    {
        builder.Services.AddSingleton<StatementDocuments>();
        _ = role;
    }
}
