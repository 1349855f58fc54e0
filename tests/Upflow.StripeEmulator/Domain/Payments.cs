namespace Upflow.StripeEmulator.Domain;

/// <summary>Links a payment (payment intent or charge) to an invoice: Stripe's invoice_payment.</summary>
public sealed class InvoicePayment : StripeObject
{
    public required string InvoiceId { get; init; }
    public required string Currency { get; init; }
    public long AmountRequested { get; init; }
    public long? AmountPaid { get; set; }
    public bool IsDefault { get; init; } = true;
    /// <summary>"paid", "open" or "canceled".</summary>
    public string Status { get; set; } = "open";
    /// <summary>"payment_intent" or "charge".</summary>
    public required string PaymentType { get; init; }
    public string? PaymentIntentId { get; init; }
    public string? ChargeId { get; init; }
    public long? PaidAt { get; set; }
    public long? CanceledAt { get; set; }
}

public sealed class PaymentIntent : StripeObject
{
    public required string Currency { get; init; }
    public long Amount { get; init; }
    public long AmountReceived { get; set; }
    public string? CustomerId { get; init; }
    public string? PaymentMethodId { get; init; }
    public string? LatestChargeId { get; set; }
    public string Status { get; set; } = "succeeded";
    public string? Description { get; init; }
}

public sealed class Charge : StripeObject
{
    public required string Currency { get; init; }
    public long Amount { get; init; }
    public string? CustomerId { get; init; }
    public string? PaymentIntentId { get; init; }
    public required string PaymentMethodId { get; init; }
    public string Status { get; set; } = "succeeded";
    public string? Description { get; init; }
}

public sealed class PaymentMethod : StripeObject
{
    /// <summary>"card", "sepa_debit", "us_bank_account", …</summary>
    public required string Type { get; init; }
    public string? CustomerId { get; set; }
    public CardDetails? Card { get; init; }
    public SepaDebitDetails? SepaDebit { get; init; }
    public UsBankAccountDetails? UsBankAccount { get; init; }
    public string? BillingName { get; init; }
}

public sealed record CardDetails(string Brand, string Last4, int ExpMonth, int ExpYear, string Funding, string Country);
public sealed record SepaDebitDetails(string BankCode, string Last4, string Country);
public sealed record UsBankAccountDetails(string BankName, string Last4, string RoutingNumber, string AccountType, string AccountHolderType);
