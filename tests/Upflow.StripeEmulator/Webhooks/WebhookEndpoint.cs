using System.Collections.Concurrent;

namespace Upflow.StripeEmulator.Webhooks;

/// <summary>One webhook delivery attempt, kept so tests can see what was sent and how it was answered.</summary>
public sealed record WebhookDelivery(string EventId, string EventType, DateTimeOffset SentAt, int? StatusCode, bool ValidSignature, bool Dropped);

/// <summary>How to deliver events on demand; combine freely.</summary>
public sealed record WebhookDeliveryOptions
{
    /// <summary>Extra copies of each event (Stripe delivers at least once).</summary>
    public int Duplicates { get; init; }
    /// <summary>Deliver in a seeded random order instead of creation order (Stripe does not guarantee order).</summary>
    public bool Shuffle { get; init; }
    public int ShuffleSeed { get; init; } = 1;
    public TimeSpan Delay { get; init; }
    /// <summary>Sign with a wrong secret: a correct receiver must answer 400 and store nothing.</summary>
    public bool BadSignature { get; init; }
    /// <summary>Record the attempt as dropped and send nothing; the event stays in GET /v1/events for catch-up.</summary>
    public bool Drop { get; init; }
}

/// <summary>An account's endpoint: where events go and the whsec_ secret they are signed with.</summary>
internal sealed class WebhookEndpoint
{
    private readonly ConcurrentQueue<WebhookDelivery> _deliveries = new();

    public string? Url { get; set; }
    public string Secret { get; set; } = "";
    /// <summary>When true every new event is delivered as soon as it is created, like a live Stripe endpoint.</summary>
    public bool AutoDeliver { get; set; }

    public void Record(WebhookDelivery delivery) => _deliveries.Enqueue(delivery);
    public IReadOnlyList<WebhookDelivery> Deliveries => _deliveries.ToArray();
}
