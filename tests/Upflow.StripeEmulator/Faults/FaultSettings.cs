namespace Upflow.StripeEmulator.Faults;

/// <summary>
/// Misbehaviour to inject on one account's API calls and webhooks. Random choices come from a
/// generator seeded with <see cref="Seed"/>, so a run is reproducible for the same request order.
/// </summary>
public sealed record FaultSettings
{
    /// <summary>Requests per second before answering 429 (Stripe's default live limit is 100/s); null = unlimited.</summary>
    public int? RequestsPerSecond { get; init; }
    /// <summary>
    /// Requests per second per endpoint ("GET /v1/invoices") before answering 429: Stripe's docs give
    /// individual endpoints 25/s unless stated otherwise, on top of the account's limit; null = unlimited.
    /// </summary>
    public int? EndpointRequestsPerSecond { get; init; }
    /// <summary>Stripe does not document a Retry-After on 429s; only Stripe-Should-Retry. Opt in to test clients that honour it.</summary>
    public int? RetryAfterSeconds { get; init; }
    public TimeSpan Latency { get; init; }
    /// <summary>Fraction (0–1) of API calls answered 500 api_error.</summary>
    public double ServerErrorRate { get; init; }
    /// <summary>
    /// Fraction (0–1) of API calls answered 429 lock_timeout, as Stripe answers a request for an
    /// object another request holds: not a rate limit, so no Stripe-Rate-Limited-Reason.
    /// </summary>
    public double LockTimeoutRate { get; init; }
    /// <summary>Fraction (0–1) of API calls that hang for <see cref="TimeoutDuration"/> before any response.</summary>
    public double TimeoutRate { get; init; }
    public TimeSpan TimeoutDuration { get; init; } = TimeSpan.FromSeconds(100);
    /// <summary>Fraction (0–1) of webhook deliveries silently dropped (the event stays in GET /v1/events).</summary>
    public double WebhookDropRate { get; init; }
    public int Seed { get; init; } = 1;

    public static readonly FaultSettings None = new();
}
