namespace Upflow.StripeEmulator.Domain;

public sealed class Customer : StripeObject
{
    public string? Email { get; set; }
    public string? Name { get; set; }
    public string? Description { get; set; }
    public long Balance { get; set; }
    public string? Currency { get; set; }
    public bool Delinquent { get; set; }
    /// <summary>"none", "exempt" or "reverse", as Stripe.</summary>
    public string TaxExempt { get; set; } = "none";
    public string? TaxLocationCountry { get; set; }
    public string? DefaultPaymentMethodId { get; set; }
    public CustomerDiscount? Discount { get; set; }
    public List<SourceCard> Sources { get; } = [];
    public List<SubscriptionSummary> Subscriptions { get; } = [];
    public bool Deleted { get; set; }
}

public sealed record CustomerDiscount(string Id, string CouponId, string CouponName, decimal? PercentOff, long? AmountOff, long Start);

/// <summary>A legacy card source (object "card") listed in customer.sources.</summary>
public sealed record SourceCard(string Id, string Brand, string Last4, int ExpMonth, int ExpYear);

/// <summary>Just enough of a subscription for customer.subscriptions to be listed.</summary>
public sealed record SubscriptionSummary(string Id, string Status, long Created, string Currency);
