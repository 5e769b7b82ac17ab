using Child10.Advocacy.Tests.Infrastructure;

namespace Child10.Advocacy.Tests.Email;

/// <summary>The app delivering to a loopback SMTP server that records what it receives.</summary>
public abstract class MailAppTest(TestDatabase database) : IAsyncLifetime
{
    protected TestDatabase Database { get; } = database;

    protected LoopbackSmtpServer Smtp { get; private set; } = null!;

    protected TestApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.ResetAsync();
        Smtp = LoopbackSmtpServer.Start();
        App = await TestApp.StartAsync(Database, Smtp.Settings());
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}
