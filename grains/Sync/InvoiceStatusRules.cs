namespace Upflow.Orleans.Sync;

/// <summary>Stripe's invoice statuses, as Stripe spells them.</summary>
public static class StripeInvoiceStatus
{
    public const string Draft = "draft";
    public const string Open = "open";
    public const string Paid = "paid";
    public const string Void = "void";
    public const string Uncollectible = "uncollectible";
}

/// <summary>CONTRACT §3 "Invoices": Stripe's status → the ledger's.</summary>
public static class InvoiceStatusRules
{
    /// <summary>
    /// Null for a draft: drafts are never imported (a draft later finalized appears then).
    /// Open is OVERDUE once its due date, a calendar date in the organization's zone, is strictly
    /// before today there. Uncollectible counts as PAID: the receivable is closed for the ledger.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A status Stripe does not document.</exception>
    public static LedgerInvoiceStatus? ToLedger(string? stripeStatus, DateOnly? dueDate, DateOnly today) =>
        stripeStatus switch
        {
            StripeInvoiceStatus.Draft => null,
            StripeInvoiceStatus.Open => dueDate < today ? LedgerInvoiceStatus.OVERDUE : LedgerInvoiceStatus.DUE,
            StripeInvoiceStatus.Paid => LedgerInvoiceStatus.PAID,
            StripeInvoiceStatus.Uncollectible => LedgerInvoiceStatus.PAID,
            StripeInvoiceStatus.Void => LedgerInvoiceStatus.VOIDED,
            _ => throw new ArgumentOutOfRangeException(nameof(stripeStatus), stripeStatus, "Not a Stripe invoice status."),
        };

    /// <summary>The same, from the due instant, the organization's zone and the current instant.</summary>
    public static LedgerInvoiceStatus? ToLedger(string? stripeStatus, DateTimeOffset? dueAt, TimeZoneInfo zone, DateTimeOffset now) =>
        ToLedger(
            stripeStatus,
            dueAt is { } due ? OrganizationTimeZone.CalendarDate(due, zone) : null,
            OrganizationTimeZone.Today(now, zone));

    /// <summary>Whether the invoice belongs in the ledger at all (not a draft, not deleted).</summary>
    public static bool IsImported(InvoiceSnapshot invoice) =>
        !invoice.Deleted && invoice.StripeStatus is not (null or StripeInvoiceStatus.Draft);
}

/// <summary>The dates a user sees on an invoice.</summary>
public static class InvoiceDates
{
    /// <summary>effective_at, else status_transitions.finalized_at, else created (CONTRACT §2).</summary>
    public static DateTimeOffset IssueInstant(InvoiceSnapshot invoice) =>
        invoice.EffectiveAt ?? invoice.FinalizedAt ?? invoice.Created;

    public static DateOnly IssueDate(InvoiceSnapshot invoice, TimeZoneInfo zone) =>
        OrganizationTimeZone.CalendarDate(IssueInstant(invoice), zone);

    public static DateOnly? DueDate(InvoiceSnapshot invoice, TimeZoneInfo zone) =>
        invoice.DueDate is { } due ? OrganizationTimeZone.CalendarDate(due, zone) : null;
}
