using System.Text.Json;
using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Json;

internal static class PaymentIntentJson
{
    public static void Write(Utf8JsonWriter w, PaymentIntent p, Expansion e, StripeAccount a)
    {
        var method = p.PaymentMethodId is null ? null : a.PaymentMethods.Find(p.PaymentMethodId);
        w.WriteStartObject();
        w.WriteString("id", p.Id);
        w.WriteString("object", "payment_intent");
        w.WriteNumber("amount", p.Amount);
        w.WriteNumber("amount_capturable", 0);
        w.WriteNumber("amount_received", p.AmountReceived);
        w.WriteNull("application");
        w.WriteNull("application_fee_amount");
        w.WriteNull("canceled_at");
        w.WriteNull("cancellation_reason");
        w.WriteString("capture_method", "automatic");
        w.WriteString("client_secret", $"{p.Id}_secret_emulated");
        w.WriteString("confirmation_method", "automatic");
        w.WriteNumber("created", p.Created);
        w.WriteString("currency", p.Currency);
        w.WriteExpandable("customer", p.CustomerId, e, (id, child) => CustomerJson.WriteById(w, id, child, a));
        w.WriteNullableString("description", p.Description);
        w.WriteNull("last_payment_error");
        w.WriteExpandable("latest_charge", p.LatestChargeId, e, (id, child) => ChargeJson.WriteById(w, id, child, a));
        w.WriteBoolean("livemode", false);
        w.WriteMetadata(p.Metadata);
        w.WriteNull("next_action");
        w.WriteNull("on_behalf_of");
        w.WriteExpandable("payment_method", p.PaymentMethodId, e, (id, child) => PaymentMethodJson.WriteById(w, id, child, a));
        w.WriteStartArray("payment_method_types");
        w.WriteStringValue(method?.Type ?? "card");
        w.WriteEndArray();
        w.WriteNull("receipt_email");
        w.WriteNull("setup_future_usage");
        w.WriteNull("shipping");
        w.WriteNull("statement_descriptor");
        w.WriteString("status", p.Status);
        w.WriteNull("transfer_group");
        w.WriteEndObject();
    }

    public static void WriteById(Utf8JsonWriter w, string id, Expansion e, StripeAccount a)
    {
        if (a.PaymentIntents.Find(id) is { } intent) Write(w, intent, e, a);
        else w.WriteStringValue(id);
    }
}
