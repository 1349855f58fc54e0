using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Upflow.Orleans.Stripe;

/// <summary>
/// The gateway's instruments. Tags are the organization id and the endpoint template
/// ("GET /v1/invoices"): never an object id (cardinality) and never the key.
/// </summary>
public sealed class StripeTelemetry
{
    public const string Name = "Upflow.Orleans";
    public const string OrganizationTag = "organization.id";
    public const string EndpointTag = "stripe.endpoint";

    internal static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _requests;
    private readonly Counter<long> _rateLimited;

    public StripeTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _requests = meter.CreateCounter<long>("upflow.stripe.requests", "{request}", "HTTP requests sent to Stripe, retries included.");
        _rateLimited = meter.CreateCounter<long>("upflow.stripe.rate_limited", "{response}", "Stripe responses with status 429.");
    }

    internal void CountRequest(StripeCall call) => _requests.Add(1, Tags(call));

    internal void CountRateLimited(StripeCall call) => _rateLimited.Add(1, Tags(call));

    private static TagList Tags(StripeCall call) => new()
    {
        { OrganizationTag, call.OrganizationId },
        { EndpointTag, call.Endpoint },
    };
}
