using Upflow.Orleans.Stripe.Wire;

namespace Upflow.Orleans.Stripe;

/// <summary>
/// An unapplied payment is money received that no invoice payment points at: a succeeded payment
/// intent that is not the payment of any invoice_payment. In this API version an intent no longer
/// says which invoice it paid (payment_intent.invoice is gone), so the count comes from both lists,
/// streamed without remembering ids: succeeded intents minus paid invoice payments of type
/// payment_intent (each succeeded intent pays at most one invoice payment). Charge-type invoice
/// payments have no intent and so do not enter either side.
/// </summary>
public static class UnappliedPayments
{
    public static int SucceededIntents(IEnumerable<PaymentIntentJson> intents) =>
        intents.Count(intent => intent.Status == "succeeded");

    public static int AppliedIntents(IEnumerable<InvoicePaymentJson> payments) =>
        payments.Count(payment => payment.Status == "paid" && payment.Payment?.Type == "payment_intent");

    public static long Count(long succeededIntents, long appliedIntents) => Math.Max(0, succeededIntents - appliedIntents);
}
