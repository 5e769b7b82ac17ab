using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Child10.Advocacy.Tests.Email;

/// <summary>How the loopback server answers the DATA of the next messages.</summary>
public enum SmtpBehaviour
{
    Accept,
    TemporaryFailure,
    PermanentFailure,
    DropConnection,
}

/// <summary>A real SMTP server on loopback (the SmtpServer package) that records what it accepts and can be told to refuse.</summary>
public sealed class LoopbackSmtpServer : IAsyncDisposable
{
    private readonly CancellationTokenSource stop = new();
    private readonly SmtpServer.SmtpServer server;
    private readonly Task running;

    private LoopbackSmtpServer(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port)).IsSecure(false))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add(new Filter(this));
        server = new SmtpServer.SmtpServer(options, services);
        running = server.StartAsync(stop.Token);
    }

    public int Port { get; }

    public ConcurrentQueue<MimeMessage> Received { get; } = new();

    /// <summary>Recipient addresses answered with 550 at RCPT TO ("no such user").</summary>
    public ConcurrentDictionary<string, bool> UnknownRecipients { get; } = new(StringComparer.OrdinalIgnoreCase);

    public SmtpBehaviour Behaviour { get; set; } = SmtpBehaviour.Accept;

    public static LoopbackSmtpServer Start()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new LoopbackSmtpServer(port);
    }

    public IDictionary<string, string?> Settings() => new Dictionary<string, string?>
    {
        ["Email:Smtp:Host"] = "127.0.0.1",
        ["Email:Smtp:Port"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Email:Smtp:Security"] = "none",
    };

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }
        stop.Dispose();
    }

    private sealed class Store(LoopbackSmtpServer owner) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            switch (owner.Behaviour)
            {
                case SmtpBehaviour.TemporaryFailure:
                    return new SmtpResponse((SmtpReplyCode)451, "4.3.0 Try again later");
                case SmtpBehaviour.PermanentFailure:
                    return new SmtpResponse((SmtpReplyCode)554, "5.6.0 Message refused");
                case SmtpBehaviour.DropConnection:
                    ((IDisposable)context.Pipe).Dispose();
                    throw new IOException("connection dropped on purpose");
            }
            await using var stream = new MemoryStream(buffer.ToArray());
            owner.Received.Enqueue(await MimeMessage.LoadAsync(stream, cancellationToken));
            return SmtpResponse.Ok;
        }
    }

    private sealed class Filter(LoopbackSmtpServer owner) : IMailboxFilter
    {
        public Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken) => Task.FromResult(true);

        public Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken cancellationToken) =>
            Task.FromResult(!owner.UnknownRecipients.ContainsKey(to.AsAddress()));
    }
}
