using Upflow.Orleans.Stripe.Wire;

namespace Upflow.Sync.Tests;

/// <summary>Stripe JSON (API 2026-10-28.endive, the shapes Stripe.net 53.1.0 models) read by StripeJson, then mapped.</summary>
public class StripeMappingTests
{
    private static readonly DateTimeOffset AsOf = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private const string Customer = """
    {
      "id": "cus_NffrFeUfNV2Hib", "object": "customer", "address": null, "balance": -1500,
      "created": 1680893993, "currency": "eur", "default_source": "card_1N3T00", "delinquent": true,
      "description": "Key account",
      "discount": {
        "id": "di_1N3T11", "object": "discount", "checkout_session": null, "customer": "cus_NffrFeUfNV2Hib",
        "end": null, "invoice": null, "invoice_item": null, "promotion_code": null,
        "source": { "coupon": "SUMMER25", "type": "coupon" },
        "start": 1680893993, "subscription": null, "subscription_item": null
      },
      "email": "jenny.rosen@example.com", "invoice_prefix": "0759376C",
      "invoice_settings": { "custom_fields": null, "default_payment_method": "pm_1N3T22", "footer": null, "rendering_options": null },
      "livemode": false,
      "metadata": { "Region": "EMEA", "Additional emails to": "ap@example.com" },
      "name": "Jenny Rosen", "next_invoice_sequence": 4, "phone": null, "preferred_locales": [],
      "shipping": null, "tax_exempt": "reverse", "test_clock": null,
      "sources": {
        "object": "list", "has_more": false, "url": "/v1/customers/cus_NffrFeUfNV2Hib/sources",
        "data": [
          { "id": "card_1N3T00", "object": "card", "brand": "Visa", "country": "US", "customer": "cus_NffrFeUfNV2Hib",
            "exp_month": 8, "exp_year": 2030, "fingerprint": "Xt5EWLLDS7FJjR1c", "funding": "credit", "last4": "4242" },
          { "id": "src_1N3T33", "object": "source", "type": "sepa_debit", "customer": "cus_NffrFeUfNV2Hib" }
        ]
      },
      "subscriptions": {
        "object": "list", "has_more": false, "url": "/v1/customers/cus_NffrFeUfNV2Hib/subscriptions",
        "data": [ { "id": "sub_1N3T44", "object": "subscription", "customer": "cus_NffrFeUfNV2Hib", "status": "active", "created": 1680893993 } ]
      },
      "tax": {
        "automatic_tax": "supported", "ip_address": null, "provider": "stripe",
        "location": { "country": "FR", "source": "billing_address", "state": null }
      }
    }
    """;

    [Fact]
    public void Customer_maps_with_its_nine_native_fields()
    {
        var snapshot = StripeSnapshots.FromCustomer(StripeJson.Customer(Customer), AsOf);

        Assert.Equal("cus_NffrFeUfNV2Hib", snapshot.Id);
        Assert.Equal("Jenny Rosen", snapshot.Name);
        Assert.Equal("jenny.rosen@example.com", snapshot.Email);
        Assert.Equal("eur", snapshot.Currency);
        Assert.Equal(-1500, snapshot.Balance);
        Assert.True(snapshot.Delinquent);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1680893993), snapshot.CreatedAt);
        Assert.Equal(TimeSpan.Zero, snapshot.CreatedAt.Offset);
        Assert.Equal("EMEA", snapshot.Metadata["Region"]);
        Assert.Equal(AsOf, snapshot.AsOf);
        Assert.False(snapshot.Deleted);

        var native = snapshot.Native;
        Assert.Equal("jenny.rosen@example.com", native.AccountEmail);
        Assert.True(native.Delinquent);
        Assert.Equal("Key account", native.Description);
        Assert.Equal("SUMMER25", native.Discount);
        Assert.Equal("pm_1N3T22", native.DefaultPaymentMethod);
        Assert.Equal(["card_1N3T00", "src_1N3T33"], native.Sources!);
        Assert.Equal(["sub_1N3T44"], native.Subscriptions!);
        Assert.Equal("FR", native.TaxLocationCountry);
        Assert.Equal("reverse", native.TaxExempt);
        Assert.Empty(native.Omitted);
    }

    [Fact]
    public void Customer_from_a_webhook_marks_unexpanded_fields_as_omitted()
    {
        const string json = """
        { "id": "cus_1", "object": "customer", "balance": 0, "created": 1680893993, "currency": null,
          "default_source": "card_9", "delinquent": false, "description": null, "discount": null,
          "email": null, "invoice_settings": { "default_payment_method": null }, "metadata": {},
          "name": null, "tax_exempt": "none" }
        """;

        var native = StripeSnapshots.FromCustomer(StripeJson.Customer(json), AsOf).Native;

        Assert.Equal(["sources", "subscriptions", "taxLocationCountry"], native.Omitted);
        Assert.Null(native.Sources);
        Assert.Null(native.Discount);
        // No invoice default: the legacy default source is what Stripe charges.
        Assert.Equal("card_9", native.DefaultPaymentMethod);
        Assert.Equal("none", native.TaxExempt);
    }

    [Fact]
    public void Customer_with_an_expanded_default_payment_method_and_coupon_keeps_their_ids()
    {
        const string json = """
        { "id": "cus_2", "object": "customer", "balance": 0, "created": 1680893993, "email": "a@acme.com", "metadata": {},
          "discount": { "id": "di_2", "object": "discount", "start": 1680893993,
                        "source": { "type": "coupon", "coupon": { "id": "Z4OV52SU", "object": "coupon", "name": "25% off", "percent_off": 25, "duration": "forever", "valid": true, "created": 1680893993 } } },
          "invoice_settings": { "default_payment_method": { "id": "pm_9", "object": "payment_method", "type": "card", "created": 1680893993,
                                                           "card": { "brand": "visa", "last4": "4242", "exp_month": 1, "exp_year": 2030 } } },
          "sources": { "object": "list", "data": [], "has_more": false },
          "subscriptions": { "object": "list", "data": [], "has_more": false },
          "tax": { "automatic_tax": "unrecognized_location", "location": null, "provider": "stripe" } }
        """;

        var native = StripeSnapshots.FromCustomer(StripeJson.Customer(json), AsOf).Native;

        Assert.Equal("Z4OV52SU", native.Discount);
        Assert.Equal("pm_9", native.DefaultPaymentMethod);
        Assert.Equal([], native.Sources!);
        Assert.Equal([], native.Subscriptions!);
        Assert.Null(native.TaxLocationCountry);
        Assert.Empty(native.Omitted);
    }

    [Fact]
    public void Deleted_customer_maps_as_deleted()
    {
        const string json = """{ "id": "cus_3", "object": "customer", "deleted": true }""";

        var snapshot = StripeSnapshots.FromCustomer(StripeJson.Customer(json), AsOf);

        Assert.True(snapshot.Deleted);
        Assert.Equal("cus_3", snapshot.Id);
        Assert.Empty(snapshot.Metadata);
    }

    [Fact]
    public void Invoice_maps_amounts_status_and_instants()
    {
        const string json = """
        {
          "id": "in_1MtHbELkdIwHu7ixl4OzzPMv", "object": "invoice", "account_country": "FR", "account_name": "Acme",
          "amount_due": 12000, "amount_overpaid": 0, "amount_paid": 2000, "amount_remaining": 10000, "amount_shipping": 0,
          "attempt_count": 0, "attempted": false, "auto_advance": true, "billing_reason": "manual",
          "collection_method": "send_invoice", "created": 1680644467, "currency": "eur",
          "customer": "cus_NeZwdNtLEOXuvB", "customer_email": "jennyrosen@example.com",
          "due_date": 1683331200, "effective_at": 1680644500, "livemode": false,
          "lines": { "object": "list", "data": [], "has_more": false, "url": "/v1/invoices/in_1/lines" },
          "metadata": { "PO number": "PO-7" }, "number": "6E3A1D2F-0001",
          "parent": null, "period_end": 1680644467, "period_start": 1680644467,
          "status": "open",
          "status_transitions": { "finalized_at": 1680644600, "marked_uncollectible_at": null, "paid_at": null, "voided_at": null },
          "subtotal": 12000, "total": 12000
        }
        """;

        var snapshot = StripeSnapshots.FromInvoice(StripeJson.Invoice(json), AsOf);

        Assert.Equal(
            new InvoiceSnapshot(
                "in_1MtHbELkdIwHu7ixl4OzzPMv", "6E3A1D2F-0001", "cus_NeZwdNtLEOXuvB", "eur",
                Total: 12000, AmountDue: 12000, AmountPaid: 2000, AmountRemaining: 10000, StripeStatus: "open",
                Created: DateTimeOffset.FromUnixTimeSeconds(1680644467),
                EffectiveAt: DateTimeOffset.FromUnixTimeSeconds(1680644500),
                FinalizedAt: DateTimeOffset.FromUnixTimeSeconds(1680644600),
                PaidAt: null,
                DueDate: DateTimeOffset.FromUnixTimeSeconds(1683331200),
                Metadata: snapshot.Metadata, AsOf: AsOf, Deleted: false),
            snapshot);
        Assert.Equal("PO-7", snapshot.Metadata["PO number"]);
    }

    [Fact]
    public void Invoice_with_an_expanded_customer_keeps_the_customer_id()
    {
        const string json = """
        { "id": "in_2", "object": "invoice", "created": 1680644467, "currency": "usd", "status": "paid",
          "customer": { "id": "cus_9", "object": "customer", "created": 1680644467 },
          "status_transitions": { "paid_at": 1680650000 }, "amount_due": 100, "amount_paid": 100, "amount_remaining": 0, "total": 100 }
        """;

        var snapshot = StripeSnapshots.FromInvoice(StripeJson.Invoice(json), AsOf);

        Assert.Equal("cus_9", snapshot.CustomerId);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1680650000), snapshot.PaidAt);
        Assert.Null(snapshot.EffectiveAt);
        Assert.Empty(snapshot.Metadata);
    }

    private static string InvoicePayment(string payment, string status = "paid", string invoice = "\"in_1\"") => $$"""
    {
      "id": "inpay_1M3USa2eZvKYlo2CBjuwbq0N", "object": "invoice_payment",
      "amount_paid": {{(status == "paid" ? "2000" : "null")}}, "amount_requested": 2000,
      "created": 1391288554, "currency": "usd", "invoice": {{invoice}}, "is_default": true, "livemode": false,
      "payment": {{payment}},
      "status": "{{status}}",
      "status_transitions": { "canceled_at": null, "paid_at": {{(status == "paid" ? "1391288560" : "null")}} }
    }
    """;

    private static string ExpandedIntent(string paymentMethod) => $$"""
    { "type": "payment_intent",
      "payment_intent": {
        "id": "pi_3MtwBwLkdIwHu7ix28a3tqPa", "object": "payment_intent", "amount": 2000, "amount_received": 2000,
        "created": 1391288554, "currency": "usd", "customer": "cus_NffrFeUfNV2Hib",
        "metadata": { "Order": "A-17" }, "status": "succeeded", "latest_charge": "ch_1",
        "payment_method": {{paymentMethod}} } }
    """;

    public static TheoryData<string, PaymentMethodDetails> ExpandedPaymentMethods => new()
    {
        {
            """
            { "id": "pm_1", "object": "payment_method", "type": "card", "created": 1391288554, "customer": "cus_NffrFeUfNV2Hib",
              "card": { "brand": "visa", "country": "US", "display_brand": "visa", "exp_month": 8, "exp_year": 2030,
                        "fingerprint": "Xt5EWLLDS7FJjR1c", "funding": "credit", "last4": "4242" } }
            """,
            new PaymentMethodDetails("card", "visa", "4242", null, "US")
        },
        {
            """
            { "id": "pm_2", "object": "payment_method", "type": "sepa_debit", "created": 1391288554,
              "sepa_debit": { "bank_code": "37040044", "branch_code": "", "country": "DE", "fingerprint": "dF3kQ", "last4": "3000",
                              "generated_from": { "charge": null, "setup_attempt": null } } }
            """,
            new PaymentMethodDetails("sepa_debit", null, "3000", null, "DE")
        },
        {
            """
            { "id": "pm_3", "object": "payment_method", "type": "us_bank_account", "created": 1391288554,
              "us_bank_account": { "account_holder_type": "company", "account_type": "checking", "bank_name": "STRIPE TEST BANK",
                                   "financial_connections_account": null, "fingerprint": "LstWJFsCK7P349Bg", "last4": "6789",
                                   "networks": { "preferred": "ach", "supported": ["ach"] }, "routing_number": "110000000" } }
            """,
            new PaymentMethodDetails("us_bank_account", null, "6789", "STRIPE TEST BANK", null)
        },
        {
            """{ "id": "pm_4", "object": "payment_method", "type": "ideal", "created": 1391288554, "ideal": { "bank": "ing" } }""",
            new PaymentMethodDetails("ideal", null, null, null, null)
        },
    };

    [Theory]
    [MemberData(nameof(ExpandedPaymentMethods))]
    public void Invoice_payment_carries_the_payment_method_of_its_expanded_payment_intent(string paymentMethod, PaymentMethodDetails expected)
    {
        var json = InvoicePayment(ExpandedIntent(paymentMethod));

        var snapshot = StripeSnapshots.FromInvoicePayment(StripeJson.InvoicePayment(json), AsOf);

        Assert.Equal(expected, snapshot.Method);
        Assert.Equal("inpay_1M3USa2eZvKYlo2CBjuwbq0N", snapshot.Id);
        Assert.Equal("in_1", snapshot.InvoiceId);
        Assert.Equal("cus_NffrFeUfNV2Hib", snapshot.CustomerId);
        Assert.Equal(2000, snapshot.Amount);
        Assert.Equal("usd", snapshot.Currency);
        Assert.Equal("paid", snapshot.StripeStatus);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1391288560), snapshot.PaidAt);
        Assert.Equal("A-17", snapshot.Metadata["Order"]);
        Assert.True(PaymentRules.IsImported(snapshot));
    }

    [Fact]
    public void Invoice_payment_by_charge_takes_the_method_from_the_charge_details()
    {
        const string payment = """
        { "type": "charge",
          "charge": { "id": "ch_1", "object": "charge", "amount": 2000, "currency": "usd", "created": 1391288554,
                      "customer": "cus_7", "metadata": { "Order": "B-2" }, "paid": true, "status": "succeeded",
                      "payment_method": "card_1",
                      "payment_method_details": { "type": "card",
                        "card": { "brand": "mastercard", "country": "GB", "exp_month": 1, "exp_year": 2031, "last4": "4444", "funding": "debit" } } } }
        """;

        var snapshot = StripeSnapshots.FromInvoicePayment(StripeJson.InvoicePayment(InvoicePayment(payment)), AsOf);

        Assert.Equal(new PaymentMethodDetails("card", "mastercard", "4444", null, "GB"), snapshot.Method);
        Assert.Equal("cus_7", snapshot.CustomerId);
        Assert.Equal("B-2", snapshot.Metadata["Order"]);
    }

    [Fact]
    public void Invoice_payment_with_an_intent_whose_latest_charge_is_expanded_takes_the_charge_details()
    {
        const string payment = """
        { "type": "payment_intent",
          "payment_intent": { "id": "pi_2", "object": "payment_intent", "amount": 2000, "currency": "usd", "created": 1391288554,
                              "customer": "cus_8", "metadata": {}, "payment_method": "pm_8", "status": "succeeded",
                              "latest_charge": { "id": "ch_2", "object": "charge", "amount": 2000, "currency": "usd", "created": 1391288554,
                                                 "payment_method_details": { "type": "us_bank_account",
                                                   "us_bank_account": { "bank_name": "CHASE", "last4": "1111", "account_type": "checking" } } } } }
        """;

        var snapshot = StripeSnapshots.FromInvoicePayment(StripeJson.InvoicePayment(InvoicePayment(payment)), AsOf);

        Assert.Equal(new PaymentMethodDetails("us_bank_account", null, "1111", "CHASE", null), snapshot.Method);
    }

    [Fact]
    public void Invoice_payment_without_expansions_has_no_method_rather_than_an_invented_one()
    {
        const string payment = """{ "type": "payment_intent", "payment_intent": "pi_3" }""";

        var snapshot = StripeSnapshots.FromInvoicePayment(StripeJson.InvoicePayment(InvoicePayment(payment)), AsOf);

        Assert.Null(snapshot.Method);
        Assert.Null(snapshot.CustomerId);
        Assert.Empty(snapshot.Metadata);
    }

    [Theory]
    [InlineData("open", "\"in_1\"", PaymentDisposition.SkippedNotPaid, 2000)]
    [InlineData("canceled", "\"in_1\"", PaymentDisposition.SkippedNotPaid, 2000)]
    [InlineData("paid", "null", PaymentDisposition.SkippedUnapplied, 2000)]
    public void Open_canceled_or_unapplied_invoice_payments_are_skipped(string status, string invoice, PaymentDisposition expected, long amount)
    {
        var json = InvoicePayment("""{ "type": "payment_intent", "payment_intent": "pi_3" }""", status, invoice);

        var snapshot = StripeSnapshots.FromInvoicePayment(StripeJson.InvoicePayment(json), AsOf);

        Assert.Equal(expected, PaymentRules.Classify(snapshot));
        Assert.Equal(amount, snapshot.Amount);
    }
}
