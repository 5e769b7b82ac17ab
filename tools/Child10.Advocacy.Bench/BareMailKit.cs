using System.Diagnostics;
using System.Text.Json;
using System.Threading.Channels;
using Child10.Advocacy.Web.Email;
using Child10.Advocacy.Web.Features.Briefings;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Child10.Advocacy.Bench;

/// <summary>
/// The baseline: the same briefing (Markdown body with placeholders, inside the briefing template and the layout) rendered with Scriban and sent with MailKit over as many persistent connections as the
/// app's pool, with no database at all. The fan-out is judged against it.
/// </summary>
internal static class BareMailKit
{
    // Converted once, as PreparedBriefing converts the model of its file template once per briefing.
    private static readonly TemplateModel Layout = TemplateModel.From(new { CampaignTitle = "Guardianship for unaccompanied children", SenderName = "Mariana Popescu" });

    public static async Task RunAsync(Options options, CancellationToken ct)
    {
        var count = options.Int("count", 10_000);
        var pool = options.Int("pool", 4);
        var host = options.Optional("smtp-host") ?? "127.0.0.1";
        var port = options.Int("smtp-port", 25);
        var (templates, settings) = Fanout.Templates(options);
        var from = settings.From;

        // Connections are opened and the template rendered once before the clock starts: the app's pool is warm too.
        var clients = new List<SmtpClient>();
        for (var i = 0; i < pool; i++)
        {
            var client = new SmtpClient { Timeout = 30_000 };
            await Child10.Advocacy.Web.Email.SmtpConnection.ConnectAsync(client, host, port, SecureSocketOptions.None, ct);
            clients.Add(client);
        }
        var subject = InlineTemplate.Parse(BenchBriefing.Subject, BriefingPlaceholders.Names, markdown: false, out _)!;
        var body = InlineTemplate.Parse(BenchBriefing.Body.ReplaceLineEndings("\n"), BriefingPlaceholders.Names, markdown: true, out _)!;
        // One render budget and one set of Scriban contexts per message, as PreparedBriefing.Render uses them.
        RenderedEmail Render(string name, string? unsubscribeUrl)
        {
            var values = BenchBriefing.Values(name, "Ministry of Labour and Social Protection", "Moldova");
            using var run = new EmailRender(ct);
            var inner = new RenderedEmail(subject.RenderText(values, run).Trim(), body.RenderHtml(values, run), body.RenderText(values, run));
            return templates.RenderWrapped(BriefingPlaceholders.FileTemplate, "en", Layout, inner, unsubscribeUrl, run);
        }
        _ = Render("Warm-up", null);

        var queue = Channel.CreateBounded<int>(1000);
        long bytes = 0;
        var cpuAtStart = ProcessCpu.Now(options);
        var watch = Stopwatch.StartNew();
        var producer = Task.Run(async () =>
        {
            for (var i = 0; i < count; i++)
            {
                await queue.Writer.WriteAsync(i, ct);
            }
            queue.Writer.Complete();
        }, ct);
        var lanes = clients.Select(client => Task.Run(async () =>
        {
            await foreach (var i in queue.Reader.ReadAllAsync(ct))
            {
                var name = $"Recipient {i}";
                var content = Render(name, $"https://advocacy.child10.example/unsubscribe/token{i}");
                var message = new MimeMessage { Subject = content.Subject, MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(from.Domain) };
                message.From.Add(new MailboxAddress(from.Name, from.Address)); // a copy: a shared address would keep every message reachable
                message.To.Add(new MailboxAddress(name, $"recipient{i}@bench.example"));
                message.Body = new BodyBuilder { TextBody = content.Text, HtmlBody = content.Html }.ToMessageBody();
                Interlocked.Add(ref bytes, content.Text.Length + content.Html.Length);
                await client.SendAsync(message, ct);
            }
        }, ct)).ToList();
        await producer;
        await Task.WhenAll(lanes);
        var seconds = watch.Elapsed.TotalSeconds;
        var cpuAtEnd = ProcessCpu.Now(options);
        foreach (var client in clients)
        {
            await client.DisconnectAsync(true, ct);
            client.Dispose();
        }
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            messages = count,
            total_s = Math.Round(seconds, 3),
            msgs_per_s = Math.Round(count / seconds, 1),
            avg_body_bytes = bytes / count,
            cpu_s = ProcessCpu.Between(cpuAtStart, cpuAtEnd, "loop"),
        }));
    }
}
