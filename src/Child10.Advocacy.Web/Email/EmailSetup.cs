using Child10.Advocacy.Web.Infrastructure.Hosting;
using Hangfire;
using Npgsql;

namespace Child10.Advocacy.Web.Email;

/// <summary>Composition of the email engine: templates parsed now (a broken one stops start-up), outbox, delivery.</summary>
public static class EmailSetup
{
    public const string DeliveryJobId = "deliver-outbox";

    public static void AddEmail(this WebApplicationBuilder builder, HostingRole role)
    {
        var settings = EmailSettings.Read(builder.Configuration, builder.Environment);
        builder.Services.AddSingleton(settings);
        builder.Services.AddSingleton(EmailTemplates.Load(settings.TemplatesPath));
        builder.Services.AddSingleton<Outbox>();
        builder.Services.AddSingleton<OutboxDelivery>();
        builder.Services.AddTransient<DeliverOutboxJob>();
        if (role.RunsJobs() && settings.DeliveryEnabled)
        {
            builder.Services.AddHostedService<OutboxTrigger>();
        }
    }
}

/// <summary>The recurring sweep (every minute) that delivers whatever is due, including retries.</summary>
public sealed class DeliverOutboxJob(OutboxDelivery delivery)
{
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(CancellationToken ct) => delivery.RunAsync(ct);
}

/// <summary>
/// On instances that run jobs: registers the recurring sweep, and delivers at once when a transaction that queued
/// mail commits (Outbox sends NOTIFY in that transaction, which PostgreSQL delivers only on commit).
/// </summary>
public sealed class OutboxTrigger(NpgsqlDataSource dataSource, OutboxDelivery delivery, IRecurringJobManager recurringJobs, ILogger<OutboxTrigger> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        recurringJobs.AddOrUpdate<DeliverOutboxJob>(EmailSetup.DeliveryJobId, job => job.RunAsync(CancellationToken.None), "* * * * *");
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var db = await dataSource.OpenConnectionAsync(stoppingToken);
                db.Notification += (_, _) => Kick(stoppingToken);
                await using (var listen = new NpgsqlCommand($"listen {Outbox.Channel}", db))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }
                Kick(stoppingToken);
                while (!stoppingToken.IsCancellationRequested)
                {
                    await db.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or IOException or InvalidOperationException)
            {
                logger.LogWarning(ex, "Outbox listener lost its database connection; retrying in 5 seconds");
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
    }

    private void Kick(CancellationToken stoppingToken) =>
        _ = Task.Run(async () =>
        {
            try
            {
                await delivery.RunAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogError(ex, "Outbox delivery failed; the recurring job will try again");
            }
        }, stoppingToken);
}
