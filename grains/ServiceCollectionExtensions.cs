using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Configuration;
using Npgsql;
using Upflow.Orleans.Accounts;
using Upflow.Orleans.Payments;
using Upflow.Orleans.Secrets;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Stripe;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Webhooks;

namespace Upflow.Orleans;

public static class ServiceCollectionExtensions
{
    /// <summary>The services grains and the API share: the PostgreSQL data source and the stores on it.</summary>
    public static IServiceCollection AddUpflowGrainServices(this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, string> connectionString)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new NpgsqlDataSourceBuilder(connectionString(provider)).Build());
        services.TryAddSingleton<ApiKeyStore>();
        services.AddLedgerStorage();
        services.AddSecretBox();
        services.AddStripeGateway(configuration);
        services.AddOptions<SyncOptions>().Bind(configuration.GetSection("Upflow:Sync"))
            .Validate(o => o.ResumeInterval > TimeSpan.Zero, "Upflow:Sync:ResumeInterval must be positive.")
            .Validate(o => o.FirstResumeDelay > TimeSpan.Zero, "Upflow:Sync:FirstResumeDelay must be positive.")
            .ValidateOnStart();
        services.AddOptions<RealTimeOptions>().Bind(configuration.GetSection("Upflow"))
            .Validate(o => o.BurstDeliveries >= 1, "Upflow:BurstDeliveries must be at least 1.")
            .Validate(o => o.BurstApplyDelay >= TimeSpan.Zero, "Upflow:BurstApplyDelay must not be negative.")
            .ValidateOnStart();
        services.TryAddSingleton<EventLog>();
        services.TryAddSingleton<EventDispatcher>();
        services.TryAddSingleton<WebhookDeliveries>();
        services.TryAddSingleton<WebhookSecrets>();
        services.TryAddSingleton<WebhookTelemetry>();
        services.TryAddSingleton<SyncTelemetry>();
        services.TryAddSingleton<EventDrain>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(provider => provider.GetRequiredService<EventDrain>());
        services.AddOptions<WriteBackOptions>().Bind(configuration.GetSection(WriteBackOptions.Section));
        services.TryAddSingleton<PaymentTelemetry>();
        return services;
    }
}
