namespace Upflow.Orleans.Payments;

/// <summary>Section "Upflow:WriteBack": the payment grain's own retries, on top of the gateway's.</summary>
public sealed class WriteBackOptions
{
    public const string Section = "Upflow:WriteBack";

    /// <summary>
    /// Attempts per export before "Synchronisation failed"; each attempt already retries transient
    /// failures for about 30 s in the gateway. 8 attempts from 1 min doubling to 1 h span about 2 h:
    /// a Stripe incident, well inside Stripe's 24 h idempotency window.
    /// </summary>
    public int MaxAttempts { get; set; } = 8;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromHours(1);

    /// <summary>
    /// When the account's Stripe budget is queued too deep to take the export now (a burst of portal
    /// payments), it is tried again after between one and two of these, without using an attempt.
    /// </summary>
    public TimeSpan BusyRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Period of the durable reminder that keeps an unfinished export alive across silo restarts, and
    /// how often a disconnected organization's pending payments look again. At least Orleans'
    /// ReminderOptions.MinimumReminderPeriod (1 min by default).
    /// </summary>
    public TimeSpan ReminderPeriod { get; set; } = TimeSpan.FromMinutes(1);
}
