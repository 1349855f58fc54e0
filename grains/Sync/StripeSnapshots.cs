using Upflow.Orleans.Stripe.Wire;

namespace Upflow.Orleans.Sync;

/// <summary>
/// Stripe's objects (as read by <see cref="StripeJson"/>) → the snapshots grains exchange. Instants
/// are Unix seconds, UTC; expandable fields give their id whether or not they were expanded.
/// </summary>
public static class StripeSnapshots
{
    public static CustomerSnapshot FromCustomer(CustomerJson customer, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return new CustomerSnapshot(
            Id: customer.Id,
            Name: customer.Name,
            Email: customer.Email,
            Currency: customer.Currency,
            Balance: customer.Balance,
            Delinquent: customer.Delinquent,
            CreatedAt: Utc(customer.Created) ?? DateTimeOffset.MinValue,
            Metadata: Copy(customer.Metadata),
            Native: customer.Deleted == true ? CustomerNativeFields.None : NativeFields(customer),
            AsOf: asOf.ToUniversalTime(),
            Deleted: customer.Deleted == true);
    }

    public static CustomerNativeFields NativeFields(CustomerJson customer)
    {
        var omitted = new List<string>();
        IReadOnlyList<string>? sources = customer.Sources is { } s ? [.. s.Data.Select(x => x.Id)] : Omit<IReadOnlyList<string>>(CustomerNativeFieldNames.Sources);
        IReadOnlyList<string>? subscriptions = customer.Subscriptions is { } subs ? [.. subs.Data.Select(x => x.Id)] : Omit<IReadOnlyList<string>>(CustomerNativeFieldNames.Subscriptions);
        var taxCountry = customer.Tax is { } tax ? tax.Location?.Country : Omit<string>(CustomerNativeFieldNames.TaxLocationCountry);

        return new CustomerNativeFields(
            AccountEmail: customer.Email,
            Delinquent: customer.Delinquent,
            Description: customer.Description,
            Discount: customer.Discount?.Source?.Coupon.Id,
            DefaultPaymentMethod: customer.InvoiceSettings?.DefaultPaymentMethod.Id ?? customer.DefaultSource.Id,
            Sources: sources,
            Subscriptions: subscriptions,
            TaxLocationCountry: taxCountry,
            TaxExempt: customer.TaxExempt,
            Omitted: omitted);

        // Stripe includes sources, subscriptions and tax only when expanded.
        T? Omit<T>(string name)
            where T : class
        {
            omitted.Add(name);
            return null;
        }
    }

    public static InvoiceSnapshot FromInvoice(InvoiceJson invoice, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        return new InvoiceSnapshot(
            Id: invoice.Id,
            Number: invoice.Number,
            CustomerId: invoice.Customer.Id,
            Currency: invoice.Currency!,
            Total: invoice.Total,
            AmountDue: invoice.AmountDue,
            AmountPaid: invoice.AmountPaid,
            AmountRemaining: invoice.AmountRemaining,
            StripeStatus: invoice.Status,
            Created: Utc(invoice.Created) ?? DateTimeOffset.MinValue,
            EffectiveAt: Utc(invoice.EffectiveAt),
            FinalizedAt: Utc(invoice.StatusTransitions?.FinalizedAt),
            PaidAt: Utc(invoice.StatusTransitions?.PaidAt),
            DueDate: Utc(invoice.DueDate),
            Metadata: Copy(invoice.Metadata),
            AsOf: asOf.ToUniversalTime(),
            Deleted: invoice.Deleted == true);
    }

    /// <remarks>
    /// The payment method comes from payment.payment_intent.payment_method when expanded, else from
    /// the intent's expanded latest_charge, or from payment.charge's payment_method_details when
    /// payment.type is charge. Expand data.payment.payment_intent.payment_method when listing.
    /// </remarks>
    public static PaymentSnapshot FromInvoicePayment(InvoicePaymentJson payment, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var intent = payment.Payment?.PaymentIntent.Value;
        var charge = payment.Payment?.Charge.Value ?? intent?.LatestCharge.Value;
        return new PaymentSnapshot(
            Id: payment.Id,
            InvoiceId: payment.Invoice.Id,
            CustomerId: intent?.Customer.Id ?? charge?.Customer.Id ?? payment.Invoice.Value?.Customer.Id,
            Amount: payment.AmountPaid ?? payment.AmountRequested,
            Currency: payment.Currency!,
            StripeStatus: payment.Status!,
            PaidAt: Utc(payment.StatusTransitions?.PaidAt),
            Method: MethodOf(intent?.PaymentMethod.Value) ?? MethodOf(charge?.PaymentMethodDetails),
            Metadata: Copy(intent?.Metadata ?? charge?.Metadata),
            AsOf: asOf.ToUniversalTime());
    }

    public static PaymentMethodDetails? MethodOf(PaymentMethodJson? method) => method switch
    {
        null => null,
        { Card: { } card } => new(method.Type, card.Brand, card.Last4, null, card.Country),
        { SepaDebit: { } sepa } => new(method.Type, null, sepa.Last4, null, sepa.Country),
        { UsBankAccount: { } ach } => new(method.Type, null, ach.Last4, ach.BankName, null),
        { AcssDebit: { } acss } => new(method.Type, null, acss.Last4, acss.BankName, null),
        { BacsDebit: { } bacs } => new(method.Type, null, bacs.Last4, null, null),
        { AuBecsDebit: { } becs } => new(method.Type, null, becs.Last4, null, null),
        _ => new(method.Type, null, null, null, null),
    };

    private static DateTimeOffset? Utc(long? unixSeconds) =>
        unixSeconds is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    private static Dictionary<string, string> Copy(Dictionary<string, string>? metadata) =>
        metadata is null ? [] : new(metadata, StringComparer.Ordinal);
}
