namespace Upflow.StripeEmulator;

/// <summary>
/// Wall-clock time plus an offset tests can move forward: lets a test age events past Stripe's
/// 30-day retention or make invoices overdue without waiting.
/// </summary>
public sealed class EmulatorClock : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));
    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
}
