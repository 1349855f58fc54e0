using Stripe;
using Upflow.StripeEmulator.Generation;

namespace Upflow.StripeEmulator.Tests;

/// <summary>One emulator per test class, with a small generated account; tests that mutate make their own account.</summary>
public sealed class EmulatorFixture : IAsyncLifetime
{
    public StripeEmulator Emulator { get; private set; } = null!;
    public Store.StripeAccount Account => Emulator.GeneratedAccount!;
    public GeneratedCounts Counts => Emulator.GeneratedCounts!;

    public async Task InitializeAsync() =>
        Emulator = await StripeEmulator.StartAsync(new StripeEmulatorOptions { Generate = new GenerationSpec { Seed = 7, Customers = 150 } });

    public async Task DisposeAsync() => await Emulator.DisposeAsync();

    /// <summary>The product's client: Stripe.net pointed at the emulator. No retries unless a test wants them.</summary>
    public StripeClient Client(string? apiKey = null, int maxNetworkRetries = 0) =>
        new(apiKey ?? Account.SecretKey, apiBase: Emulator.BaseUrl,
            httpClient: new SystemNetHttpClient(new HttpClient { Timeout = TimeSpan.FromSeconds(10) }, maxNetworkRetries: maxNetworkRetries));
}
