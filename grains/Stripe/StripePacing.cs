using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Upflow.Orleans.Stripe;

/// <summary>
/// One token bucket per organization (one Stripe account each): every attempt, retries included,
/// waits for a token, so an account never exceeds its budget and one tenant's backfill cannot eat
/// another's. Requests queue; they never fail for want of a token.
/// </summary>
public sealed class StripePacing(IOptions<StripeOptions> options) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<RateLimiter>> _accounts = new(StringComparer.Ordinal);

    public ValueTask<RateLimitLease> WaitAsync(string organizationId, CancellationToken cancellation) =>
        _accounts.GetOrAdd(organizationId, _ => new Lazy<RateLimiter>(Create)).Value.AcquireAsync(1, cancellation);

    private RateLimiter Create()
    {
        // A small burst refilled in small steps: with 90/s, 9 tokens every 100 ms, so any one-second
        // window holds at most 9 + 90 = 99 requests, under Stripe's 100/s. A one-second period with a
        // 90-token bucket would allow 180 within a second across the refill boundary.
        var perSecond = Math.Max(1, options.Value.MaxRequestsPerSecond);
        var burst = Math.Max(1, perSecond / 10);
        return new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = burst,
            ReplenishmentPeriod = TimeSpan.FromSeconds(burst / (double)perSecond),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        });
    }

    public void Dispose()
    {
        foreach (var limiter in _accounts.Values.Where(l => l.IsValueCreated)) limiter.Value.Dispose();
        _accounts.Clear();
    }
}
