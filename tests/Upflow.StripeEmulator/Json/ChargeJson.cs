using System.Text.Json;
using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Json;

internal static class ChargeJson
{
    public static void Write(Utf8JsonWriter w, Charge c, Expansion e, StripeAccount a)
    {
        var method = a.PaymentMethods.Find(c.PaymentMethodId);
        w.WriteStartObject();
        w.WriteString("id", c.Id);
        w.WriteString("object", "charge");
        w.WriteNumber("amount", c.Amount);
        w.WriteNumber("amount_captured", c.Amount);
        w.WriteNumber("amount_refunded", 0);
        w.WriteStartObject("billing_details");
        w.WriteNull("address");
        w.WriteNull("email");
        w.WriteNullableString("name", method?.BillingName);
        w.WriteNull("phone");
        w.WriteEndObject();
        w.WriteBoolean("captured", true);
        w.WriteNumber("created", c.Created);
        w.WriteString("currency", c.Currency);
        w.WriteExpandable("customer", c.CustomerId, e, (id, child) => CustomerJson.WriteById(w, id, child, a));
        w.WriteNullableString("description", c.Description);
        w.WriteBoolean("disputed", false);
        w.WriteNull("failure_code");
        w.WriteNull("failure_message");
        w.WriteBoolean("livemode", false);
        w.WriteMetadata(c.Metadata);
        w.WriteBoolean("paid", c.Status == "succeeded");
        w.WriteExpandable("payment_intent", c.PaymentIntentId, e, (id, child) => PaymentIntentJson.WriteById(w, id, child, a));
        w.WriteString("payment_method", c.PaymentMethodId);
        if (method is not null)
        {
            w.WritePropertyName("payment_method_details");
            PaymentMethodJson.WriteDetails(w, method);
        }
        else w.WriteNull("payment_method_details");
        w.WriteBoolean("refunded", false);
        w.WriteString("status", c.Status);
        w.WriteEndObject();
    }

    public static void WriteById(Utf8JsonWriter w, string id, Expansion e, StripeAccount a)
    {
        if (a.Charges.Find(id) is { } charge) Write(w, charge, e, a);
        else w.WriteStringValue(id);
    }
}
