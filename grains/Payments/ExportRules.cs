using Upflow.Orleans.Storage;

namespace Upflow.Orleans.Payments;

/// <summary>
/// The export state machine of a portal payment, as pure functions: pending → (exporting) →
/// exported | error, with a retry budget and backoff. The payment grain runs the attempt and persists
/// what these rules decide.
/// </summary>
public static class ExportRules
{
    /// <summary>The message users know from Upflow: retries exhausted, or a cause we cannot explain.</summary>
    public const string SynchronisationFailed = "Synchronisation failed. Please contact support.";

    /// <summary>
    /// The Stripe idempotency key of an export: the payment id, so that no retry and no crash can
    /// record it twice. A manual retry after an error gets a key of its own, since Stripe would
    /// otherwise replay its earlier answer for 24 h; a paid invoice refuses a second payment anyway.
    /// </summary>
    public static string IdempotencyKey(string paymentId, int manualRetries) =>
        manualRetries == 0 ? $"{paymentId}-export" : $"{paymentId}-export-retry-{manualRetries}";

    /// <summary>A new portal payment: pending, first attempt now.</summary>
    public static PaymentExport Recorded(DateTimeOffset now) => new(ExportStatuses.Pending, null, 0, null, now);

    /// <summary>
    /// A portal payment as its request recorded it (export pending, no attempt yet). The first
    /// attempt starts at once and can finish before the response is written: the 201 shows the
    /// payment as created, not whatever the attempt has made of it since.
    /// </summary>
    public static PaymentRecord AsRecorded(PaymentRecord current, DateTimeOffset recordedAt) =>
        current with { Export = Recorded(recordedAt), UpdatedAt = recordedAt };

    /// <summary>"Export back to Stripe Billing" on a payment in error: a new round, with a fresh budget and key.</summary>
    public static PaymentExport RetriedByHand(PaymentExport export, DateTimeOffset now) => export with
    {
        Status = ExportStatuses.Pending,
        Error = null,
        NextAttemptAt = now,
        ManualRetries = export.ManualRetries + 1,
        RoundAttempts = 0,
    };

    /// <summary>The state after an attempt.</summary>
    /// <param name="outcome">What Stripe said; null when the attempt failed for a reason we cannot explain.</param>
    /// <param name="jitter">Uniform in [0, 1).</param>
    public static PaymentExport AfterAttempt(PaymentExport export, WriteBackOutcome? outcome, DateTimeOffset now, WriteBackOptions options, double jitter)
    {
        if (outcome is { Status: WriteBackStatus.NotConnected })
        {
            // Not an attempt: nothing was sent. The payment waits for a reconnection, unbudgeted.
            return export with { NextAttemptAt = now + options.ReminderPeriod };
        }

        if (outcome is { Status: WriteBackStatus.Busy })
        {
            // Not an attempt either: the account had no Stripe budget to spare. Back soon, spread out
            // so that a burst of payments drains at the budget's pace instead of returning together.
            return export with { NextAttemptAt = now + options.BusyRetryDelay * (1 + Math.Clamp(jitter, 0, 1)) };
        }

        var attempted = export with { Attempts = export.Attempts + 1, RoundAttempts = export.RoundAttempts + 1, LastAttemptAt = now };
        switch (outcome?.Status)
        {
            case WriteBackStatus.Paid:
                return attempted with { Status = ExportStatuses.Exported, Error = null, NextAttemptAt = null };
            case WriteBackStatus.Refused:
                return attempted with { Status = ExportStatuses.Error, Error = outcome.Message ?? SynchronisationFailed, NextAttemptAt = null };
            case WriteBackStatus.Failed when attempted.RoundAttempts < options.MaxAttempts:
                return attempted with
                {
                    Status = ExportStatuses.Pending,
                    Error = null,
                    NextAttemptAt = now + Delay(attempted.RoundAttempts, options.RetryBaseDelay, options.MaxRetryDelay, jitter),
                };
            default:
                return attempted with { Status = ExportStatuses.Error, Error = SynchronisationFailed, NextAttemptAt = null };
        }
    }

    /// <summary>Exponential backoff with "equal jitter": half the delay fixed, half random.</summary>
    /// <param name="failedAttempts">Failed attempts of this round so far, at least 1.</param>
    /// <remarks>
    /// Payments that failed together (a Stripe incident) spread out instead of coming back as one
    /// burst, yet none comes back immediately.
    /// </remarks>
    public static TimeSpan Delay(int failedAttempts, TimeSpan baseDelay, TimeSpan maxDelay, double jitter)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failedAttempts, 1);
        var exponent = Math.Min(failedAttempts - 1, 30);
        var ceiling = TimeSpan.FromTicks((long)Math.Min(maxDelay.Ticks, baseDelay.Ticks * Math.Pow(2, exponent)));
        return ceiling / 2 + ceiling / 2 * Math.Clamp(jitter, 0, 1);
    }
}
