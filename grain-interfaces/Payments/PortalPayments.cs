using System.Security.Cryptography;
using System.Text;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Payments;

/// <summary>
/// One <c>POST /v1/payments</c>, identified by its Idempotency-Key. Key: <see cref="Ledger.LedgerKey"/>
/// with the idempotency key as object id, so the grain is the one place that decides, once and
/// durably, which payment a key created; concurrent duplicates queue on it.
/// </summary>
[Alias("upflow.IPaymentRequestGrain")]
public interface IPaymentRequestGrain : IGrainWithStringKey
{
    [Alias("Record")]
    Task<RecordPaymentOutcome> Record(PortalPaymentRequest request);
}

/// <summary>A payment collected in the AR portal, as the API validated it. Currency is lower case (Stripe's spelling).</summary>
[GenerateSerializer, Immutable, Alias("upflow.PortalPaymentRequest")]
public sealed record PortalPaymentRequest(
    [property: Id(0)] string InvoiceId,
    [property: Id(1)] long Amount,
    [property: Id(2)] string Currency,
    [property: Id(3)] DateTimeOffset PaidAt,
    [property: Id(4)] string Method)
{
    /// <summary>
    /// What "the same body" means for an idempotent replay: the same values, whatever the JSON
    /// spelling (member order, offset of paidAt, currency case).
    /// </summary>
    public string Fingerprint()
    {
        var canonical = $"{InvoiceId}\n{Amount}\n{Currency.ToLowerInvariant()}\n{PaidAt.UtcTicks}\n{Method}";
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }
}

public enum RecordPaymentStatus
{
    Created = 0,
    Replayed = 1,
    /// <summary>The idempotency key was already used with another body.</summary>
    KeyReused = 2,
    InvoiceNotFound = 3,
    CurrencyMismatch = 4,
    AmountExceedsRemaining = 5,
    /// <summary>No longer answered (the payment is recorded and Stripe's refusal is its export error);
    /// kept for the request grains of the previous version during a rolling upgrade.</summary>
    InvoiceVoided = 6,
    /// <inheritdoc cref="InvoiceVoided"/>
    InvoiceAlreadyPaid = 7,
    NotConnected = 8,
}

[GenerateSerializer, Immutable, Alias("upflow.RecordPaymentOutcome")]
public sealed record RecordPaymentOutcome(
    [property: Id(0)] RecordPaymentStatus Status,
    [property: Id(1)] string? PaymentId,
    [property: Id(2)] string? Message,
    [property: Id(3)] DateTimeOffset? RecordedAt = null)
{
    public static RecordPaymentOutcome Refused(RecordPaymentStatus status, string message) => new(status, null, message);
}

/// <summary>The portal payment a payment grain is created with, and when the request recorded it.</summary>
[GenerateSerializer, Immutable, Alias("upflow.PortalPayment")]
public sealed record PortalPayment(
    [property: Id(0)] PortalPaymentRequest Request,
    [property: Id(1)] string? CustomerId,
    [property: Id(2)] DateTimeOffset RecordedAt);

public enum ExportRequestStatus
{
    /// <summary>An export attempt is scheduled now (the payment was in error, or pending).</summary>
    Scheduled = 0,
    AlreadyExported = 1,
    /// <summary>A Stripe payment: it came from Stripe, there is nothing to write back.</summary>
    NotExportable = 2,
    NotFound = 3,
}

/// <summary>What the account grain's out-of-band pay call came to.</summary>
public enum WriteBackStatus
{
    Paid = 0,
    /// <summary>Stripe answered 4xx: Stripe's message says why; retrying the same call cannot help.</summary>
    Refused = 1,
    /// <summary>Transient (429, 5xx, timeouts, network) beyond the gateway's own retries.</summary>
    Failed = 2,
    /// <summary>The organization disconnected Stripe: write-back waits for a reconnection.</summary>
    NotConnected = 3,
    /// <summary>Nothing was sent: the account's Stripe request budget is taken for longer than a call may wait.</summary>
    Busy = 4,
}

/// <param name="Invoice">On <see cref="WriteBackStatus.Paid"/>, the invoice as Stripe returned it (now paid).</param>
[GenerateSerializer, Immutable, Alias("upflow.WriteBackOutcome")]
public sealed record WriteBackOutcome(
    [property: Id(0)] WriteBackStatus Status,
    [property: Id(1)] string? Message,
    [property: Id(2)] InvoiceSnapshot? Invoice);
