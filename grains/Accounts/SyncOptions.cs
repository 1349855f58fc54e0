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
}
