namespace Upflow.Orleans.Silo;

public static class ConfigurationExtensions
{
    public static string RequiredConnectionString(this IConfiguration configuration) =>
        configuration.GetConnectionString("Upflow") is { Length: > 0 } connectionString
            ? connectionString
            : throw new InvalidOperationException("ConnectionStrings:Upflow is not set (env ConnectionStrings__Upflow).");
}
