using System.Text.Json;
using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Json;

internal static class InvoicePaymentJson
{
    public static void Write(Utf8JsonWriter w, InvoicePayment p, Expansion e, StripeAccount a)
    {
        w.WriteStartObject();
        w.WriteString("id", p.Id);
        w.WriteString("object", "invoice_payment");
        w.WriteNullableNumber("amount_paid", p.AmountPaid);
        w.WriteNumber("amount_requested", p.AmountRequested);
        w.WriteNumber("created", p.Created);
        w.WriteString("currency", p.Currency);
        w.WriteExpandable("invoice", p.InvoiceId, e, (id, child) => InvoiceJson.WriteById(w, id, child, a));
        w.WriteBoolean("is_default", p.IsDefault);
        w.WriteBoolean("livemode", false);
        w.WriteStartObject("payment");
        var payment = e.Child("payment");
        if (p.PaymentType == "charge")
            w.WriteExpandable("charge", p.ChargeId, payment, (id, child) => ChargeJson.WriteById(w, id, child, a));
        else
            w.WriteExpandable("payment_intent", p.PaymentIntentId, payment, (id, child) => PaymentIntentJson.WriteById(w, id, child, a));
        w.WriteString("type", p.PaymentType);
        w.WriteEndObject();
        w.WriteString("status", p.Status);
        w.WriteStartObject("status_transitions");
        w.WriteNullableNumber("canceled_at", p.CanceledAt);
        w.WriteNullableNumber("paid_at", p.PaidAt);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
