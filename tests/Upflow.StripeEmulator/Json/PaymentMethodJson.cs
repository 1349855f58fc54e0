using System.Text.Json;
using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Json;

internal static class PaymentMethodJson
{
    public static void Write(Utf8JsonWriter w, PaymentMethod m, Expansion e, StripeAccount a)
    {
        w.WriteStartObject();
        w.WriteString("id", m.Id);
        w.WriteString("object", "payment_method");
        w.WriteString("allow_redisplay", "unspecified");
        w.WriteStartObject("billing_details");
        w.WriteNull("address");
        w.WriteNull("email");
        w.WriteNullableString("name", m.BillingName);
        w.WriteNull("phone");
        w.WriteEndObject();
        w.WriteNumber("created", m.Created);
        w.WriteExpandable("customer", m.CustomerId, e, (id, child) => CustomerJson.WriteById(w, id, child, a));
        w.WriteBoolean("livemode", false);
        w.WriteMetadata(m.Metadata);
        w.WriteString("type", m.Type);
        WriteTypeSpecific(w, m, forCharge: false);
        w.WriteEndObject();
    }

    public static void WriteById(Utf8JsonWriter w, string id, Expansion e, StripeAccount a)
    {
        if (a.PaymentMethods.Find(id) is { } method) Write(w, method, e, a);
        else w.WriteStringValue(id);
    }

    /// <summary>A charge's payment_method_details: the same type-keyed hash, as Stripe shapes it on charges.</summary>
    public static void WriteDetails(Utf8JsonWriter w, PaymentMethod m)
    {
        w.WriteStartObject();
        WriteTypeSpecific(w, m, forCharge: true);
        w.WriteString("type", m.Type);
        w.WriteEndObject();
    }

    private static void WriteTypeSpecific(Utf8JsonWriter w, PaymentMethod m, bool forCharge)
    {
        if (m.Card is { } card)
        {
            w.WriteStartObject("card");
            w.WriteString("brand", card.Brand);
            w.WriteString("country", card.Country);
            w.WriteNumber("exp_month", card.ExpMonth);
            w.WriteNumber("exp_year", card.ExpYear);
            w.WriteString("fingerprint", Fingerprint(m));
            w.WriteString("funding", card.Funding);
            w.WriteString("last4", card.Last4);
            if (forCharge) w.WriteString("network", card.Brand);
            w.WriteEndObject();
        }
        if (m.SepaDebit is { } sepa)
        {
            w.WriteStartObject("sepa_debit");
            w.WriteString("bank_code", sepa.BankCode);
            w.WriteNull("branch_code");
            w.WriteString("country", sepa.Country);
            w.WriteString("fingerprint", Fingerprint(m));
            w.WriteString("last4", sepa.Last4);
            w.WriteEndObject();
        }
        if (m.UsBankAccount is { } bank)
        {
            w.WriteStartObject("us_bank_account");
            w.WriteString("account_holder_type", bank.AccountHolderType);
            w.WriteString("account_type", bank.AccountType);
            w.WriteString("bank_name", bank.BankName);
            w.WriteString("fingerprint", Fingerprint(m));
            w.WriteString("last4", bank.Last4);
            w.WriteString("routing_number", bank.RoutingNumber);
            w.WriteEndObject();
        }
    }

    private static string Fingerprint(PaymentMethod m) => m.Id[^16..];
}
