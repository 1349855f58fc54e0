using System.Collections.Concurrent;

namespace Upflow.StripeEmulator.Store;

/// <summary>An invoice the product marked paid out of band, with the idempotency key it sent.</summary>
public sealed record OutOfBandPayment(string InvoiceId, string? IdempotencyKey, long Amount, string Currency, DateTimeOffset PaidAt, string RequestId);

/// <summary>How many requests an endpoint ("GET /v1/invoices") received, and how many were answered 429.</summary>
public sealed record EndpointRequestCount(string Endpoint, long Requests, long RateLimited);

/// <summary>A response kept for Idempotency-Key replays.</summary>
internal sealed record IdempotentResponse(string Method, string Path, string Fingerprint, int Status, byte[] Body);

/// <summary>What the product did to an account: read back by tests and the bench.</summary>
internal sealed class AccountActivity
{
    private readonly ConcurrentDictionary<string, long[]> _requests = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<OutOfBandPayment> _outOfBand = new();

    public ConcurrentDictionary<string, IdempotentResponse> Idempotency { get; } = new(StringComparer.Ordinal);
    /// <summary>Keys whose first request is still executing: Stripe answers a concurrent duplicate with 409.</summary>
    public ConcurrentDictionary<string, bool> IdempotencyInFlight { get; } = new(StringComparer.Ordinal);

    public void CountRequest(string endpoint, bool rateLimited)
    {
        var counters = _requests.GetOrAdd(endpoint, _ => new long[2]);
        Interlocked.Increment(ref counters[0]);
        if (rateLimited) Interlocked.Increment(ref counters[1]);
    }

    public IReadOnlyList<EndpointRequestCount> RequestCounts() =>
        _requests.Select(r => new EndpointRequestCount(r.Key, Interlocked.Read(ref r.Value[0]), Interlocked.Read(ref r.Value[1])))
            .OrderBy(r => r.Endpoint, StringComparer.Ordinal).ToList();

    public void ResetRequestCounts() => _requests.Clear();

    public void RecordOutOfBand(OutOfBandPayment payment) => _outOfBand.Enqueue(payment);
    public IReadOnlyList<OutOfBandPayment> OutOfBandPayments() => _outOfBand.ToArray();
}
