namespace Upflow.Orleans.Sync;

/// <summary>Stripe's invoice payment statuses, as Stripe spells them.</summary>
public static class StripeInvoicePaymentStatus
{
    public const string Open = "open";
    public const string Paid = "paid";
    public const string Canceled = "canceled";
}

public enum PaymentDisposition
{
    /// <summary>Paid and applied to an invoice: in the ledger.</summary>
    Imported,

    /// <summary>Not linked to any invoice: skipped, and counted in skipped.unappliedPayments.</summary>
    SkippedUnapplied,

    /// <summary>Applied but not (or no longer) paid — open or canceled: not money received.</summary>
    SkippedNotPaid,
}

/// <summary>CONTRACT §3 "Payments": only paid invoice payments applied to an invoice are imported.</summary>
public static class PaymentRules
{
    public static PaymentDisposition Classify(PaymentSnapshot payment) =>
        string.IsNullOrEmpty(payment.InvoiceId) ? PaymentDisposition.SkippedUnapplied
        : payment.StripeStatus == StripeInvoicePaymentStatus.Paid ? PaymentDisposition.Imported
        : PaymentDisposition.SkippedNotPaid;

    public static bool IsImported(PaymentSnapshot payment) => Classify(payment) == PaymentDisposition.Imported;
}
