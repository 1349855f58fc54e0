namespace Upflow.Orleans.Webhooks;

/// <summary>
/// A Stripe event as stored in upflow_events: the verified payload, verbatim, as text (<c>ObjectId</c>,
/// data.object.id, only orders dispatch). <c>TraceParent</c> is the W3C traceparent of the webhook
/// request that delivered it: applying the event, after the 200, continues that trace.
/// </summary>
public sealed record StripeEventRecord(
    string OrganizationId,
    string EventId,
    string Type,
    DateTimeOffset Created,
    string Payload,
    string Source,
    string? ObjectId = null,
    string? TraceParent = null)
{
    public static class Sources
    {
        public const string Webhook = "webhook";
        public const string CatchUp = "catch_up";
    }
}

/// <summary>What recording an event did: a first sighting to dispatch, a duplicate, or an unknown type kept but never dispatched.</summary>
public enum RecordOutcome
{
    New = 0,
    Duplicate = 1,
    Ignored = 2,
}

/// <summary>An organization's event stream as GET /v1/stripe/sync shows it.</summary>
public sealed record EventStreamStatus(DateTimeOffset? LastEventAt, double? LagSeconds, long WaitingEvents);
