namespace Upflow.Orleans.Webhooks;

/// <summary>Section "Upflow": real-time sync after the backfill.</summary>
public sealed class RealTimeOptions
{
    /// <summary>Upflow:CatchUpInterval — how often each connected account catches up from GET /v1/events.</summary>
    public TimeSpan CatchUpInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Upflow:EventDrainInterval — how often each silo applies acknowledged events that no grain has applied yet.</summary>
    public TimeSpan EventDrainInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Upflow:EventDrainGrace — an event younger than this is left to the live dispatch that follows
    /// its acknowledgement; only older ones are drained (applying twice is harmless, only wasteful).
    /// </summary>
    public TimeSpan EventDrainGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Upflow:BurstDeliveries — this many webhook deliveries in flight at once on a silo is a burst:
    /// the silo's cores go to acknowledging them first, and applying waits (see <see cref="BurstApplyDelay"/>).
    /// </summary>
    public int BurstDeliveries { get; set; } = 16;

    /// <summary>
    /// Upflow:BurstApplyDelay — during a burst, how long an acknowledged event may wait before it is
    /// applied anyway. Zero applies at once, whatever the load.
    /// </summary>
    public TimeSpan BurstApplyDelay { get; set; } = TimeSpan.FromSeconds(10);
}
