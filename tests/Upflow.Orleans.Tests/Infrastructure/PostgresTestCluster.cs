using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using Upflow.Orleans.Silo;

namespace Upflow.Orleans.Tests.Infrastructure;

/// <summary>A TestingHost cluster on our PostgreSQL providers and grain services, as production wires them.</summary>
public static class PostgresTestCluster
{
    public static async Task<TestCluster> StartAsync(
        string connectionString, IReadOnlyDictionary<string, string>? settings = null, params Type[] configurators)
    {
        var builder = new TestClusterBuilder(2);
        builder.Options.UseTestClusterMembership = false;
        builder.Properties["ConnectionStrings:Upflow"] = connectionString;
        builder.Properties["Upflow:EncryptionKey"] = UpflowApp.NewEncryptionKey();
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) builder.Properties[key] = value;
        builder.AddSiloBuilderConfigurator<PostgresSilo>();
        builder.AddClientBuilderConfigurator<PostgresClient>();
        foreach (var configurator in configurators)
        {
            if (typeof(ISiloConfigurator).IsAssignableFrom(configurator)) builder.Options.SiloBuilderConfiguratorTypes.Add(configurator.AssemblyQualifiedName!);
            if (typeof(IClientBuilderConfigurator).IsAssignableFrom(configurator)) builder.Options.ClientBuilderConfiguratorTypes.Add(configurator.AssemblyQualifiedName!);
        }
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}

public sealed class PostgresSilo : ISiloConfigurator
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

public sealed class PostgresClient : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder client) =>
        client.UseAdoNetClustering(options =>
            (options.Invariant, options.ConnectionString) = (UpflowCluster.Invariant, configuration.RequiredConnectionString()));
}
