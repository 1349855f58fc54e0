using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Upflow.Orleans.Stripe;
using Upflow.StripeEmulator;
using Upflow.StripeEmulator.Generation;

namespace Upflow.Orleans.Tests.Stripe;

/// <summary>One emulator with a generated account for the gateway tests; tests that inject faults make their own account.</summary>
public sealed class StripeGatewayFixture : IAsyncLifetime
{
    public StripeEmulator.StripeEmulator Emulator { get; private set; } = null!;
    public StripeEmulator.Store.StripeAccount Account => Emulator.GeneratedAccount!;
    public GeneratedCounts Counts => Emulator.GeneratedCounts!;

    public async Task InitializeAsync() =>
        Emulator = await StripeEmulator.StripeEmulator.StartAsync(new StripeEmulatorOptions
        {
            Seed = 42,
            Generate = new GenerationSpec { Seed = 42, Customers = 300, InvoicesPerCustomer = 3, UnappliedPaymentRatio = 0.1 },
        });

    public async Task DisposeAsync() => await Emulator.DisposeAsync();

    /// <summary>A fresh account with a little data, so faults and request counts stay its own.</summary>
    public (StripeEmulator.Store.StripeAccount Account, GeneratedCounts Counts) NewAccount(int customers = 40, int invoicesPerCustomer = 2)
    {
        var account = Emulator.CreateAccount();
        return (account, Emulator.Generate(account.Id, new GenerationSpec { Seed = 7, Customers = customers, InvoicesPerCustomer = invoicesPerCustomer }));
    }

    /// <summary>The gateway as the silo wires it, pointed at the emulator; short backoffs keep the tests quick.</summary>
    public ServiceProvider Services(int maxRequestsPerSecond = 90, int maxRetries = 8, TimeSpan? retryBaseDelay = null, TimeSpan? requestTimeout = null)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Stripe:ApiBase"] = Emulator.BaseUrl,
            ["Stripe:MaxRequestsPerSecond"] = maxRequestsPerSecond.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Stripe:MaxRetries"] = maxRetries.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Stripe:RetryBaseDelay"] = (retryBaseDelay ?? TimeSpan.FromMilliseconds(50)).ToString(),
            ["Stripe:MaxRetryDelay"] = TimeSpan.FromSeconds(2).ToString(),
            ["Stripe:RequestTimeout"] = (requestTimeout ?? TimeSpan.FromSeconds(10)).ToString(),
        }).Build();
        return new ServiceCollection().AddLogging().AddStripeGateway(configuration).BuildServiceProvider(validateScopes: true);
    }

    public static async Task<List<T>> ListAll<T>(Func<string?, Task<StripePage<T>>> list)
    {
        var all = new List<T>();
        string? after = null;
        while (true)
        {
            var page = await list(after);
            all.AddRange(page.Items);
            if (!page.HasMore) return all;
            after = page.LastId;
        }
    }
}

/// <summary>Sums one of the gateway's counters for one organization while alive.</summary>
public sealed class CounterProbe : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _total;

    public CounterProbe(string instrument, string organizationId)
    {
        _listener.InstrumentPublished = (i, listener) =>
        {
            if (i.Meter.Name == StripeTelemetry.Name && i.Name == instrument) listener.EnableMeasurementEvents(i);
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == StripeTelemetry.OrganizationTag && Equals(tag.Value, organizationId))
                    Interlocked.Add(ref _total, value);
        });
        _listener.Start();
    }

    public long Total => Interlocked.Read(ref _total);

    public void Dispose() => _listener.Dispose();
}

/// <summary>What an observable gauge of the gateway reports now: one (value, tags) per measurement.</summary>
public static class GaugeProbe
{
    public static IReadOnlyList<(double Value, Dictionary<string, object?> Tags)> Read(string instrument)
    {
        var seen = new List<(double, Dictionary<string, object?>)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (i, l) =>
        {
            if (i.Meter.Name == StripeTelemetry.Name && i.Name == instrument) l.EnableMeasurementEvents(i);
        };
        listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            var copy = new Dictionary<string, object?>();
            foreach (var tag in tags) copy[tag.Key] = tag.Value;
            lock (seen) seen.Add((value, copy));
        });
        listener.Start();
        listener.RecordObservableInstruments();
        return seen;
    }
}
