namespace Upflow.StripeEmulator.Faults;

/// <summary>The live fault configuration of an account plus the state it needs (token bucket, seeded random).</summary>
internal sealed class FaultState
{
    private readonly Lock _gate = new();
    private FaultSettings _settings = FaultSettings.None;
    private Random _random = new(1);
    private double _tokens;
    private long _lastRefillTicks;

    public FaultSettings Settings
    {
        get { lock (_gate) return _settings; }
        set
        {
            lock (_gate)
            {
                _settings = value;
                _random = new Random(value.Seed);
                _tokens = value.RequestsPerSecond ?? 0;
                _lastRefillTicks = 0;
            }
        }
    }

    /// <summary>Token bucket: a burst of N, refilled at N per second, like Stripe's per-second limiter.</summary>
    public bool TryTakeToken(long nowTicks)
    {
        lock (_gate)
        {
            if (_settings.RequestsPerSecond is not { } perSecond) return true;
            if (_lastRefillTicks == 0) _lastRefillTicks = nowTicks;
            var elapsed = TimeSpan.FromTicks(nowTicks - _lastRefillTicks).TotalSeconds;
            _tokens = Math.Min(perSecond, _tokens + elapsed * perSecond);
            _lastRefillTicks = nowTicks;
            if (_tokens < 1) return false;
            _tokens -= 1;
            return true;
        }
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
