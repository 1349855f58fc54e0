namespace Upflow.StripeEmulator.Domain;

public static class InvoiceStatus
{
    public const string Draft = "draft";
    public const string Open = "open";
    public const string Paid = "paid";
    public const string Void = "void";
    public const string Uncollectible = "uncollectible";
    public static readonly string[] All = [Draft, Open, Paid, Uncollectible, Void];
}

public sealed class Invoice : StripeObject
{
    public required string CustomerId { get; init; }
    public required string Currency { get; init; }
    public string Status { get; set; } = InvoiceStatus.Draft;
    public string? Number { get; set; }
    public string CollectionMethod { get; init; } = "send_invoice";
    public string? Description { get; set; }
    public long? DueDate { get; set; }
    public long? EffectiveAt { get; set; }
    public long Total { get; init; }
    public long AmountPaid { get; set; }
    /// <summary>What was paid outside Stripe (paid_out_of_band), reported as amount_paid_off_stripe.</summary>
    public long AmountPaidOffStripe { get; set; }
    public long? FinalizedAt { get; set; }
    public long? PaidAt { get; set; }
    public long? VoidedAt { get; set; }
    public long? MarkedUncollectibleAt { get; set; }
    public List<string> PaymentIds { get; } = [];

    /// <summary>Stripe: amount_due stays the total; amount_remaining drops to 0 once paid, voided or written off.</summary>
    public long AmountDue => Total;
    public long AmountRemaining => Status is InvoiceStatus.Paid or InvoiceStatus.Void ? 0 : Math.Max(0, Total - AmountPaid);
}
