namespace Upflow.Orleans.Accounts;

[GenerateSerializer, Alias("upflow.StripeAccountState")]
public sealed class StripeAccountState
{
    [Id(0)] public bool Connected { get; set; }
    [Id(1)] public string? AccountId { get; set; }
    /// <summary>AES-GCM under Upflow:EncryptionKey, bound to the organization id.</summary>
    [Id(2)] public string? SecretKeyCipher { get; set; }
    [Id(3)] public string? WebhookSecretCipher { get; set; }
    [Id(4)] public Backfill? Backfill { get; set; }
    /// <summary>Stripe's time of the newest event a catch-up listed.</summary>
    [Id(5)] public DateTimeOffset? LastEventAt { get; set; }
    /// <summary>
    /// When the last complete catch-up started: every event created before it (less the overlap) has
    /// been listed. The next catch-up lists from here, not from the newest webhook, which may have
    /// overtaken a dropped one.
    /// </summary>
    [Id(6)] public DateTimeOffset? EventsListedUntil { get; set; }
}

/// <summary>One full backfill run: a cursor per listed Stripe collection, persisted after each page.</summary>
[GenerateSerializer, Alias("upflow.Backfill")]
public sealed class Backfill
{
    [Id(0)] public DateTimeOffset StartedAt { get; set; }
    [Id(1)] public DateTimeOffset? CompletedAt { get; set; }
    [Id(2)] public string? LastError { get; set; }
    /// <summary>True when Stripe refused the key: retrying cannot help until the user reconnects.</summary>
    [Id(3)] public bool Failed { get; set; }
    [Id(4)] public BackfillCursor Customers { get; set; } = new();
    [Id(5)] public BackfillCursor Invoices { get; set; } = new();
    [Id(6)] public BackfillCursor InvoicePayments { get; set; } = new();
    [Id(7)] public BackfillCursor PaymentIntents { get; set; } = new();

    public bool Finished => Customers.Done && Invoices.Done && InvoicePayments.Done && PaymentIntents.Done;
}

/// <summary>
/// Where a listing stands: the last Stripe id applied (<c>starting_after</c> of the next page) and
/// what was counted up to it. Counts and cursor are written together, so a crash re-applies at most
/// one page and counts it once.
/// </summary>
[GenerateSerializer, Alias("upflow.BackfillCursor")]
public sealed class BackfillCursor
{
    [Id(0)] public string? After { get; set; }
    [Id(1)] public bool Done { get; set; }
    /// <summary>Objects imported into the ledger (or, for payment intents, succeeded intents seen).</summary>
    [Id(2)] public long Imported { get; set; }
    /// <summary>Objects the rules skip (drafts; invoice payments not paid).</summary>
    [Id(3)] public long Skipped { get; set; }
    /// <summary>Invoice payments only: paid payments backed by a payment intent.</summary>
    [Id(4)] public long AppliedIntents { get; set; }
}
