using System.Text.Json;
using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Json;

internal static class CustomerJson
{
    public static void Write(Utf8JsonWriter w, Customer c, Expansion e, StripeAccount a)
    {
        w.WriteStartObject();
        w.WriteString("id", c.Id);
        w.WriteString("object", "customer");
        if (c.Deleted)
        {
            // Stripe keeps answering for a deleted customer, with nothing but its id.
            w.WriteBoolean("deleted", true);
            w.WriteEndObject();
            return;
        }
        w.WriteNull("address");
        w.WriteNumber("balance", c.Balance);
        w.WriteNumber("created", c.Created);
        w.WriteNullableString("currency", c.Currency);
        w.WriteNull("default_source");
        w.WriteBoolean("delinquent", c.Delinquent);
        w.WriteNullableString("description", c.Description);
        WriteDiscount(w, c, e);
        w.WriteNullableString("email", c.Email);
        w.WriteString("invoice_prefix", c.Id[^8..].ToUpperInvariant());
        w.WriteStartObject("invoice_settings");
        w.WriteNull("custom_fields");
        w.WriteExpandable("default_payment_method", c.DefaultPaymentMethodId, e.Child("invoice_settings"),
            (id, child) => PaymentMethodJson.WriteById(w, id, child, a));
        w.WriteNull("footer");
        w.WriteNull("rendering_options");
        w.WriteEndObject();
        w.WriteBoolean("livemode", false);
        w.WriteMetadata(c.Metadata);
        w.WriteNullableString("name", c.Name);
        w.WriteNumber("next_invoice_sequence", 1);
        w.WriteNull("phone");
        w.WriteEmptyArray("preferred_locales");
        w.WriteNull("shipping");
        w.WriteString("tax_exempt", c.TaxExempt);
        w.WriteNull("test_clock");
        if (e.Has("sources")) WriteSources(w, c);
        if (e.Has("subscriptions")) WriteSubscriptions(w, c);
        if (e.Has("tax")) WriteTax(w, c);
        w.WriteEndObject();
    }

    public static void WriteById(Utf8JsonWriter w, string id, Expansion e, StripeAccount a)
    {
        if (a.Customers.Find(id) is { } customer) Write(w, customer, e, a);
        else w.WriteStringValue(id);
    }

    private static void WriteDiscount(Utf8JsonWriter w, Customer c, Expansion e)
    {
        if (c.Discount is not { } d) { w.WriteNull("discount"); return; }
        w.WriteStartObject("discount");
        w.WriteString("id", d.Id);
        w.WriteString("object", "discount");
        w.WriteNull("checkout_session");
        w.WriteString("customer", c.Id);
        w.WriteNull("end");
        w.WriteNull("invoice");
        w.WriteNull("invoice_item");
        w.WriteNull("promotion_code");
        w.WriteStartObject("source");
        if (e.Child("discount").Child("source").Has("coupon"))
        {
            w.WriteStartObject("coupon");
            w.WriteString("id", d.CouponId);
            w.WriteString("object", "coupon");
            w.WriteNullableNumber("amount_off", d.AmountOff);
            w.WriteNumber("created", d.Start);
            w.WriteNullableString("currency", d.AmountOff is null ? null : c.Currency);
            w.WriteString("duration", "forever");
            w.WriteNull("duration_in_months");
            w.WriteBoolean("livemode", false);
            w.WriteNull("max_redemptions");
            w.WriteMetadata(new Dictionary<string, string>());
            w.WriteString("name", d.CouponName);
            if (d.PercentOff is { } percent) w.WriteNumber("percent_off", percent); else w.WriteNull("percent_off");
            w.WriteNull("redeem_by");
            w.WriteNumber("times_redeemed", 1);
            w.WriteBoolean("valid", true);
            w.WriteEndObject();
        }
        else w.WriteString("coupon", d.CouponId);
        w.WriteString("type", "coupon");
        w.WriteEndObject();
        w.WriteNumber("start", d.Start);
        w.WriteNull("subscription");
        w.WriteNull("subscription_item");
        w.WriteEndObject();
    }

    private static void WriteSources(Utf8JsonWriter w, Customer c)
    {
        w.WriteStartObject("sources");
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var card in c.Sources)
        {
            w.WriteStartObject();
            w.WriteString("id", card.Id);
            w.WriteString("object", "card");
            w.WriteString("brand", card.Brand);
            w.WriteString("country", "US");
            w.WriteString("customer", c.Id);
            w.WriteNumber("exp_month", card.ExpMonth);
            w.WriteNumber("exp_year", card.ExpYear);
            w.WriteString("funding", "credit");
            w.WriteString("last4", card.Last4);
            w.WriteMetadata(new Dictionary<string, string>());
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteBoolean("has_more", false);
        w.WriteNumber("total_count", c.Sources.Count);
        w.WriteString("url", $"/v1/customers/{c.Id}/sources");
        w.WriteEndObject();
    }

    private static void WriteSubscriptions(Utf8JsonWriter w, Customer c)
    {
        w.WriteStartObject("subscriptions");
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var s in c.Subscriptions)
        {
            w.WriteStartObject();
            w.WriteString("id", s.Id);
            w.WriteString("object", "subscription");
            w.WriteNumber("created", s.Created);
            w.WriteString("currency", s.Currency);
            w.WriteString("customer", c.Id);
            w.WriteBoolean("livemode", false);
            w.WriteMetadata(new Dictionary<string, string>());
            w.WriteString("status", s.Status);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteBoolean("has_more", false);
        w.WriteNumber("total_count", c.Subscriptions.Count);
        w.WriteString("url", "/v1/customers/" + c.Id + "/subscriptions");
        w.WriteEndObject();
    }

    private static void WriteTax(Utf8JsonWriter w, Customer c)
    {
        w.WriteStartObject("tax");
        w.WriteString("automatic_tax", c.TaxLocationCountry is null ? "unrecognized_location" : "supported");
        w.WriteNull("ip_address");
        if (c.TaxLocationCountry is { } country)
        {
            w.WriteStartObject("location");
            w.WriteString("country", country);
            w.WriteString("source", "billing_address");
            w.WriteNull("state");
            w.WriteEndObject();
        }
        else w.WriteNull("location");
        w.WriteString("provider", "stripe");
        w.WriteEndObject();
    }
}
