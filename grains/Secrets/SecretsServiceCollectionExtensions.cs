using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Upflow.Orleans.Secrets;

public static class SecretsServiceCollectionExtensions
{
    /// <summary>
    /// <see cref="SecretBox"/> under <c>Upflow:EncryptionKey</c>, read when first resolved, so a host
    /// that never touches Stripe secrets starts without the key, and one that does fails with a clear message.
    /// </summary>
    public static IServiceCollection AddSecretBox(this IServiceCollection services)
    {
        services.TryAddSingleton(provider => SecretBox.FromConfiguration(provider.GetRequiredService<IConfiguration>()));
        return services;
    }
}
