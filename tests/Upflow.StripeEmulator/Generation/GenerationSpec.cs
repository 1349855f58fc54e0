namespace Upflow.StripeEmulator.Generation;

/// <summary>Sizes and seed of generated data. The same spec on the same account always yields the same objects.</summary>
public sealed record GenerationSpec
{
    public int Seed { get; init; } = 42;
    public int Customers { get; init; } = 100;
    /// <summary>Average; each customer gets between 0 and twice this.</summary>
    public int InvoicesPerCustomer { get; init; } = 4;
    /// <summary>Payments not linked to any invoice, as a fraction of customers.</summary>
    public double UnappliedPaymentRatio { get; init; } = 0.1;
    /// <summary>Oldest data is this far in the past; everything is created before "now".</summary>
    public TimeSpan History { get; init; } = TimeSpan.FromDays(730);
}

/// <summary>What was generated, so product tests can assert exact numbers.</summary>
public sealed record GeneratedCounts
{
    public int Customers { get; init; }
    public int CustomersWithAdditionalEmails { get; init; }
    public int Invoices { get; init; }
    public int DraftInvoices { get; init; }
    public int OpenInvoices { get; init; }
    public int PaidInvoices { get; init; }
    public int VoidInvoices { get; init; }
    public int UncollectibleInvoices { get; init; }
    public int NonDraftInvoices => Invoices - DraftInvoices;
    public int InvoicePayments { get; init; }
    public int PaidInvoicePayments { get; init; }
    public int UnappliedPayments { get; init; }
    public int PaymentIntents { get; init; }
    public int Charges { get; init; }
    public int PaymentMethods { get; init; }
    public int TotalObjects => Customers + Invoices + InvoicePayments + PaymentIntents + Charges + PaymentMethods;
}
