namespace Upflow.Orleans.Sync;

/// <summary>Which grain an event's object belongs to.</summary>
public enum StripeEventRoute
{
    /// <summary>data.object is the customer: its grain applies it (customer.deleted as a tombstone).</summary>
    Customer,
    /// <summary>data.object is the invoice: its grain applies it; drafts (and deleted drafts) are not imported.</summary>
    Invoice,
    /// <summary>
    /// data.object is the invoice payment, but without its payment intent and payment method (Stripe
    /// does not expand webhook payloads): the account grain re-reads it from Stripe, expanded, and the
    /// payment grain applies that.
    /// </summary>
    InvoicePayment,
    /// <summary>
    /// Handled, nothing in the ledger to change. payment_intent.succeeded: an intent applied to an
    /// invoice is imported through its invoice_payment.paid (which follows), an unapplied one is never
    /// imported. payment_method.attached/updated: a Stripe payment keeps the method details it was paid
    /// with (type, brand, last4 and bank never change on a PaymentMethod; updates touch billing details,
    /// expiry and metadata, which the ledger does not show), and a customer's default payment method
    /// changes through customer.updated.
    /// </summary>
    NoLedgerChange,
}

/// <summary>The event types the engine handles, and what "as of" an event's object is.</summary>
public static class StripeEventRoutes
{
    private static readonly Dictionary<string, StripeEventRoute> Routes = new(StringComparer.Ordinal)
    {
        ["customer.created"] = StripeEventRoute.Customer,
        ["customer.updated"] = StripeEventRoute.Customer,
        ["customer.deleted"] = StripeEventRoute.Customer,
        ["invoice.created"] = StripeEventRoute.Invoice,
        ["invoice.finalized"] = StripeEventRoute.Invoice,
        ["invoice.updated"] = StripeEventRoute.Invoice,
        ["invoice.paid"] = StripeEventRoute.Invoice,
        ["invoice.payment_succeeded"] = StripeEventRoute.Invoice,
        ["invoice.voided"] = StripeEventRoute.Invoice,
        ["invoice.marked_uncollectible"] = StripeEventRoute.Invoice,
        ["invoice.deleted"] = StripeEventRoute.Invoice,
        ["invoice_payment.paid"] = StripeEventRoute.InvoicePayment,
        ["payment_intent.succeeded"] = StripeEventRoute.NoLedgerChange,
        ["payment_method.attached"] = StripeEventRoute.NoLedgerChange,
        ["payment_method.updated"] = StripeEventRoute.NoLedgerChange,
    };

    public static bool IsKnown(string type) => Routes.ContainsKey(type);

    /// <summary>Null for a type the engine does not handle: acknowledged, recorded as ignored, never dispatched.</summary>
    public static StripeEventRoute? RouteOf(string type) => Routes.TryGetValue(type, out var route) ? route : null;

    /// <summary>
    /// The "as of" of an event's object: the end of the second Stripe stamps as <c>created</c>.
    /// Stripe's <c>created</c> is truncated to the second while a backfill page's "as of" is our
    /// millisecond request time, so a change made at 10.7 s (created = 10) must still beat a page read
    /// at 10.5 s that could not have seen it. A page read after the change within the same second
    /// holds the same data, so losing to the event costs nothing.
    /// </summary>
    public static DateTimeOffset AsOf(DateTimeOffset created) =>
        created.ToUniversalTime() + TimeSpan.FromSeconds(1) - TimeSpan.FromMilliseconds(1);
}
