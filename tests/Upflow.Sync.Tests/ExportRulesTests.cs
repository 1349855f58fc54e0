using Upflow.Orleans.Payments;
using Upflow.Orleans.Storage;

namespace Upflow.Sync.Tests;

/// <summary>The export state machine of a portal payment: what the payments list shows after each attempt.</summary>
public class ExportRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);
    private static readonly WriteBackOptions Options = new();

    private static PaymentExport Pending() => ExportRules.Recorded(Now);

    [Fact]
    public void Paid_is_exported_after_one_attempt()
    {
        var export = ExportRules.AfterAttempt(Pending(), new WriteBackOutcome(WriteBackStatus.Paid, null, null), Now, Options, 0.5);

        Assert.Equal(ExportStatuses.Exported, export.Status);
        Assert.Equal(1, export.Attempts);
        Assert.Null(export.NextAttemptAt);
    }

    [Fact]
    public void A_refusal_is_an_error_carrying_Stripes_message()
    {
        var export = ExportRules.AfterAttempt(Pending(), new WriteBackOutcome(WriteBackStatus.Refused, "Invoice is already paid.", null), Now, Options, 0.5);

        Assert.Equal(ExportStatuses.Error, export.Status);
        Assert.Equal("Invoice is already paid.", export.Error);
    }

    [Fact]
    public void A_transient_failure_stays_pending_and_backs_off()
    {
        var export = ExportRules.AfterAttempt(Pending(), new WriteBackOutcome(WriteBackStatus.Failed, "HTTP 500", null), Now, Options, 0);

        Assert.Equal(ExportStatuses.Pending, export.Status);
        Assert.Equal(1, export.RoundAttempts);
        Assert.Equal(Now + Options.RetryBaseDelay / 2, export.NextAttemptAt);
    }

    [Fact]
    public void Transient_failures_beyond_the_budget_say_Synchronisation_failed()
    {
        var export = Pending();
        for (var i = 0; i < Options.MaxAttempts; i++)
            export = ExportRules.AfterAttempt(export, new WriteBackOutcome(WriteBackStatus.Failed, "HTTP 500", null), Now, Options, 0.5);

        Assert.Equal(ExportStatuses.Error, export.Status);
        Assert.Equal("Synchronisation failed. Please contact support.", export.Error);
        Assert.Equal(Options.MaxAttempts, export.Attempts);
    }

    [Fact]
    public void A_busy_account_uses_no_attempt_and_comes_back_within_twice_the_busy_delay()
    {
        var busy = new WriteBackOutcome(WriteBackStatus.Busy, "budget taken", null);

        var soonest = ExportRules.AfterAttempt(Pending(), busy, Now, Options, 0);
        var latest = ExportRules.AfterAttempt(Pending(), busy, Now, Options, 0.999);

        Assert.Equal(ExportStatuses.Pending, soonest.Status);
        Assert.Equal(0, soonest.Attempts);
        Assert.Equal(0, soonest.RoundAttempts);
        Assert.Null(soonest.Error);
        Assert.Equal(Now + Options.BusyRetryDelay, soonest.NextAttemptAt);
        Assert.InRange(latest.NextAttemptAt!.Value, Now + Options.BusyRetryDelay, Now + 2 * Options.BusyRetryDelay);
    }

    [Fact]
    public void Many_busy_answers_never_exhaust_the_budget()
    {
        var export = Pending();
        for (var i = 0; i < 100; i++)
            export = ExportRules.AfterAttempt(export, new WriteBackOutcome(WriteBackStatus.Busy, null, null), Now, Options, 0.5);

        Assert.Equal(ExportStatuses.Pending, export.Status);
        Assert.Equal(0, export.Attempts);
    }
}
