namespace Upflow.Orleans.Sync;

/// <summary>What a grain remembers of the last invoice snapshot it applied.</summary>
public readonly record struct InvoiceStamp(DateTimeOffset AsOf, string StripeStatus);

/// <summary>What a grain remembers of the last customer snapshot it applied.</summary>
public readonly record struct CustomerStamp(DateTimeOffset AsOf, bool Deleted);

/// <summary>What a grain remembers of the last invoice payment snapshot it applied.</summary>
public readonly record struct PaymentStamp(DateTimeOffset AsOf, string StripeStatus);

/// <summary>
/// "Is this snapshot newer than what I hold?" for objects that carry no version (DESIGN.md,
/// "Ordering without versions"). Webhooks, Events API catch-up and backfill pages arrive in any
/// order and their "as of" instants come from two clocks (Stripe's event time, our request time).
///
/// Stripe's statuses only move forward (draft → open → paid | void | uncollectible;
/// uncollectible → paid | void; paid and void are final), so a snapshot with a later status was
/// necessarily taken after one with an earlier status, whatever its "as of" says: status order
/// decides first, and "as of" only orders snapshots of the same status. That is DESIGN.md's rule
/// (newest wins, status breaks same-second ties, paid/void final) made robust to the two clocks and
/// to Stripe's list endpoints briefly lagging behind its events.
/// Equal "as of" and equal status applies: re-applying a snapshot is harmless, and a second edit
/// within the same second (metadata, amounts) is more often the later one when delivered second.
/// Events, though, can be delivered in any order: when two such snapshots from events differ
/// (<see cref="IsTie(InvoiceStamp, InvoiceStamp)"/>), the grain keeps its row and the object is read
/// again from Stripe.
/// </summary>
public static class SnapshotOrdering
{
    public static bool ShouldApply(InvoiceStamp? current, InvoiceStamp incoming)
    {
        var incomingRank = InvoiceRank(incoming.StripeStatus);
        if (current is not { } held)
        {
            return true;
        }

        var heldRank = InvoiceRank(held.StripeStatus);
        if (IsFinalInvoiceStatus(held.StripeStatus) && incoming.StripeStatus != held.StripeStatus)
        {
            // paid never becomes void and void never becomes paid, however new the snapshot.
            return false;
        }

        return incomingRank != heldRank ? incomingRank > heldRank : incoming.AsOf >= held.AsOf;
    }

    /// <summary>Newest wins; a deleted customer is final (Stripe cannot undelete), and a deletion wins whatever its "as of".</summary>
    public static bool ShouldApply(CustomerStamp? current, CustomerStamp incoming)
    {
        if (current is not { } held)
        {
            return true;
        }

        if (held.Deleted)
        {
            return false;
        }

        return incoming.Deleted || incoming.AsOf >= held.AsOf;
    }

    /// <summary>Invoice payments: open → paid | canceled, both final; same rule shape as invoices.</summary>
    public static bool ShouldApply(PaymentStamp? current, PaymentStamp incoming)
    {
        var incomingRank = PaymentRank(incoming.StripeStatus);
        if (current is not { } held)
        {
            return true;
        }

        var heldRank = PaymentRank(held.StripeStatus);
        if (heldRank == FinalPaymentRank && incoming.StripeStatus != held.StripeStatus)
        {
            return false;
        }

        return incomingRank != heldRank ? incomingRank > heldRank : incoming.AsOf >= held.AsOf;
    }

    /// <summary>
    /// Whether a snapshot that differs from the one it replaced won only by arriving later: Stripe
    /// stamps events to the second, so two changes of one status within a second cannot be ordered.
    /// </summary>
    public static bool IsTie(InvoiceStamp replaced, InvoiceStamp applied) =>
        applied.AsOf == replaced.AsOf && InvoiceRank(applied.StripeStatus) == InvoiceRank(replaced.StripeStatus);

    /// <summary>As for invoices; a deletion is never a tie (it is final, whenever it happened).</summary>
    public static bool IsTie(CustomerStamp replaced, CustomerStamp applied) =>
        applied.AsOf == replaced.AsOf && !replaced.Deleted && !applied.Deleted;

    public static bool IsFinalInvoiceStatus(string stripeStatus) =>
        stripeStatus is StripeInvoiceStatus.Paid or StripeInvoiceStatus.Void;

    /// <summary>draft &lt; open &lt; uncollectible &lt; paid = void.</summary>
    public static int InvoiceRank(string stripeStatus) => stripeStatus switch
    {
        StripeInvoiceStatus.Draft => 0,
        StripeInvoiceStatus.Open => 1,
        StripeInvoiceStatus.Uncollectible => 2,
        StripeInvoiceStatus.Paid or StripeInvoiceStatus.Void => 3,
        _ => throw new ArgumentOutOfRangeException(nameof(stripeStatus), stripeStatus, "Not a Stripe invoice status."),
    };

    private const int FinalPaymentRank = 1;

    private static int PaymentRank(string stripeStatus) => stripeStatus switch
    {
        StripeInvoicePaymentStatus.Open => 0,
        StripeInvoicePaymentStatus.Paid or StripeInvoicePaymentStatus.Canceled => FinalPaymentRank,
        _ => throw new ArgumentOutOfRangeException(nameof(stripeStatus), stripeStatus, "Not a Stripe invoice payment status."),
    };
}
