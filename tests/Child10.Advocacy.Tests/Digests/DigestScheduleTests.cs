using Child10.Advocacy.Tests.Infrastructure;
using Child10.Advocacy.Web.Features.Digests;
using Hangfire;
using Hangfire.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Child10.Advocacy.Tests.Digests;

[Collection(DatabaseGroup.Name)]
public sealed class DigestScheduleTests(TestDatabase database)
{
    [Fact]
    public async Task WorkerRole_RegistersTheDailyDigestJob_WithTheConfiguredCron()
    {
        await database.ResetAsync();
        await using var app = await TestApp.StartAsync(database, new Dictionary<string, string?>
        {
            ["Hosting:Role"] = "worker",
            [DigestSetup.CronKey] = "30 6 * * *",
        });

        using var connection = app.App.Services.GetRequiredService<JobStorage>().GetConnection();
        var job = Assert.Single(connection.GetRecurringJobs(), j => j.Id == DigestSetup.JobId);
        Assert.Equal("30 6 * * *", job.Cron);
        Assert.Equal("UTC", job.TimeZoneId);
    }

    [Fact]
    public async Task Startup_WithABrokenCron_StopsNamingTheKey()
    {
        var error = await Assert.ThrowsAnyAsync<Exception>(() => TestApp.StartAsync(database, new Dictionary<string, string?> { [DigestSetup.CronKey] = "daily" }));

        Assert.Contains(DigestSetup.CronKey, error.Message, StringComparison.Ordinal);
    }
}
