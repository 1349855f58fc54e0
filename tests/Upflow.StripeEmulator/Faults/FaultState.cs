namespace Upflow.StripeEmulator.Faults;

/// <summary>The live fault configuration of an account plus the state it needs (token buckets, seeded random).</summary>
internal sealed class FaultState
{
    private readonly Lock _gate = new();
    private FaultSettings _settings = FaultSettings.None;
    private Random _random = new(1);
    private Bucket _account = new();
    private readonly Dictionary<string, Bucket> _endpoints = new(StringComparer.Ordinal);

    public FaultSettings Settings
    {
        get { lock (_gate) return _settings; }
        set
        {
            lock (_gate)
            {
                _settings = value;
                _random = new Random(value.Seed);
                _account = new Bucket();
                _endpoints.Clear();
            }
        }
    }

    /// <summary>
    /// Token buckets, a burst of N refilled at N per second, like Stripe's per-second limiters: one
    /// for the account, one per endpoint. A request takes a token from both, or from neither.
    /// </summary>
    /// <returns>The limit that refused the request, as Stripe names it in Stripe-Rate-Limited-Reason; null when allowed.</returns>
    public string? TryTakeToken(string endpoint, long nowTicks)
    {
        lock (_gate)
        {
            var accountAllows = _settings.RequestsPerSecond is not { } perSecond || _account.HasToken(perSecond, nowTicks);
            Bucket? endpointBucket = null;
            var endpointAllows = _settings.EndpointRequestsPerSecond is not { } perEndpoint
                || (endpointBucket = Endpoint(endpoint)).HasToken(perEndpoint, nowTicks);
            if (!accountAllows) return "global-rate";
            if (!endpointAllows) return "endpoint-rate";
            if (_settings.RequestsPerSecond is not null) _account.Take();
            endpointBucket?.Take();
            return null;
        }
    }

    private Bucket Endpoint(string endpoint)
    {
        if (!_endpoints.TryGetValue(endpoint, out var bucket)) _endpoints[endpoint] = bucket = new Bucket();
        return bucket;
    }

    private sealed class Bucket
    {
        private double _tokens = double.NaN;
        private long _lastRefillTicks;

        public bool HasToken(int perSecond, long nowTicks)
        {
            if (double.IsNaN(_tokens)) (_tokens, _lastRefillTicks) = (perSecond, nowTicks);
            var elapsed = TimeSpan.FromTicks(nowTicks - _lastRefillTicks).TotalSeconds;
            _tokens = Math.Min(perSecond, _tokens + elapsed * perSecond);
            _lastRefillTicks = nowTicks;
            return _tokens >= 1;
        }

        public void Take() => _tokens -= 1;
    }

    public bool Roll(Func<FaultSettings, double> rate)
    {
        lock (_gate)
        {
            var probability = rate(_settings);
            return probability > 0 && _random.NextDouble() < probability;
        }
    }
}
