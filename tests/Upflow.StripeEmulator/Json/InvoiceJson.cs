using System.Text.Json;
using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Json;

/// <summary>
/// An invoice as API version 2026-10-28.endive has it: no top-level charge or payment_intent; what
/// paid it is in the includable `payments` list of invoice_payment objects.
/// </summary>
internal static class InvoiceJson
{
    /// <summary>Stripe embeds the first page of an includable list.</summary>
    private const int EmbeddedListLimit = 10;

    public static void Write(Utf8JsonWriter w, Invoice i, Expansion e, StripeAccount a)
    {
        var customer = a.Customers.Find(i.CustomerId);
        w.WriteStartObject();
        w.WriteString("id", i.Id);
        w.WriteString("object", "invoice");
        w.WriteString("account_country", a.Country);
        w.WriteString("account_name", a.BusinessName);
        w.WriteNumber("amount_due", i.AmountDue);
        w.WriteNumber("amount_overpaid", 0);
        w.WriteNumber("amount_paid", i.AmountPaid);
        w.WriteNumber("amount_paid_off_stripe", i.AmountPaidOffStripe);
        w.WriteNumber("amount_remaining", i.AmountRemaining);
        w.WriteNumber("amount_shipping", 0);
        w.WriteNumber("attempt_count", 0);
        w.WriteBoolean("attempted", i.Status is not InvoiceStatus.Draft);
        w.WriteBoolean("auto_advance", i.Status is InvoiceStatus.Draft or InvoiceStatus.Open);
        w.WriteString("billing_reason", "manual");
        w.WriteString("collection_method", i.CollectionMethod);
        w.WriteNumber("created", i.Created);
        w.WriteString("currency", i.Currency);
        w.WriteExpandable("customer", i.CustomerId, e, (id, child) => CustomerJson.WriteById(w, id, child, a));
        w.WriteNull("customer_account");
        w.WriteNullableString("customer_email", customer is { Deleted: false } ? customer.Email : null);
        w.WriteNullableString("customer_name", customer is { Deleted: false } ? customer.Name : null);
        w.WriteString("customer_tax_exempt", customer?.TaxExempt ?? "none");
        w.WriteNull("default_payment_method");
        w.WriteNullableString("description", i.Description);
        w.WriteEmptyArray("discounts");
        w.WriteNullableNumber("due_date", i.DueDate);
        w.WriteNullableNumber("effective_at", i.EffectiveAt);
        w.WriteNullableNumber("ending_balance", i.Status is InvoiceStatus.Draft ? null : 0);
        w.WriteNull("footer");
        w.WriteNullableString("hosted_invoice_url", i.Status is InvoiceStatus.Draft ? null : $"https://invoice.stripe.com/i/{i.Id}");
        w.WriteNullableString("invoice_pdf", i.Status is InvoiceStatus.Draft ? null : $"https://pay.stripe.com/invoice/{i.Id}/pdf");
        w.WriteStartObject("issuer");
        w.WriteString("type", "self");
        w.WriteEndObject();
        w.WriteEmptyList("lines", $"/v1/invoices/{i.Id}/lines");
        w.WriteBoolean("livemode", false);
        w.WriteMetadata(i.Metadata);
        w.WriteNull("next_payment_attempt");
        w.WriteNullableString("number", i.Number);
        w.WriteNull("parent");
        w.WriteNumber("period_end", i.Created);
        w.WriteNumber("period_start", i.Created);
        w.WriteNumber("post_payment_credit_notes_amount", 0);
        w.WriteNumber("pre_payment_credit_notes_amount", 0);
        w.WriteNull("receipt_number");
        w.WriteNumber("starting_balance", 0);
        w.WriteNull("statement_descriptor");
        w.WriteString("status", i.Status);
        w.WriteStartObject("status_transitions");
        w.WriteNullableNumber("finalized_at", i.FinalizedAt);
        w.WriteNullableNumber("marked_uncollectible_at", i.MarkedUncollectibleAt);
        w.WriteNullableNumber("paid_at", i.PaidAt);
        w.WriteNullableNumber("voided_at", i.VoidedAt);
        w.WriteEndObject();
        w.WriteNumber("subtotal", i.Total);
        w.WriteNumber("subtotal_excluding_tax", i.Total);
        w.WriteNull("test_clock");
        w.WriteNumber("total", i.Total);
        w.WriteEmptyArray("total_discount_amounts");
        w.WriteNumber("total_excluding_tax", i.Total);
        w.WriteEmptyArray("total_pretax_credit_amounts");
        w.WriteEmptyArray("total_taxes");
        w.WriteNullableNumber("webhooks_delivered_at", i.FinalizedAt);
        if (e.Has("payments")) WritePayments(w, i, e.Child("payments"), a);
        w.WriteEndObject();
    }

    public static void WriteById(Utf8JsonWriter w, string id, Expansion e, StripeAccount a)
    {
        if (a.Invoices.Find(id) is { } invoice) Write(w, invoice, e, a);
        else w.WriteStringValue(id);
    }

    private static void WritePayments(Utf8JsonWriter w, Invoice i, Expansion e, StripeAccount a)
    {
        var page = ListPaging.Page(a.InvoicePayments.PartitionOrEmpty(i.Id),
            new ListQuery<InvoicePayment>(EmbeddedListLimit, null, null, CreatedRange.All, null));
        w.WritePropertyName("payments");
        ListJson.Write(w, page, $"/v1/invoice_payments?invoice={i.Id}", e.ForListItems(),
            (p, child) => InvoicePaymentJson.Write(w, p, child, a));
    }
}
