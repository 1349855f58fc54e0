namespace Upflow.Orleans.Sync;

/// <summary>
/// Stripe.net objects → the snapshots grains exchange. Stripe.net gives instants as UTC DateTime;
/// expandable fields give their id whether or not they were expanded.
/// </summary>
public static class StripeSnapshots
{
    public static CustomerSnapshot FromCustomer(global::Stripe.Customer customer, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(customer);
        return new CustomerSnapshot(
            Id: customer.Id,
            Name: customer.Name,
            Email: customer.Email,
            Currency: customer.Currency,
            Balance: customer.Balance,
            Delinquent: customer.Delinquent,
            CreatedAt: Utc(customer.Created),
            Metadata: Copy(customer.Metadata),
            Native: customer.Deleted == true ? CustomerNativeFields.None : NativeFields(customer),
            AsOf: asOf.ToUniversalTime(),
            Deleted: customer.Deleted == true);
    }

    public static CustomerNativeFields NativeFields(global::Stripe.Customer customer)
    {
        var omitted = new List<string>();
        IReadOnlyList<string>? sources = customer.Sources is { } s ? [.. s.Data.Select(x => x.Id)] : Omit<IReadOnlyList<string>>(CustomerNativeFieldNames.Sources);
        IReadOnlyList<string>? subscriptions = customer.Subscriptions is { } subs ? [.. subs.Data.Select(x => x.Id)] : Omit<IReadOnlyList<string>>(CustomerNativeFieldNames.Subscriptions);
        var taxCountry = customer.Tax is { } tax ? tax.Location?.Country : Omit<string>(CustomerNativeFieldNames.TaxLocationCountry);

        return new CustomerNativeFields(
            AccountEmail: customer.Email,
            Delinquent: customer.Delinquent,
            Description: customer.Description,
            Discount: customer.Discount?.Source?.CouponId,
            DefaultPaymentMethod: customer.InvoiceSettings?.DefaultPaymentMethodId ?? customer.DefaultSourceId,
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

    public static InvoiceSnapshot FromInvoice(global::Stripe.Invoice invoice, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        return new InvoiceSnapshot(
            Id: invoice.Id,
            Number: invoice.Number,
            CustomerId: invoice.CustomerId,
            Currency: invoice.Currency,
            Total: invoice.Total,
            AmountDue: invoice.AmountDue,
            AmountPaid: invoice.AmountPaid,
            AmountRemaining: invoice.AmountRemaining,
            StripeStatus: invoice.Status,
            Created: Utc(invoice.Created),
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
    public static PaymentSnapshot FromInvoicePayment(global::Stripe.InvoicePayment payment, DateTimeOffset asOf)
    {
        ArgumentNullException.ThrowIfNull(payment);
        var intent = payment.Payment?.PaymentIntent;
        var charge = payment.Payment?.Charge ?? intent?.LatestCharge;
        return new PaymentSnapshot(
            Id: payment.Id,
            InvoiceId: payment.InvoiceId,
            CustomerId: intent?.CustomerId ?? charge?.CustomerId ?? payment.Invoice?.CustomerId,
            Amount: payment.AmountPaid ?? payment.AmountRequested,
            Currency: payment.Currency,
            StripeStatus: payment.Status,
            PaidAt: Utc(payment.StatusTransitions?.PaidAt),
            Method: MethodOf(intent?.PaymentMethod) ?? MethodOf(charge?.PaymentMethodDetails),
            Metadata: Copy(intent?.Metadata ?? charge?.Metadata),
            AsOf: asOf.ToUniversalTime());
    }

    public static PaymentMethodDetails? MethodOf(global::Stripe.PaymentMethod? method) => method switch
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

    public static PaymentMethodDetails? MethodOf(global::Stripe.ChargePaymentMethodDetails? details) => details switch
    {
        null => null,
        { Card: { } card } => new(details.Type, card.Brand, card.Last4, null, card.Country),
        { SepaDebit: { } sepa } => new(details.Type, null, sepa.Last4, null, sepa.Country),
        { UsBankAccount: { } ach } => new(details.Type, null, ach.Last4, ach.BankName, null),
        { AcssDebit: { } acss } => new(details.Type, null, acss.Last4, acss.BankName, null),
        { BacsDebit: { } bacs } => new(details.Type, null, bacs.Last4, null, null),
        { AuBecsDebit: { } becs } => new(details.Type, null, becs.Last4, null, null),
        _ => new(details.Type, null, null, null, null),
    };

    private static DateTimeOffset Utc(DateTime instant) =>
        new(DateTime.SpecifyKind(instant, DateTimeKind.Utc));

    private static DateTimeOffset? Utc(DateTime? instant) => instant is { } i ? Utc(i) : null;

    private static Dictionary<string, string> Copy(Dictionary<string, string>? metadata) =>
        metadata is null ? [] : new(metadata, StringComparer.Ordinal);
}
