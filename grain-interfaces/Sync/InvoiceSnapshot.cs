namespace Upflow.Orleans.Sync;

/// <summary>A Stripe invoice as the sync rules see it. Amounts in minor units of <paramref name="Currency"/>.</summary>
/// <param name="StripeStatus">draft | open | paid | void | uncollectible (null only for a deleted draft).</param>
/// <param name="DueDate">Stripe's due_date instant; rendered as a calendar date in the organization's zone.</param>
/// <param name="AsOf">The event's <c>created</c> for a webhook, the request time for a list page.</param>
/// <param name="Deleted">Stripe deleted the invoice (only drafts can be deleted).</param>
[GenerateSerializer, Immutable, Alias("upflow.InvoiceSnapshot")]
public sealed record InvoiceSnapshot(
    [property: Id(0)] string Id,
    [property: Id(1)] string? Number,
    [property: Id(2)] string? CustomerId,
    [property: Id(3)] string Currency,
    [property: Id(4)] long Total,
    [property: Id(5)] long AmountDue,
    [property: Id(6)] long AmountPaid,
    [property: Id(7)] long AmountRemaining,
    [property: Id(8)] string? StripeStatus,
    [property: Id(9)] DateTimeOffset Created,
    [property: Id(10)] DateTimeOffset? EffectiveAt,
    [property: Id(11)] DateTimeOffset? FinalizedAt,
    [property: Id(12)] DateTimeOffset? PaidAt,
    [property: Id(13)] DateTimeOffset? DueDate,
    [property: Id(14)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(15)] DateTimeOffset AsOf,
    [property: Id(16)] bool Deleted);
