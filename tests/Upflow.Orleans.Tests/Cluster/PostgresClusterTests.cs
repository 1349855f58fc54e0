using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Silo;
using Upflow.Orleans.Tests.Infrastructure;

namespace Upflow.Orleans.Tests.Cluster;

/// <summary>Two silos on the ADO.NET providers and PostgreSQL: what one silo held survives its death.</summary>
public sealed class PostgresClusterTests : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _cluster = await PostgresTestCluster.StartAsync(_database.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _database.DisposeAsync();
    }

    [Fact]
    public async Task Both_silos_join_one_cluster_through_the_PostgreSQL_membership_table()
    {
        Assert.Equal(2L, await _database.CountAsync("orleans_membership WHERE status = 3"));
    }

    [Fact]
    public async Task Persisted_state_and_a_reminder_survive_killing_the_silo_that_hosted_them()
    {
        var probe = _cluster.Client.GetGrain<IReminderProbeGrain>("survivor");
        var host = await probe.Arm("armed before the crash");
        await Eventually.Until(async () => (await probe.Read()).Ticks >= 1, "the reminder to tick once");

        await _cluster.KillSiloAsync(_cluster.Silos.Single(silo => silo.SiloAddress.ToString() == host));

        var ticksAfterKill = 0;
        await Eventually.Until(async () =>
        {
            var reading = await probe.Read();
            ticksAfterKill = reading.Ticks;
            return reading.Silo != host && reading.Ticks >= 3;
        }, "the reminder to tick again on the surviving silo");
        var after = await probe.Read();
        Assert.Equal("armed before the crash", after.Note);
        Assert.NotEqual(host, after.Silo);
        Assert.True(ticksAfterKill >= 3);
    }

    [Fact]
    public async Task A_reminder_no_silo_saw_written_fires_within_the_reminder_refresh_period()
    {
        // What a silo dying while a reminder is registered can leave: a row in the reminder table that
        // no live silo scheduled (its owner was the dead one, or the write landed after the new owner
        // read the table). An unfinished export waits on exactly such a row. Written once each silo's
        // start-up read and its first refresh (staggered over the 30 s after that read) are behind
        // it: only the periodic refresh can find it then.
        await Task.Delay(TimeSpan.FromSeconds(36));
        var probe = _cluster.Client.GetGrain<IReminderProbeGrain>("written-behind-the-silos");
        var table = ((InProcessSiloHandle)_cluster.Silos[0]).SiloHost.Services.GetRequiredService<IReminderTable>();
        await table.UpsertRow(new ReminderEntry
        {
            GrainId = probe.GetGrainId(), ReminderName = "tick", StartAt = DateTime.UtcNow, Period = TimeSpan.FromSeconds(1),
        });

        await Eventually.Until(async () => (await probe.Read()).Ticks >= 1, "the reminder to fire",
            UpflowCluster.ReminderRefreshPeriod + TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task An_organization_survives_killing_the_silo_that_created_it()
    {
        var id = OrganizationId.New();
        var created = await _cluster.Client.GetGrain<IOrganizationGrain>(id).Create("Acme", "Europe/Paris");
        foreach (var silo in _cluster.Silos.ToList().Skip(1)) await _cluster.KillSiloAsync(silo);
        await _cluster.StartAdditionalSiloAsync();
        await _cluster.KillSiloAsync(_cluster.Silos[0]);

        var profile = await WaitFor(() => _cluster.Client.GetGrain<IOrganizationGrain>(id).Get());

        Assert.Equal(created.Profile, profile);
    }

    private static async Task<T> WaitFor<T>(Func<Task<T>> read)
    {
        T result = default!;
        await Eventually.Until(async () => { result = await read(); return true; }, "the grain to answer");
        return result;
    }
}
