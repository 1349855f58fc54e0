using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Upflow.Orleans.Stripe;

/// <summary>
/// Paces each organization's Stripe calls (one Stripe account each): every attempt, retries
/// included, waits for a token of its account, so an account never exceeds
/// <see cref="StripeOptions.MaxRequestsPerSecond"/> and one tenant's backfill cannot eat another's.
/// Requests queue; they never fail for want of a token.
/// </summary>
/// <remarks>
/// The pace also adapts to Stripe's 429s. An account can have less budget than configured (test
/// mode's 25/s, the tenant's own integrations sharing the account), and Stripe limits endpoints on
/// their own too (25/s unless documented otherwise), saying which limit refused a call
/// (Stripe-Rate-Limited-Reason). A 429 halves the pace of what refused it, the endpoint or else the
/// account, which then climbs back linearly to the configured rate (<see cref="SlowedPace"/>); calls
/// to it first wait for a slot of that slower pace. Without it a slow account answers most
/// attempts 429, each also a 429 risk for the tenant's own calls, and a call can exhaust its retries.
/// Until Stripe pushes back, a call only takes its token. The gauge <c>upflow.stripe.pace</c> shows
/// every pace below the configured rate (tags: organization, and the endpoint when it is the
/// endpoint's own).
/// </remarks>
public sealed partial class StripePacing : IDisposable
{
    /// <summary>
    /// How often the buckets are refilled. Refills are by elapsed time, so a late tick loses nothing
    /// as long as it is later by less than a bucket's burst (a tenth of a second of budget).
    /// </summary>
    private static readonly TimeSpan RefillEvery = TimeSpan.FromMilliseconds(10);

    private readonly ConcurrentDictionary<string, Lazy<TokenBucketRateLimiter>> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SlowedPace> _slowedAccounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string OrganizationId, string Endpoint), SlowedPace> _slowedEndpoints = new();
    private readonly IOptions<StripeOptions> _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<StripePacing> _logger;
    private readonly ITimer _refill;

    /// <summary>Set at the first 429 that slows anything down; until then no call looks for a slowed pace.</summary>
    private volatile bool _pushedBack;

    public StripePacing(IOptions<StripeOptions> options, TimeProvider clock, ILogger<StripePacing> logger, IMeterFactory meters)
    {
        _options = options;
        _clock = clock;
        _logger = logger;
        _refill = clock.CreateTimer(_ => Refill(), null, RefillEvery, RefillEvery);
        meters.Create(StripeTelemetry.Name).CreateObservableGauge("upflow.stripe.pace", SlowedPaces, "{request}/s",
            "Requests per second an organization's Stripe calls (or one endpoint's) are paced at while Stripe's 429s hold them below Stripe:MaxRequestsPerSecond.");
    }

    private IEnumerable<Measurement<double>> SlowedPaces()
    {
        var now = _clock.GetTimestamp();
        foreach (var (organizationId, pace) in _slowedAccounts)
            if (pace.PaceAt(now) is var perSecond && perSecond < MaxPerSecond)
                yield return new(perSecond, new KeyValuePair<string, object?>(StripeTelemetry.OrganizationTag, organizationId));
        foreach (var ((organizationId, endpoint), pace) in _slowedEndpoints)
            if (pace.PaceAt(now) is var perSecond && perSecond < MaxPerSecond)
                yield return new(perSecond,
                    new KeyValuePair<string, object?>(StripeTelemetry.OrganizationTag, organizationId),
                    new KeyValuePair<string, object?>(StripeTelemetry.EndpointTag, endpoint));
    }

    private double MaxPerSecond => Math.Max(1, _options.Value.MaxRequestsPerSecond);

    internal ValueTask<RateLimitLease> WaitAsync(StripeCall call, CancellationToken cancellation)
    {
        var now = call.PacedAt = _clock.GetTimestamp();
        var bucket = _accounts.GetOrAdd(call.OrganizationId, _ => new Lazy<TokenBucketRateLimiter>(Create)).Value;
        // The common case, a silo Stripe never pushed back on, looks nothing up.
        if (!_pushedBack) return bucket.AcquireAsync(1, cancellation);
        var endpoint = Slowed(_slowedEndpoints, (call.OrganizationId, call.Endpoint), now);
        var account = Slowed(_slowedAccounts, call.OrganizationId, now);
        return endpoint is null && account is null
            ? bucket.AcquireAsync(1, cancellation)
            : WaitForSlowedPacesAsync(endpoint, account, bucket, cancellation);
    }

    /// <summary>
    /// Stripe answered 429: slow down what it says refused the call, the account when it does not
    /// say. A per-object guard ("resource-specific") slows nothing: the retry's backoff answers it.
    /// </summary>
    internal void RateLimited(StripeCall call, string? reason)
    {
        if (reason == "resource-specific") return;
        _pushedBack = true;
        var now = _clock.GetTimestamp();
        var (pace, scope) = reason is "endpoint-rate" or "endpoint-concurrency"
            ? (_slowedEndpoints.GetOrAdd((call.OrganizationId, call.Endpoint), _ => new SlowedPace(MaxPerSecond, _clock.TimestampFrequency)), call.Endpoint)
            : (_slowedAccounts.GetOrAdd(call.OrganizationId, _ => new SlowedPace(MaxPerSecond, _clock.TimestampFrequency)), "all endpoints");
        if (pace.SlowDown(now, call.PacedAt) is { } perSecond)
            LogSlowedDown(_logger, call.OrganizationId, reason ?? "unstated", scope, Math.Round(perSecond, 1), MaxPerSecond);
    }

    /// <summary>The requests per second the organization's calls (to <paramref name="endpoint"/>, when given) are paced at now.</summary>
    public double PerSecond(string organizationId, string? endpoint = null)
    {
        var now = _clock.GetTimestamp();
        var pace = _slowedAccounts.TryGetValue(organizationId, out var account) ? account.PaceAt(now) : MaxPerSecond;
        return endpoint is not null && _slowedEndpoints.TryGetValue((organizationId, endpoint), out var slowed)
            ? Math.Min(pace, slowed.PaceAt(now))
            : pace;
    }

    /// <summary>The key's slowed pace while it is below the configured rate; one that has climbed back is forgotten.</summary>
    private SlowedPace? Slowed<TKey>(ConcurrentDictionary<TKey, SlowedPace> paces, TKey key, long now) where TKey : notnull
    {
        if (!paces.TryGetValue(key, out var pace)) return null;
        if (pace.PaceAt(now) < MaxPerSecond) return pace;
        paces.TryRemove(new KeyValuePair<TKey, SlowedPace>(key, pace));
        return null;
    }

    /// <summary>The endpoint's slot first, then the account's, then the token: a call held back by its endpoint holds nothing of the account's meanwhile.</summary>
    private async ValueTask<RateLimitLease> WaitForSlowedPacesAsync(SlowedPace? endpoint, SlowedPace? account, TokenBucketRateLimiter bucket, CancellationToken cancellation)
    {
        if (endpoint?.Reserve(_clock.GetTimestamp()) is { } endpointWait && endpointWait > TimeSpan.Zero)
            await Task.Delay(endpointWait, _clock, cancellation);
        if (account?.Reserve(_clock.GetTimestamp()) is { } accountWait && accountWait > TimeSpan.Zero)
            await Task.Delay(accountWait, _clock, cancellation);
        return await bucket.AcquireAsync(1, cancellation);
    }

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

    /// <summary>
    /// A pace Stripe pushed back on, as a virtual schedule (GCRA): each call takes the next slot, one
    /// interval after the previous, at most a tenth of a second's worth early. A 429 halves it (down
    /// to 1/s) and it climbs back to the configured rate over <see cref="Recovery"/>, as TCP's
    /// congestion window does. A 429 for a call that took its place before the last slow-down was
    /// sent at the old pace: the same signal again, not a new one, whenever it arrives.
    /// </summary>
    private sealed class SlowedPace(double maxPerSecond, double frequency)
    {
        private const double MinPerSecond = 1;
        private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);

        private readonly Lock _gate = new();
        private double _next;
        private double _slowedTo;
        private long _slowedAt;
        private bool _slowed;

        public TimeSpan Reserve(long now)
        {
            lock (_gate)
            {
                var pace = PaceAt(now);
                var interval = frequency / pace;
                var early = (Math.Max(1, Math.Floor(pace / 10)) - 1) * interval;
                var slot = Math.Max(_next, now);
                _next = slot + interval;
                return TimeSpan.FromSeconds(Math.Max(0, slot - early - now) / frequency);
            }
        }

        /// <returns>The new pace, or null when the refused call took its place before the last slow-down.</returns>
        public double? SlowDown(long now, long pacedAt)
        {
            lock (_gate)
            {
                if (_slowed && pacedAt < _slowedAt) return null;
                _slowedTo = Math.Max(MinPerSecond, PaceAt(now) / 2);
                _slowedAt = now;
                _slowed = true;
                return _slowedTo;
            }
        }

        public double PaceAt(long now)
        {
            if (!_slowed) return maxPerSecond;
            var climbed = (now - _slowedAt) / frequency / Recovery.TotalSeconds * maxPerSecond;
            return Math.Min(maxPerSecond, _slowedTo + climbed);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Stripe answered 429 ({Reason}) for organization {OrganizationId}: its calls to {Scope} are paced at {PerSecond}/s for now (configured {MaxPerSecond}/s), climbing back over 30 s")]
    private static partial void LogSlowedDown(ILogger logger, string organizationId, string reason, string scope, double perSecond, double maxPerSecond);
}
