using Microsoft.AspNetCore.Routing.Matching;
using Microsoft.AspNetCore.Hosting;
using Orleans.Dashboard;
using Upflow.Orleans.Api.Http;

namespace Upflow.Orleans.Silo;

/// <summary>
/// The Orleans Dashboard (Orleans:Dashboard:*) on an operator port of its own. Off unless
/// <c>Orleans:Dashboard:Enabled</c>; it listens on <c>Orleans:Dashboard:Host</c> (default loopback, which
/// `kubectl port-forward` reaches) and <c>Orleans:Dashboard:Port</c> (default 8080).
/// </summary>
/// <remarks>
/// Orleans 10's dashboard is a set of minimal-API endpoints mapped onto the host's web application
/// (<see cref="ServiceCollectionExtensions.MapOrleansDashboard"/>), not a server of its own. A matcher
/// policy keeps the two ports apart: dashboard endpoints match only connections to the operator port,
/// and nothing else matches there, so the dashboard is never reachable through the API port (whatever
/// the Host header says) and the API never through the operator port. It has no authentication of its
/// own: access is controlled by who can reach the port.
/// </remarks>
public sealed record OperatorDashboard(string Host, int Port)
{
    public const string Section = "Orleans:Dashboard";
    public const string EnabledKey = "Orleans:Dashboard:Enabled";
    public const string HostKey = "Orleans:Dashboard:Host";
    public const string PortKey = "Orleans:Dashboard:Port";
    public const string DefaultHost = "127.0.0.1";
    public const int DefaultPort = 8080;

    /// <summary>Null when the dashboard is off. Read when the builder runs: Kestrel binds the port.</summary>
    public static OperatorDashboard? FromConfiguration(IConfiguration configuration) =>
        configuration.GetValue(EnabledKey, false)
            ? new OperatorDashboard(configuration[HostKey] is { Length: > 0 } host ? host : DefaultHost, configuration.GetValue(PortKey, DefaultPort))
            : null;

    /// <summary>Adds the operator port to the HTTP URLs (keeping Urls / ASPNETCORE_URLS) and the dashboard services.</summary>
    public void AddTo(WebApplicationBuilder builder)
    {
        // Kestrel ignores Urls once endpoints are configured in code, so the port joins the URL list.
        var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } configured
            ? configured.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            : builder.Configuration[WebHostDefaults.HttpPortsKey] is { Length: > 0 } httpPorts
                ? httpPorts.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(port => $"http://*:{port}").ToArray()
                : ["http://localhost:5000"];
        if (urls.Any(url => BindingAddress.Parse(url).Port == Port))
            throw new InvalidOperationException($"{PortKey} {Port} is also an HTTP API port ({string.Join(";", urls)}); the dashboard needs a port of its own.");
        builder.WebHost.UseUrls([.. urls, $"http://{Host}:{Port}"]);

        builder.Services.AddSingleton(this);
        builder.Services.AddSingleton<MatcherPolicy, OperatorPortPolicy>();
        builder.Services.AddOptions<DashboardOptions>().Bind(builder.Configuration.GetSection(Section));
    }

    public void MapTo(WebApplication app) =>
        app.MapOrleansDashboard()
            // Not an API endpoint: no API key (the port is the boundary), no query validation, not in OpenAPI.
            .AllowAnonymous()
            .ExcludeFromDescription()
            .WithMetadata(new SkipQueryValidation(), OperatorEndpoint.Instance);

    private sealed class OperatorEndpoint
    {
        public static readonly OperatorEndpoint Instance = new();
    }

    private sealed class OperatorPortPolicy(OperatorDashboard dashboard) : MatcherPolicy, IEndpointSelectorPolicy
    {
        public override int Order => 0;

        public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => true;

        public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
        {
            var onOperatorPort = httpContext.Connection.LocalPort == dashboard.Port;
            for (var i = 0; i < candidates.Count; i++)
            {
                var operatorEndpoint = candidates[i].Endpoint.Metadata.GetMetadata<OperatorEndpoint>() is not null;
                if (candidates.IsValidCandidate(i) && operatorEndpoint != onOperatorPort)
                    candidates.SetValidity(i, false);
            }
            return Task.CompletedTask;
        }
    }
}
