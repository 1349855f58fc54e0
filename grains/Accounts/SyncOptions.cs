namespace Upflow.Orleans.Accounts;

/// <summary>Section "Upflow:Sync".</summary>
public sealed class SyncOptions
{
    /// <summary>
    /// How often the durable reminder checks that an unfinished backfill is running. It is what
    /// resumes a backfill on another silo after a crash; Orleans' floor for reminders is one minute
    /// unless ReminderOptions.MinimumReminderPeriod says otherwise.
    /// </summary>
    public TimeSpan ResumeInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// A backfill paused because Stripe stayed unreachable beyond the gateway's retries tries again
    /// this long after, doubling per pause without progress up to <see cref="ResumeInterval"/>: a
    /// 429 storm or a Stripe blip costs seconds, not the reminder's minute. The reminder stays the
    /// net for crashes.
    /// </summary>
    public TimeSpan FirstResumeDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A listing range that has returned this many pages and still has more, or whose pages' density
    /// says it has twice this many left, is split in two by <c>created</c>, each half paged side by side: one
    /// cursor reads at most one page per Stripe round trip, far below an account's rate limit. Small
    /// listings never split (each split can cost one extra, partial page).
    /// </summary>
    public int SplitAfterPages { get; set; } = 10;

    /// <summary>Ranges paged at once per account, over its four listings.</summary>
    public int MaxSlices { get; set; } = 12;
}
