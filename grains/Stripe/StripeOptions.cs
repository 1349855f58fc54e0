using System.ComponentModel.DataAnnotations;

namespace Upflow.Orleans.Stripe;

/// <summary>Configuration section "Stripe".</summary>
public sealed class StripeOptions
{
    public const string Section = "Stripe";

    /// <summary>Every Stripe call goes to this base (the emulator in tests and demos).</summary>
    [Required]
    public string ApiBase { get; set; } = "https://api.stripe.com";

    /// <summary>
    /// Per Stripe account (one per organization), at most: Stripe's live limit is 100/s per account
    /// and the tenant's own integrations share it. An account that answers 429 is paced slower for a
    /// while (<see cref="StripePacing"/>).
    /// </summary>
    [Range(1, 10_000)]
    public int MaxRequestsPerSecond { get; set; } = 90;

    /// <summary>One attempt's budget; waiting for the account's pacing does not count against it.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt, for 429s, 5xx, timeouts and network errors.</summary>
    [Range(0, 20)]
    public int MaxRetries { get; set; } = 6;

    /// <summary>
    /// First backoff delay, doubled per retry with jitter: 0.5 s over 6 retries spreads about 30 s,
    /// long enough to ride out a Stripe incident blip or a 429 burst.
    /// </summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Cap on one backoff delay, and on a Retry-After we honour.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(30);
}
