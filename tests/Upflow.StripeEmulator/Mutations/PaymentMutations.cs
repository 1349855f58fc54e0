using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Http;
using Upflow.StripeEmulator.Json;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Mutations;

public sealed record NewPaymentMethod
{
    public required string Type { get; init; }
    public CardDetails? Card { get; init; }
    public SepaDebitDetails? SepaDebit { get; init; }
    public UsBankAccountDetails? UsBankAccount { get; init; }

    public static NewPaymentMethod ForCard(string brand = "visa", string last4 = "4242") =>
        new() { Type = "card", Card = new CardDetails(brand, last4, 12, 2030, "credit", "US") };
    public static NewPaymentMethod ForSepaDebit(string bankCode = "37040044", string last4 = "3000") =>
        new() { Type = "sepa_debit", SepaDebit = new SepaDebitDetails(bankCode, last4, "DE") };
    public static NewPaymentMethod ForUsBankAccount(string bankName = "STRIPE TEST BANK", string last4 = "6789") =>
        new() { Type = "us_bank_account", UsBankAccount = new UsBankAccountDetails(bankName, last4, "110000000", "checking", "individual") };
}

/// <summary>
/// A succeeded payment: a payment intent and its charge. With <see cref="Invoice"/> it is applied
/// (an invoice_payment links it); without, it is an unapplied payment, like a customer's bank transfer
/// Stripe could not reconcile.
/// </summary>
public sealed record NewPayment
{
    public required string Customer { get; init; }
    public long Amount { get; init; }
    public string Currency { get; init; } = "eur";
    public string? Invoice { get; init; }
    /// <summary>An existing payment method id; when null one is created from <see cref="NewMethod"/>.</summary>
    public string? PaymentMethod { get; init; }
    public NewPaymentMethod NewMethod { get; init; } = NewPaymentMethod.ForCard();
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

public sealed record CreatedPayment(string PaymentIntentId, string ChargeId, string PaymentMethodId, string? InvoicePaymentId);

internal sealed class PaymentMutations(EventRecorder events, InvoiceMutations invoices)
{
    public PaymentMethod AttachPaymentMethod(StripeAccount a, string customerId, NewPaymentMethod spec) => a.Write(() =>
    {
        CustomerMutations.Find(a, customerId);
        var method = NewMethod(a, customerId, spec, events.Now);
        a.PaymentMethods.Add(method);
        events.Record(a, "payment_method.attached", w => PaymentMethodJson.Write(w, method, Expansion.None, a), null, RequestOrigin.Dashboard);
        return method;
    });

    public CreatedPayment Create(StripeAccount a, NewPayment spec) => a.Write(() =>
    {
        var customer = CustomerMutations.Find(a, spec.Customer);
        var invoice = spec.Invoice is null ? null : InvoiceMutations.Find(a, spec.Invoice);
        if (invoice is not null && invoice.CustomerId != customer.Id)
            throw StripeApiException.InvalidRequest($"Invoice {invoice.Id} does not belong to customer {customer.Id}.");
        if (invoice is not null) InvoiceMutations.EnsurePayable(invoice);
        var amount = spec.Amount > 0 ? spec.Amount : invoice?.AmountRemaining ?? 0;
        if (amount <= 0) throw StripeApiException.InvalidRequest("This value must be greater than or equal to 1.", param: "amount");
        var currency = invoice?.Currency ?? spec.Currency;

        var method = spec.PaymentMethod is null ? null : a.PaymentMethods.Find(spec.PaymentMethod)
            ?? throw StripeApiException.NoSuch("PaymentMethod", spec.PaymentMethod, "payment_method");
        if (method is null)
        {
            method = NewMethod(a, customer.Id, spec.NewMethod, events.Now);
            a.PaymentMethods.Add(method);
            events.Record(a, "payment_method.attached", w => PaymentMethodJson.Write(w, method, Expansion.None, a), null, RequestOrigin.Dashboard);
        }

        var intent = a.Stamp(new PaymentIntent
        {
            Id = a.NewId("pi"), Created = events.Now, Currency = currency, Amount = amount, AmountReceived = amount,
            CustomerId = customer.Id, PaymentMethodId = method.Id,
            Metadata = new Dictionary<string, string>(spec.Metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal),
        });
        var charge = a.Stamp(new Charge
        {
            Id = a.NewId("ch"), Created = events.Now, Currency = currency, Amount = amount,
            CustomerId = customer.Id, PaymentIntentId = intent.Id, PaymentMethodId = method.Id,
        });
        intent.LatestChargeId = charge.Id;
        a.PaymentIntents.Add(intent);
        a.Charges.Add(charge);
        events.Record(a, "payment_intent.succeeded", w => PaymentIntentJson.Write(w, intent, Expansion.None, a), null, RequestOrigin.Dashboard);
        if (invoice is null) return new CreatedPayment(intent.Id, charge.Id, method.Id, null);

        var invoicePayment = a.Stamp(new InvoicePayment
        {
            Id = a.NewId("inpay"), Created = events.Now, InvoiceId = invoice.Id, Currency = currency,
            AmountRequested = amount, AmountPaid = amount, Status = "paid", PaymentType = "payment_intent",
            PaymentIntentId = intent.Id, PaidAt = events.Now, IsDefault = invoice.PaymentIds.Count == 0,
        });
        a.InvoicePayments.Add(invoicePayment);
        invoice.PaymentIds.Add(invoicePayment.Id);
        invoices.MarkPaidByPayment(a, invoice, amount, RequestOrigin.Dashboard);
        events.Record(a, "invoice_payment.paid", w => InvoicePaymentJson.Write(w, invoicePayment, Expansion.None, a), null, RequestOrigin.Dashboard);
        return new CreatedPayment(intent.Id, charge.Id, method.Id, invoicePayment.Id);
    });

    internal static PaymentMethod NewMethod(StripeAccount a, string? customerId, NewPaymentMethod spec, long created) => a.Stamp(new PaymentMethod
    {
        Id = a.NewId("pm"),
        Created = created,
        Type = spec.Type,
        CustomerId = customerId,
        Card = spec.Card,
        SepaDebit = spec.SepaDebit,
        UsBankAccount = spec.UsBankAccount,
    });
}
