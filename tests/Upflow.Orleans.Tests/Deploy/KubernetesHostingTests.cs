using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Hosting.Kubernetes;
using Upflow.Orleans.Silo;

namespace Upflow.Orleans.Tests.Deploy;

/// <summary>
/// The silo's options as a pod would resolve them. The cluster agent itself needs a Kubernetes API
/// server, so the host is built, not started.
/// </summary>
public sealed class KubernetesHostingTests
{
    private static IHost Silo(Dictionary<string, string?> settings, out IServiceCollection services)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.UseOrleans(silo => silo.UseUpflowEndpoints().UseUpflowKubernetesHosting(builder.Configuration));
        services = builder.Services;
        return builder.Build();
    }

    private static bool HasClusterAgent(IServiceCollection services) =>
        services.Any(service => service.ImplementationType?.Name == "KubernetesClusterAgent");

    [Fact]
    public void In_a_pod_the_silo_advertises_the_pod_IP_and_takes_its_name_and_ids_from_the_pod()
    {
        // The hosting package reads these from the process environment, as the Deployment sets them.
        (string, string)[] pod =
        [
            (KubernetesHostingOptions.PodNameEnvironmentVariable, "upflow-silo-7d9f-abcde"),
            (KubernetesHostingOptions.PodNamespaceEnvironmentVariable, "upflow"),
            (KubernetesHostingOptions.ClusterIdEnvironmentVariable, "blue"),
            (KubernetesHostingOptions.ServiceIdEnvironmentVariable, "upflow-prod"),
        ];
        foreach (var (name, value) in pod) Environment.SetEnvironmentVariable(name, value);
        try
        {
            using var host = Silo(new()
            {
                [UpflowCluster.KubernetesEnabledKey] = "true",
                [KubernetesHostingOptions.PodIPEnvironmentVariable] = "10.244.1.17",
                ["Orleans:ClusterId"] = "upflow",
            }, out var services);

            var endpoints = host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value;
            Assert.Equal(IPAddress.Parse("10.244.1.17"), endpoints.AdvertisedIPAddress);
            Assert.Equal(new IPEndPoint(IPAddress.Any, 11111), endpoints.SiloListeningEndpoint);
            Assert.Equal(new IPEndPoint(IPAddress.Any, 30000), endpoints.GatewayListeningEndpoint);
            var cluster = host.Services.GetRequiredService<IOptions<ClusterOptions>>().Value;
            Assert.Equal(("blue", "upflow-prod"), (cluster.ClusterId, cluster.ServiceId));
            Assert.Equal("upflow-silo-7d9f-abcde", host.Services.GetRequiredService<IOptions<SiloOptions>>().Value.SiloName);
            Assert.True(HasClusterAgent(services));
        }
        finally
        {
            foreach (var (name, _) in pod) Environment.SetEnvironmentVariable(name, null);
        }
    }

    [Fact]
    public void Outside_Kubernetes_the_silo_stays_on_loopback_without_the_cluster_agent()
    {
        using var host = Silo(new() { [KubernetesHostingOptions.PodIPEnvironmentVariable] = "10.244.1.17" }, out var services);
        Assert.Equal(IPAddress.Loopback, host.Services.GetRequiredService<IOptions<EndpointOptions>>().Value.AdvertisedIPAddress);
        Assert.False(HasClusterAgent(services));
    }
}
