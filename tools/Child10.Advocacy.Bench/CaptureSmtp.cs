using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Child10.Advocacy.Bench;

/// <summary>
/// A capturing SMTP server on loopback that counts every Message-ID it accepts (the outbox stores each message's
/// Message-ID, so a capture maps back to its outbox id). Can be stopped and started again on the same port.
/// </summary>
internal sealed class CaptureSmtp(int port) : IAsyncDisposable
{
    private CancellationTokenSource? stop;
    private Task? running;

    public int Port { get; } = port;

    public ConcurrentDictionary<string, int> Captured { get; } = new(StringComparer.Ordinal);

    public void Start()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)).IsSecure(false))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        stop = new CancellationTokenSource();
        running = new SmtpServer.SmtpServer(options, services).StartAsync(stop.Token);
    }

    /// <summary>Stops listening and drops the open sessions: to the app, the server is down.</summary>
    public async Task StopAsync()
    {
        if (stop is null || running is null)
        {
            return;
        }
        await stop.CancelAsync();
        try
        {
            await running;
        }
        catch (OperationCanceledException)
        {
        }
        stop.Dispose();
        stop = null;
        running = null;
    }

    public ValueTask DisposeAsync() => new(StopAsync());

    private sealed class Store(CaptureSmtp owner) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            // The message is in memory: parsing it is not cancelled when the server is being stopped, which would turn
            // a message already received into a failed transaction (a permanent refusal for the sender).
            using var stream = new MemoryStream(buffer.ToArray());
            var headers = HeaderList.Load(stream, CancellationToken.None);
            var id = (headers[HeaderId.MessageId] ?? "").Trim().Trim('<', '>');
            owner.Captured.AddOrUpdate(id, 1, (_, n) => n + 1);
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
