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
        var builder = new TestClusterBuilder(2);
        builder.Options.UseTestClusterMembership = false;
        builder.Properties["ConnectionStrings:Upflow"] = _database.ConnectionString;
        builder.AddSiloBuilderConfigurator<PostgresSilo>();
        builder.AddClientBuilderConfigurator<PostgresClient>();
        _cluster = builder.Build();
        await _cluster.DeployAsync();
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
        await WaitUntil(async () => (await probe.Read()).Ticks >= 1, "the reminder to tick once");

        await _cluster.KillSiloAsync(_cluster.Silos.Single(silo => silo.SiloAddress.ToString() == host));

        var ticksAfterKill = 0;
        await WaitUntil(async () =>
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

    private static async Task WaitUntil(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try { if (await condition()) return; }
            catch (Exception exception) when (exception is not Xunit.Sdk.XunitException) { /* the grain moves while the cluster heals */ }
            await Task.Delay(250);
        }
        Assert.Fail($"Timed out waiting for {what}.");
    }

    private static async Task<T> WaitFor<T>(Func<Task<T>> read)
    {
        T result = default!;
        await WaitUntil(async () => { result = await read(); return true; }, "the grain to answer");
        return result;
    }
}

internal sealed class PostgresSilo : ISiloConfigurator
{
    public void Configure(ISiloBuilder silo)
    {
        silo.UseUpflowPostgres();
        silo.Services.AddUpflowGrainServices(silo.Configuration, services => services.GetRequiredService<IConfiguration>().RequiredConnectionString());
        silo.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        // Declare a killed silo dead within seconds rather than the production minute.
        silo.Configure<ClusterMembershipOptions>(options =>
        {
            options.ProbeTimeout = TimeSpan.FromSeconds(1);
            options.NumMissedProbesLimit = 2;
            options.NumVotesForDeathDeclaration = 1;
            options.TableRefreshTimeout = TimeSpan.FromSeconds(1);
        });
    }
}

internal sealed class PostgresClient : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder client) =>
        client.UseAdoNetClustering(options =>
            (options.Invariant, options.ConnectionString) = (UpflowCluster.Invariant, configuration.RequiredConnectionString()));
}
