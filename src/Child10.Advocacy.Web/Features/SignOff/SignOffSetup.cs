using Child10.Advocacy.Web.Infrastructure.Hosting;
using Hangfire;

namespace Child10.Advocacy.Web.Features.SignOff;

public static class SignOffSetup
{
    public const string ChaseJobId = "chase-sign-offs";
    public const string CloseJobId = "close-sign-off-rounds";
    private const string EveryMinute = "* * * * *";

    /// <summary>Registers the SignOff feature's services and, where this instance runs jobs, its recurring jobs.</summary>
    public static void AddSignOff(this WebApplicationBuilder builder, HostingRole role)
    {
        builder.Services.AddSingleton<SignOffRounds>();
        builder.Services.AddSingleton<RoundSupersession>();
        builder.Services.AddTransient<ChaseSweep>();
        builder.Services.AddTransient<CloseSweep>();
        if (role.RunsJobs())
        {
            builder.Services.AddHostedService(services => new SignOffSchedule(services.GetRequiredService<IRecurringJobManager>()));
        }
    }

    private sealed class SignOffSchedule(IRecurringJobManager recurringJobs) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            var utc = new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc };
            recurringJobs.AddOrUpdate<ChaseSweep>(ChaseJobId, job => job.RunJobAsync(CancellationToken.None), EveryMinute, utc);
            recurringJobs.AddOrUpdate<CloseSweep>(CloseJobId, job => job.RunAsync(CancellationToken.None), EveryMinute, utc);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
