namespace Child10.Advocacy.Web.Features.Statements;

public static class StatementsSetup
{
    /// <summary>Registers the Statements feature's services (it has no recurring jobs).</summary>
    public static void AddStatements(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<StatementDocuments>();
    }
}
