using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Upflow.Orleans.Tests.Infrastructure;

namespace Upflow.Orleans.Tests.Payments;

/// <summary>
/// The product and its emulator with write-back retries in milliseconds: the gateway does not retry
/// (Stripe:MaxRetries 0), so every transient failure is the payment grain's to retry.
/// </summary>
public sealed class WriteBackApp : SyncApp
{
    public const int MaxAttempts = 3;

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        .. base.Settings(),
        new("Stripe:MaxRetries", "0"),
        new("Stripe:MaxRequestsPerSecond", "1000"),
        new("Upflow:WriteBack:MaxAttempts", MaxAttempts.ToString()),
        new("Upflow:WriteBack:RetryBaseDelay", "00:00:00.100"),
        new("Upflow:WriteBack:MaxRetryDelay", "00:00:00.500"),
        new("Upflow:WriteBack:ReminderPeriod", "00:00:01"),
    ];

    protected override void ConfigureServices(IServiceCollection services) =>
        services.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
}
