using System.Diagnostics;
using System.Diagnostics.Metrics;
using Upflow.Orleans.Stripe;

namespace Upflow.Orleans.Webhooks;

/// <summary>Webhook instruments on the "Upflow.Orleans" meter, tagged with the organization id only.</summary>
public sealed class WebhookTelemetry
{
    private readonly Counter<long> _received;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _ignored;
    private readonly Counter<long> _rejected;
    private readonly Histogram<double> _lag;
    private readonly Counter<long> _applied;
    private readonly Histogram<double> _appliedLag;
    private readonly Counter<long> _readAgain;

    public WebhookTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(StripeTelemetry.Name);
        _received = meter.CreateCounter<long>("upflow.webhooks.received", "{event}", "Signed webhook events durably recorded (duplicates and ignored types included).");
        _duplicates = meter.CreateCounter<long>("upflow.webhooks.duplicates", "{event}", "Webhook deliveries of an event already recorded.");
        _ignored = meter.CreateCounter<long>("upflow.webhooks.ignored", "{event}", "Webhook events of a type the engine does not handle: acknowledged, never dispatched.");
        _rejected = meter.CreateCounter<long>("upflow.webhooks.rejected", "{request}", "Webhook requests refused: bad, missing or expired signature, unknown organization, malformed body.");
        _lag = meter.CreateHistogram<double>("upflow.webhooks.lag", "s", "From Stripe creating an event to its webhook being durably recorded.");
        _applied = meter.CreateCounter<long>("upflow.events.applied", "{event}", "Stripe events (webhook or catch-up) applied to their grain, by source and outcome.");
        _appliedLag = meter.CreateHistogram<double>("upflow.events.lag", "s", "From Stripe creating an event to its grain having applied it.");
        _readAgain = meter.CreateCounter<long>("upflow.events.read_again", "{object}",
            "Customers and invoices read again from Stripe because two of their changes were stamped with the same second.");
    }

    public void Recorded(string organizationId, RecordOutcome outcome, TimeSpan lag)
    {
        var tags = new TagList { { StripeTelemetry.OrganizationTag, organizationId } };
        _received.Add(1, tags);
        if (outcome == RecordOutcome.Duplicate) _duplicates.Add(1, tags);
        if (outcome == RecordOutcome.Ignored) _ignored.Add(1, tags);
        _lag.Record(Math.Max(0, lag.TotalSeconds), tags);
    }

    public void Applied(string organizationId, string source, string outcome, TimeSpan lag)
    {
        var tags = new TagList { { StripeTelemetry.OrganizationTag, organizationId }, { "event.source", source }, { "event.outcome", outcome } };
        _applied.Add(1, tags);
        _appliedLag.Record(Math.Max(0, lag.TotalSeconds), tags);
    }

    public void ReadAgain(string organizationId, string objectType) =>
        _readAgain.Add(1, new TagList { { StripeTelemetry.OrganizationTag, organizationId }, { "object.type", objectType } });

    /// <summary>No organization tag: the request is unauthenticated, and an id in its URL proves nothing (and would let anyone add series).</summary>
    public void Rejected(string reason) => _rejected.Add(1, new TagList { { "reason", reason } });
}
