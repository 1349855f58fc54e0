using System.Diagnostics;
using System.Diagnostics.Metrics;
using Upflow.Orleans.Stripe;

namespace Upflow.Orleans.Payments;

/// <summary>Export instruments on the "Upflow.Orleans" meter, tagged by organization and outcome (never a payment id).</summary>
public sealed class PaymentTelemetry
{
    public const string OutcomeTag = "export.outcome";

    internal static readonly ActivitySource Source = new(StripeTelemetry.Name);

    private readonly Counter<long> _attempts;
    private readonly Counter<long> _failures;

    public PaymentTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(StripeTelemetry.Name);
        _attempts = meter.CreateCounter<long>("upflow.payments.export_attempts", "{attempt}", "Attempts to write a portal payment back to Stripe.");
        _failures = meter.CreateCounter<long>("upflow.payments.export_failures", "{attempt}", "Export attempts that did not succeed (transient, refused, or unexplained).");
    }

    internal void CountAttempt(string organizationId, string outcome)
    {
        var tags = new TagList { { StripeTelemetry.OrganizationTag, organizationId }, { OutcomeTag, outcome } };
        _attempts.Add(1, tags);
        if (outcome != "exported") _failures.Add(1, tags);
    }
}
