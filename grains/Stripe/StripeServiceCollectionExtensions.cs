using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Upflow.Orleans.Stripe;

public static class StripeServiceCollectionExtensions
{
    /// <summary>The Stripe gateway, its options (section "Stripe"), pacing, and the resilient "Stripe" HttpClient.</summary>
    public static IServiceCollection AddStripeGateway(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<StripeOptions>()
            .Bind(configuration.GetSection(StripeOptions.Section))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<StripeTelemetry>();
        services.TryAddSingleton<StripePacing>();
        services.TryAddTransient<StripeAttemptHandler>();
        services.TryAddSingleton<StripeGateway>();

        var http = services.AddHttpClient(StripeGateway.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            // Authorization carries the secret key: never let HttpClient logging print a header value.
            .RedactLoggedHeaders(_ => true)
            // The gateway keeps one client for its lifetime (see StripeGateway): connections are
            // renewed here instead, so a change in Stripe's DNS is still picked up.
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        http.AddResilienceHandler(StripeResilience.PipelineName, (pipeline, context) => StripeResilience.Configure(
            pipeline,
            context.ServiceProvider.GetRequiredService<IOptions<StripeOptions>>().Value,
            context.ServiceProvider.GetRequiredService<StripePacing>(),
            context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StripeGateway).FullName + ".Retries")));
        // Registered after the resilience handler, so it sits inside it: it runs once per attempt.
        http.AddHttpMessageHandler<StripeAttemptHandler>();
        return services;
    }
}
