using Child10.Advocacy.Web.Infrastructure.Hosting;
using Hangfire;

namespace Child10.Advocacy.Web.Features.Briefings;

public static class BriefingsSetup
{
    public const string JobId = "briefing-dispatch";

    /// <summary>Registers the Briefings feature's services and, where this instance runs jobs, its recurring jobs.</summary>
    public static void AddBriefings(this WebApplicationBuilder builder, HostingRole role)
    {
        builder.Services.AddSingleton<BriefingDispatch>();
        if (role.RunsJobs())
        {
            builder.Services.AddHostedService<DispatchSchedule>();
        }
    }

    /// <summary>Every minute, due and approved briefings queue their runs.</summary>
    private sealed class DispatchSchedule(IRecurringJobManager recurringJobs) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            recurringJobs.AddOrUpdate<BriefingDispatch>(JobId, dispatch => dispatch.RunDueAsync(CancellationToken.None), "* * * * *",
                new RecurringJobOptions { TimeZone = TimeZoneInfo.Utc });
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
