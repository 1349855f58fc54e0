using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Upflow.Orleans.Organizations;

namespace Upflow.Orleans;

public static class ServiceCollectionExtensions
{
    /// <summary>The services grains and the API share: the PostgreSQL data source and the stores on it.</summary>
    public static IServiceCollection AddUpflowGrainServices(this IServiceCollection services, Func<IServiceProvider, string> connectionString)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(provider => new NpgsqlDataSourceBuilder(connectionString(provider)).Build());
        services.TryAddSingleton<ApiKeyStore>();
        return services;
    }
}
