using Orleans.Concurrency;

namespace Upflow.Orleans.Accounts;

/// <summary>
/// An organization's Stripe account: the connection, the backfill and its progress. Key: the
/// organization id. Secrets enter through <see cref="Connect"/> and never come back out.
/// </summary>
[Alias("upflow.IStripeAccountGrain")]
public interface IStripeAccountGrain : IGrainWithStringKey
{
    /// <summary>Validates the key against Stripe, stores the secrets encrypted and starts a full backfill.</summary>
    [Alias("Connect")]
    Task<ConnectOutcome> Connect(string secretKey, string webhookSecret);

    /// <summary>Stops syncing and write-back; the ledger data stays.</summary>
    [Alias("Disconnect")]
    Task Disconnect();

    /// <summary>Starts a full re-sync (resumable, idempotent); false when not connected.</summary>
    [Alias("StartFullSync")]
    Task<bool> StartFullSync();

    [Alias("GetStatus"), AlwaysInterleave]
    Task<SyncStatus> GetStatus();

    /// <summary>
    /// Starts catching up from Stripe's Events API since the last catch-up (after the backfill when
    /// one is running); false when not connected.
    /// </summary>
    [Alias("StartCatchUp")]
    Task<bool> StartCatchUp();

    /// <summary>
    /// The webhook signing secret, encrypted and bound to the organization (only the silo-local
    /// cache of the webhook endpoint decrypts it); null when not connected.
    /// </summary>
    [Alias("GetWebhookSecretCipher"), AlwaysInterleave]
    Task<string?> GetWebhookSecretCipher();

    /// <summary>
    /// An invoice_payment event: re-reads the invoice payment from Stripe with its payment method
    /// expanded (webhook payloads are never expanded) and has its payment grain apply it.
    /// Interleaved: it changes no account state, and the catch-up dispatches through it.
    /// </summary>
    [Alias("ApplyInvoicePayment"), AlwaysInterleave]
    Task<Ledger.ApplyOutcome> ApplyInvoicePayment(string invoicePaymentId);

    /// <summary>
    /// Two different snapshots of the customer as of the same second tied (events are stamped to
    /// the second): reads it again from Stripe and has its grain apply that, as of the request but
    /// no earlier than the tie (the request follows both changes). Interleaved, as above.
    /// </summary>
    [Alias("ReadCustomerAgain"), AlwaysInterleave]
    Task<Ledger.ApplyOutcome> ReadCustomerAgain(string customerId, DateTimeOffset tiedAsOf);

    /// <summary>As <see cref="ReadCustomerAgain"/>, for an invoice.</summary>
    [Alias("ReadInvoiceAgain"), AlwaysInterleave]
    Task<Ledger.ApplyOutcome> ReadInvoiceAgain(string invoiceId, DateTimeOffset tiedAsOf);

    /// <summary>
    /// Write-back: marks a Stripe invoice paid out of band with the caller's idempotency key. The
    /// secret key is decrypted here, for the call, and never leaves the grain. Interleaved: payments
    /// export side by side, each call only reads the connection.
    /// </summary>
    [Alias("PayInvoiceOutOfBand"), AlwaysInterleave]
    Task<Payments.WriteBackOutcome> PayInvoiceOutOfBand(string invoiceId, string idempotencyKey);
}

[GenerateSerializer, Immutable, Alias("upflow.ConnectOutcome")]
public sealed record ConnectOutcome(
    [property: Id(0)] bool Accepted,
    [property: Id(1)] string? AccountId,
    [property: Id(2)] string? Error,
    [property: Id(3)] bool StripeUnreachable = false)
{
    public static ConnectOutcome Connected(string accountId) => new(true, accountId, null);
    public static ConnectOutcome Rejected(string stripeMessage) => new(false, null, stripeMessage);

    /// <summary>Stripe could not be asked about the key: nothing was changed; the caller may try again.</summary>
    public static ConnectOutcome Unreachable(string reason) => new(false, null, reason, StripeUnreachable: true);
}

public static class SyncStates
{
    public const string NotConnected = "not_connected";
    public const string Backfilling = "backfilling";
    public const string Live = "live";
    public const string Failed = "failed";
}

[GenerateSerializer, Immutable, Alias("upflow.SyncCounts")]
public sealed record SyncProgress(
    [property: Id(0)] long Customers,
    [property: Id(1)] long Invoices,
    [property: Id(2)] long Payments);

[GenerateSerializer, Immutable, Alias("upflow.SyncSkipped")]
public sealed record SyncSkipped(
    [property: Id(0)] long DraftInvoices,
    [property: Id(1)] long UnappliedPayments);

[GenerateSerializer, Immutable, Alias("upflow.SyncStatus")]
public sealed record SyncStatus(
    [property: Id(0)] string State,
    [property: Id(1)] string? AccountId,
    [property: Id(2)] DateTimeOffset? StartedAt,
    [property: Id(3)] DateTimeOffset? CompletedAt,
    [property: Id(4)] SyncProgress Progress,
    [property: Id(5)] SyncSkipped Skipped,
    [property: Id(6)] DateTimeOffset? LastEventAt,
    [property: Id(7)] string? LastError);
