namespace Upflow.Orleans.Webhooks;

/// <summary>
/// Webhook deliveries this silo is answering right now: from the request's start to its answer.
/// Many at once is a burst, and the dispatcher lets acknowledgements go first (see
/// <see cref="RealTimeOptions.BurstDeliveries"/>).
/// </summary>
public sealed class WebhookDeliveries
{
    private int _inFlight;

    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>Counts a delivery until the returned scope is disposed.</summary>
    public Delivery Begin()
    {
        Interlocked.Increment(ref _inFlight);
        return new Delivery(this);
    }

    public readonly struct Delivery(WebhookDeliveries deliveries) : IDisposable
    {
        public void Dispose() => Interlocked.Decrement(ref deliveries._inFlight);
    }
}
