using System.Net.Sockets;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Child10.Advocacy.Web.Email;

/// <summary>Opens SMTP connections for sending many messages down one connection.</summary>
public static class SmtpConnection
{
    /// <summary>
    /// Connects over a socket with Nagle's algorithm off. SMTP is write-then-wait-for-reply: with Nagle on, the
    /// short end-of-data line waits for the server's delayed ACK of the body (about 40 ms on Linux), which caps one
    /// connection at roughly 25 messages a second however fast the server is.
    /// </summary>
    public static async Task ConnectAsync(SmtpClient client, string host, int port, SecureSocketOptions security, CancellationToken ct)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(host, port, ct);
            await client.ConnectAsync(socket, host, port, security, ct);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
