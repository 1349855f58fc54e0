using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Upflow.Orleans.Storage;

public static class StorageServiceCollectionExtensions
{
    /// <summary>
    /// The read model: <see cref="LedgerStore"/> (the grains' batched writes and loads) and
    /// <see cref="LedgerQueries"/> (the list endpoints). Both need an <c>NpgsqlDataSource</c>
    /// singleton, which AddUpflowGrainServices registers.
    /// </summary>
    public static IServiceCollection AddLedgerStorage(this IServiceCollection services)
    {
        services.TryAddSingleton<LedgerStore>();
        services.TryAddSingleton<LedgerQueries>();
        services.TryAddSingleton<RederivationStore>();
        return services;
    }
}
