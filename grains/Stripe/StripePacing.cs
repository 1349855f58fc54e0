using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Upflow.Orleans.Stripe;

/// <summary>
/// Paces each organization's Stripe calls (one Stripe account each): every attempt, retries
/// included, waits for its slot, so one tenant's backfill cannot eat another's, and requests queue
/// rather than fail for want of a slot. The pace starts at <see cref="StripeOptions.MaxRequestsPerSecond"/>
/// and adapts: an account that answers 429 has less budget than configured (test mode's 25/s, the
/// tenant's own integrations sharing the account), so each 429 halves its pace (once a second at
/// most: the calls already in flight answer 429 too) and the pace then climbs back linearly. Without
/// it a slow account answers most attempts 429 and a call can exhaust its retries.
/// </summary>
public sealed partial class StripePacing(IOptions<StripeOptions> options, TimeProvider clock, ILogger<StripePacing> logger)
{
    /// <summary>The lowest pace a run of 429s can bring an account to.</summary>
    private const double MinPerSecond = 1;

    /// <summary>Climbing back from a 429, the pace regains the configured rate over this long.</summary>
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(30);

    /// <summary>Calls already in flight when a 429 arrives answer 429 too; they are one signal, not many.</summary>
    private static readonly TimeSpan SlowDownOnceWithin = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, AccountPace> _accounts = new(StringComparer.Ordinal);

    public ValueTask<RateLimitLease> WaitAsync(string organizationId, CancellationToken cancellation)
    {
        var wait = Account(organizationId).Reserve(clock.GetTimestamp());
        return wait <= TimeSpan.Zero ? ValueTask.FromResult<RateLimitLease>(Slot.Granted) : WaitForSlotAsync(wait, cancellation);
    }

    /// <summary>Stripe answered 429 for this organization: slow its pace down.</summary>
    public void RateLimited(string organizationId)
    {
        var account = Account(organizationId);
        if (account.SlowDown(clock.GetTimestamp()) is { } pace)
            LogSlowedDown(logger, organizationId, Math.Round(pace, 1), account.MaxPerSecond);
    }

    /// <summary>The requests per second the organization's calls are paced at now.</summary>
    public double PerSecond(string organizationId) =>
        _accounts.TryGetValue(organizationId, out var account) ? account.PaceAt(clock.GetTimestamp()) : options.Value.MaxRequestsPerSecond;

    private AccountPace Account(string organizationId) =>
        _accounts.GetOrAdd(organizationId, static (_, state) => new AccountPace(state.Max, state.Frequency), (Max: (double)Math.Max(1, options.Value.MaxRequestsPerSecond), Frequency: (double)clock.TimestampFrequency));

    private async ValueTask<RateLimitLease> WaitForSlotAsync(TimeSpan wait, CancellationToken cancellation)
    {
        await Task.Delay(wait, clock, cancellation);
        return Slot.Granted;
    }

    /// <summary>
    /// One account's pace as a virtual schedule (GCRA): each call takes the next slot, one interval
    /// after the previous, and may run up to a tenth of a second's worth of slots early. Slots are
    /// times, not tokens topped up by a timer, so a thread pool running late loses no budget, and any
    /// one-second window holds at most the pace plus a tenth of it (99 calls at 90/s, under Stripe's 100).
    /// </summary>
    private sealed class AccountPace(double maxPerSecond, double frequency)
    {
        private readonly Lock _gate = new();
        private double _next;
        private double _slowedTo;
        private long _slowedAt;
        private bool _slowed;

        public double MaxPerSecond => maxPerSecond;

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

        /// <returns>The new pace, or null when the account was slowed down less than a second ago.</returns>
        public double? SlowDown(long now)
        {
            lock (_gate)
            {
                if (_slowed && (now - _slowedAt) / frequency < SlowDownOnceWithin.TotalSeconds) return null;
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

    private sealed class Slot : RateLimitLease
    {
        public static readonly Slot Granted = new();
        public override bool IsAcquired => true;
        public override IEnumerable<string> MetadataNames => [];
        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = null;
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Stripe answered 429 for organization {OrganizationId}: its calls are paced at {PerSecond}/s for now (configured {MaxPerSecond}/s), climbing back over 30 s")]
    private static partial void LogSlowedDown(ILogger logger, string organizationId, double perSecond, double maxPerSecond);
}
