namespace Upflow.Orleans.Sync;

/// <summary>A Stripe invoice payment (<c>inpay_…</c>) as the sync rules see it.</summary>
/// <param name="InvoiceId">The invoice it is applied to; null = unapplied (skipped and counted).</param>
/// <param name="CustomerId">From the payment intent (or charge), else the expanded invoice; null when Stripe did not say.</param>
/// <param name="Amount">amount_paid once paid, else amount_requested; minor units of <paramref name="Currency"/>.</param>
/// <param name="StripeStatus">paid | open | canceled.</param>
/// <param name="Method">Null when Stripe did not include the payment method (payment intent or charge not expanded).</param>
/// <param name="Metadata">The payment intent's (or charge's) metadata: invoice payments have none of their own.</param>
[GenerateSerializer, Immutable, Alias("upflow.PaymentSnapshot")]
public sealed record PaymentSnapshot(
    [property: Id(0)] string Id,
    [property: Id(1)] string? InvoiceId,
    [property: Id(2)] string? CustomerId,
    [property: Id(3)] long Amount,
    [property: Id(4)] string Currency,
    [property: Id(5)] string StripeStatus,
    [property: Id(6)] DateTimeOffset? PaidAt,
    [property: Id(7)] PaymentMethodDetails? Method,
    [property: Id(8)] IReadOnlyDictionary<string, string> Metadata,
    [property: Id(9)] DateTimeOffset AsOf);

/// <summary>
/// <paramref name="Type"/> is Stripe's payment method type (card, sepa_debit, us_bank_account, …).
/// Brand and Last4 for cards; BankName (when Stripe gives one) and Last4 for debits;
/// Country is the card's issuing country or the SEPA account's country.
/// </summary>
[GenerateSerializer, Immutable, Alias("upflow.PaymentMethodDetails")]
public sealed record PaymentMethodDetails(
    [property: Id(0)] string Type,
    [property: Id(1)] string? Brand,
    [property: Id(2)] string? Last4,
    [property: Id(3)] string? BankName,
    [property: Id(4)] string? Country);
