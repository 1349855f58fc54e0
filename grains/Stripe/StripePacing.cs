using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Upflow.Orleans.Stripe;

/// <summary>
/// One token bucket per organization (one Stripe account each): every attempt, retries included,
/// waits for a token, so an account never exceeds its budget and one tenant's backfill cannot eat
/// another's. Requests queue; they never fail for want of a token.
/// </summary>
public sealed class StripePacing : IDisposable
{
    /// <summary>
    /// How often the buckets are refilled. Refills are by elapsed time, so a late tick loses nothing
    /// as long as it is later by less than a bucket's burst (a tenth of a second of budget).
    /// </summary>
    private static readonly TimeSpan RefillEvery = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentDictionary<string, Lazy<TokenBucketRateLimiter>> _accounts = new(StringComparer.Ordinal);
    private readonly IOptions<StripeOptions> _options;
    private readonly ITimer _refill;

    public StripePacing(IOptions<StripeOptions> options, TimeProvider clock)
    {
        _options = options;
        _refill = clock.CreateTimer(_ => Refill(), null, RefillEvery, RefillEvery);
    }

    public ValueTask<RateLimitLease> WaitAsync(string organizationId, CancellationToken cancellation) =>
        _accounts.GetOrAdd(organizationId, _ => new Lazy<TokenBucketRateLimiter>(Create)).Value.AcquireAsync(1, cancellation);

    private TokenBucketRateLimiter Create()
    {
        // A small burst: with 90/s a bucket of 9, so any one-second window holds at most 9 + 90 = 99
        // requests, under Stripe's 100/s. Not the limiter's own timer: it adds a whole period's tokens
        // per tick whatever the time elapsed, so every tick a loaded thread pool runs late is budget
        // lost (a backfill paced at 100/s reached 87–92/s).
        var perSecond = Math.Max(1, _options.Value.MaxRequestsPerSecond);
        var burst = Math.Max(1, perSecond / 10);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = burst,
            ReplenishmentPeriod = TimeSpan.FromSeconds(burst / (double)perSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = false,
        });
    }

    private void Refill()
    {
        foreach (var limiter in _accounts.Values)
            if (limiter.IsValueCreated) limiter.Value.TryReplenish();
    }

    public void Dispose()
    {
        _refill.Dispose();
        foreach (var limiter in _accounts.Values.Where(l => l.IsValueCreated)) limiter.Value.Dispose();
        _accounts.Clear();
    }
}
