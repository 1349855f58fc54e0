namespace Upflow.Orleans.Sync;

/// <summary>A Stripe customer as the sync rules see it, stamped with the instant it was true.</summary>
/// <param name="Balance">Stripe's customer balance, in minor units of <paramref name="Currency"/>.</param>
/// <param name="AsOf">The event's <c>created</c> for a webhook, the request time for a list page.</param>
/// <param name="Deleted">Stripe deleted the customer; final (see SnapshotOrdering).</param>
[GenerateSerializer, Immutable, Alias("upflow.CustomerSnapshot")]
public sealed record CustomerSnapshot(
    [property: Id(0)] string Id,
    [property: Id(1)] string? Name,
    [property: Id(2)] string? Email,
    [property: Id(3)] string? Currency,
    [property: Id(4)] long Balance,
    [property: Id(5)] bool? Delinquent,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(8)] CustomerNativeFields Native,
    [property: Id(9)] DateTimeOffset AsOf,
    [property: Id(10)] bool Deleted);

// The nine native Stripe customer fields that settings can turn into custom fields (CONTRACT §2
// "Settings"), each holding what a user recognises in the Stripe dashboard:
//   accountEmail         the customer's email
//   delinquent           Stripe's delinquent flag (a boolean)
//   description          the description as typed
//   discount             the coupon id of the customer's discount (not its name: webhook payloads never
//                        expand the coupon, and the value must not flip between a backfill and an event)
//   defaultPaymentMethod invoice_settings.default_payment_method id, else the legacy default_source id
//   sources              source ids (card_…, ba_…, src_…); [] when none
//   subscriptions        subscription ids (sub_…); [] when none
//   taxLocationCountry   tax.location.country, ISO 3166-1 alpha-2
//   taxExempt            none | exempt | reverse
// Omitted lists the names Stripe left out of the payload: sources, subscriptions and tax only come
// when expanded, so a webhook's customer has none of them. Omitted means "unknown", not "empty":
// the grain keeps what it had (CustomerRules.CarryOmittedNativeFields).
[GenerateSerializer, Immutable, Alias("upflow.CustomerNativeFields")]
public sealed record CustomerNativeFields(
    [property: Id(0)] string? AccountEmail,
    [property: Id(1)] bool? Delinquent,
    [property: Id(2)] string? Description,
    [property: Id(3)] string? Discount,
    [property: Id(4)] string? DefaultPaymentMethod,
    [property: Id(5)] IReadOnlyList<string>? Sources,
    [property: Id(6)] IReadOnlyList<string>? Subscriptions,
    [property: Id(7)] string? TaxLocationCountry,
    [property: Id(8)] string? TaxExempt,
    [property: Id(9)] IReadOnlyList<string> Omitted)
{
    public static CustomerNativeFields None { get; } =
        new(null, null, null, null, null, null, null, null, null, []);
}
