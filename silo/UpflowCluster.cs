using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;
using Upflow.Orleans.Storage;

namespace Upflow.Orleans.Silo;

/// <summary>
/// Silo wiring shared by the host and the test clusters. Everything is read from IConfiguration when
/// options are resolved (not when the builder runs), so test hosts can override any value.
/// </summary>
public static class UpflowCluster
{
    public const string Invariant = "Npgsql";

    /// <summary>
    /// How often each silo re-reads its share of the reminder table. A reminder written while silos
    /// join or die can land on a silo that no longer owns it, or after its new owner read the table
    /// (a dying silo's last write); Orleans leaves it to this refresh, 5 min by default. Unfinished
    /// exports and paused backfills live on reminders: a minute's refresh (a range read per ring bucket
    /// the silo owns, 30 by default) bounds their wait.
    /// </summary>
    public static readonly TimeSpan ReminderRefreshPeriod = TimeSpan.FromMinutes(1);

    /// <summary>Clustering, grain storage and reminders on PostgreSQL, with our schema applied first.</summary>
    public static ISiloBuilder UseUpflowPostgres(this ISiloBuilder silo)
    {
        silo.UseAdoNetClustering(options => options.Configure<IConfiguration>((o, configuration) =>
            (o.Invariant, o.ConnectionString) = (Invariant, configuration.RequiredConnectionString())));
        silo.AddAdoNetGrainStorageAsDefault(options => options.Configure<IConfiguration>((o, configuration) =>
            (o.Invariant, o.ConnectionString) = (Invariant, configuration.RequiredConnectionString())));
        silo.UseAdoNetReminderService(options => options.Configure<IConfiguration>((o, configuration) =>
            (o.Invariant, o.ConnectionString) = (Invariant, configuration.RequiredConnectionString())));
        silo.Configure<ReminderOptions>(options => options.RefreshReminderListPeriod = ReminderRefreshPeriod);
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SchemaAtStartup>();
        return silo;
    }

    public const string KubernetesEnabledKey = "Orleans:Kubernetes:Enabled";

    /// <summary>
    /// Orleans' Kubernetes hosting when <c>Orleans:Kubernetes:Enabled</c>: cluster and service id from
    /// ORLEANS_CLUSTER_ID / ORLEANS_SERVICE_ID, the silo name from POD_NAME, the advertised address from
    /// POD_IP, and silos whose pod is gone are declared dead without waiting for probes to time out.
    /// Membership stays in PostgreSQL (ADO.NET clustering); the agent only watches pods.
    /// </summary>
    public static ISiloBuilder UseUpflowKubernetesHosting(this ISiloBuilder silo, IConfiguration configuration)
    {
        // Read when the builder runs: the agent needs the pod environment, which exists only in a pod.
        if (configuration.GetValue(KubernetesEnabledKey, false)) silo.UseKubernetesHosting();
        return silo;
    }

    /// <summary>Cluster identity and endpoints (Orleans:*), for the production host.</summary>
    public static ISiloBuilder UseUpflowEndpoints(this ISiloBuilder silo)
    {
        silo.Services.AddOptions<ClusterOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            options.ClusterId = configuration["Orleans:ClusterId"] ?? "upflow";
            options.ServiceId = configuration["Orleans:ServiceId"] ?? "upflow";
        });
        silo.Services.AddOptions<EndpointOptions>().Configure<IConfiguration>((options, configuration) =>
        {
            // In Kubernetes the pod IP from the downward API, set here because Orleans' own default (the
            // first local interface address) is filled in before the hosting package would look at POD_IP.
            var address = configuration["Orleans:AdvertisedIPAddress"] is { Length: > 0 } configured
                ? configured
                : configuration.GetValue(KubernetesEnabledKey, false)
                    ? configuration[KubernetesHostingOptions.PodIPEnvironmentVariable]
                    : IPAddress.Loopback.ToString();
            var advertised = address is { Length: > 0 } ? IPAddress.Parse(address) : null;
            if (advertised is not null) options.AdvertisedIPAddress = advertised;
            options.SiloPort = configuration.GetValue("Orleans:SiloPort", 11111);
            options.GatewayPort = configuration.GetValue("Orleans:GatewayPort", 30000);
            if (advertised is not null && !IPAddress.IsLoopback(advertised))
            {
                // Other silos and clients reach this one on a container or pod IP: listen on every interface.
                options.SiloListeningEndpoint = new IPEndPoint(IPAddress.Any, options.SiloPort);
                options.GatewayListeningEndpoint = new IPEndPoint(IPAddress.Any, options.GatewayPort);
            }
        });
        return silo;
    }

    /// <summary>
    /// Applies deploy/sql before anything else in the silo starts: the membership table must exist
    /// before the silo joins the cluster.
    /// </summary>
    private sealed class SchemaAtStartup(IConfiguration configuration, ILogger<SchemaAtStartup> logger) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(SchemaAtStartup), ServiceLifecycleStage.First,
                cancellationToken => Schema.ApplyAsync(configuration.RequiredConnectionString(), logger, cancellationToken));
    }
}
