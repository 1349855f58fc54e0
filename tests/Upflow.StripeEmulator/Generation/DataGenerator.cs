using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Generation;

/// <summary>
/// Deterministic bulk data: one seeded Random drives every choice, objects are built in memory and
/// indexed with one sort per collection. Generated history emits no events: it is the state the
/// product backfills; events come from later mutations.
/// </summary>
internal sealed class DataGenerator(StripeAccount account, GenerationSpec spec, long now)
{
    private readonly Random _random = new(spec.Seed);
    private readonly List<Customer> _customers = [];
    private readonly List<Invoice> _invoices = [];
    private readonly List<InvoicePayment> _invoicePayments = [];
    private readonly List<PaymentIntent> _intents = [];
    private readonly List<Charge> _charges = [];
    private readonly List<PaymentMethod> _methods = [];
    private readonly Dictionary<string, PaymentMethod> _methodByCustomer = new(StringComparer.Ordinal);
    private int _withAdditionalEmails;
    private int _invoiceNumber;

    public GeneratedCounts Generate() => account.Write(() =>
    {
        var start = now - (long)spec.History.TotalSeconds;
        account.PredateTo(start);
        for (var i = 0; i < spec.Customers; i++) AddCustomer(i, start);
        var unapplied = (int)Math.Round(spec.Customers * spec.UnappliedPaymentRatio);
        for (var i = 0; i < unapplied && _customers.Count > 0; i++) AddUnappliedPayment(_customers[_random.Next(_customers.Count)]);

        account.Customers.AddRange(_customers);
        account.PaymentMethods.AddRange(_methods);
        account.Invoices.AddRange(_invoices);
        account.PaymentIntents.AddRange(_intents);
        account.Charges.AddRange(_charges);
        account.InvoicePayments.AddRange(_invoicePayments);
        return new GeneratedCounts
        {
            Customers = _customers.Count,
            CustomersWithAdditionalEmails = _withAdditionalEmails,
            Invoices = _invoices.Count,
            DraftInvoices = _invoices.Count(i => i.Status == InvoiceStatus.Draft),
            OpenInvoices = _invoices.Count(i => i.Status == InvoiceStatus.Open),
            PaidInvoices = _invoices.Count(i => i.Status == InvoiceStatus.Paid),
            VoidInvoices = _invoices.Count(i => i.Status == InvoiceStatus.Void),
            UncollectibleInvoices = _invoices.Count(i => i.Status == InvoiceStatus.Uncollectible),
            InvoicePayments = _invoicePayments.Count,
            PaidInvoicePayments = _invoicePayments.Count(p => p.Status == "paid"),
            UnappliedPayments = unapplied,
            PaymentIntents = _intents.Count,
            Charges = _charges.Count,
            PaymentMethods = _methods.Count,
        };
    });

    private void AddCustomer(int index, long start)
    {
        var created = Between(start, now - 86_400);
        var company = $"{Pick(SampleData.Companies)} {Pick(SampleData.Suffixes)} {index}";
        var domain = $"{company.Split(' ')[0].ToLowerInvariant()}{index}.example.com";
        var customer = account.Stamp(new Customer
        {
            Id = account.NewId("cus"),
            Created = created,
            Name = company,
            Email = Chance(0.95) ? $"billing@{domain}" : null,
            Description = Chance(0.3) ? $"Account managed by {Pick(SampleData.FirstNames)}" : null,
            Currency = Pick(SampleData.Currencies),
            Balance = Chance(0.1) ? -_random.Next(1, 50_000) : 0,
            Delinquent = Chance(0.08),
            TaxExempt = Pick(SampleData.TaxExempt),
            TaxLocationCountry = Chance(0.7) ? Pick(SampleData.Countries) : null,
        });
        customer.Metadata["Region"] = Pick(SampleData.Regions);
        if (Chance(0.3)) customer.Metadata["Additional emails to"] = AdditionalEmails(domain, customer.Email);
        if (Chance(0.15)) customer.Metadata["Additional emails cc"] = AdditionalEmails(domain, customer.Email);
        if (customer.Metadata.ContainsKey("Additional emails to") || customer.Metadata.ContainsKey("Additional emails cc")) _withAdditionalEmails++;
        if (Chance(0.1))
            customer.Discount = new CustomerDiscount(account.NewId("di"), $"COUPON{_random.Next(5, 30)}", "Loyalty", _random.Next(5, 30), null, created);
        if (Chance(0.1))
            customer.Sources.Add(new SourceCard(account.NewId("card"), Pick(SampleData.CardBrands), Last4(), _random.Next(1, 13), _random.Next(2026, 2032)));
        if (Chance(0.2))
            customer.Subscriptions.Add(new SubscriptionSummary(account.NewId("sub"), Chance(0.8) ? "active" : "past_due", created, customer.Currency!));
        _customers.Add(customer);

        var method = NewPaymentMethod(customer);
        if (Chance(0.5)) customer.DefaultPaymentMethodId = method.Id;
        var invoices = _random.Next(0, 2 * spec.InvoicesPerCustomer + 1);
        for (var i = 0; i < invoices; i++) AddInvoice(customer, method);
    }

    /// <summary>Several addresses per key, mixed separators, invalid and duplicate entries, as users type them.</summary>
    private string AdditionalEmails(string domain, string? mainEmail)
    {
        var addresses = new List<string>();
        var count = _random.Next(1, 5);
        for (var i = 0; i < count; i++) addresses.Add($"{Pick(SampleData.FirstNames).ToLowerInvariant()}.{i}@{domain}");
        if (Chance(0.3)) addresses.Add(Pick(SampleData.InvalidAddresses));
        if (Chance(0.3)) addresses.Add(addresses[0].ToUpperInvariant());
        if (Chance(0.2) && mainEmail is not null) addresses.Add(mainEmail);
        var text = addresses[0];
        for (var i = 1; i < addresses.Count; i++) text += Pick(SampleData.Separators) + addresses[i];
        return text;
    }

    private void AddInvoice(Customer customer, PaymentMethod method)
    {
        var created = Between(customer.Created, now - 3_600);
        var total = _random.Next(1, 2_000) * 100L + _random.Next(0, 100);
        var status = _random.NextDouble() switch
        {
            < 0.10 => InvoiceStatus.Draft,
            < 0.35 => InvoiceStatus.Open,
            < 0.80 => InvoiceStatus.Paid,
            < 0.90 => InvoiceStatus.Void,
            _ => InvoiceStatus.Uncollectible,
        };
        var invoice = account.Stamp(new Invoice
        {
            Id = account.NewId("in"),
            Created = created,
            CustomerId = customer.Id,
            Currency = customer.Currency!,
            Total = total,
            Status = status,
            CollectionMethod = Chance(0.7) ? "send_invoice" : "charge_automatically",
            Description = Chance(0.2) ? "Professional services" : null,
        });
        if (Chance(0.3)) invoice.Metadata["PO Number"] = $"PO-{_random.Next(10_000, 99_999)}";
        if (Chance(0.2)) invoice.Metadata["Project"] = Pick(SampleData.Companies);
        _invoices.Add(invoice);

        // Drafts have no number and, unless set explicitly, no due date; some open ones are overdue.
        invoice.DueDate = status == InvoiceStatus.Draft && Chance(0.5) ? null : created + _random.Next(7, 61) * 86_400L;
        if (status == InvoiceStatus.Draft) return;
        invoice.FinalizedAt = invoice.EffectiveAt = Math.Min(now, created + _random.Next(0, 3_600));
        invoice.Number = $"{customer.Id[^8..].ToUpperInvariant()}-{++_invoiceNumber:D4}";
        var settledAt = Between(invoice.FinalizedAt.Value, now);
        switch (status)
        {
            case InvoiceStatus.Paid:
                AddInvoicePayment(invoice, method, settledAt, "paid");
                invoice.AmountPaid = total;
                invoice.PaidAt = settledAt;
                break;
            case InvoiceStatus.Void:
                invoice.VoidedAt = settledAt;
                if (Chance(0.2)) AddInvoicePayment(invoice, method, settledAt, "canceled");
                break;
            case InvoiceStatus.Uncollectible:
                invoice.MarkedUncollectibleAt = settledAt;
                break;
            case InvoiceStatus.Open when Chance(0.1):
                AddInvoicePayment(invoice, method, settledAt, "open");
                break;
        }
    }

    private void AddInvoicePayment(Invoice invoice, PaymentMethod method, long at, string status)
    {
        // A tenth of payments are bare charges (payment.type = charge), as older integrations create.
        var asCharge = Chance(0.1);
        PaymentIntent? intent = null;
        Charge? charge = null;
        if (status == "paid")
        {
            if (!asCharge) intent = AddIntent(invoice.CustomerId, method, invoice.Total, invoice.Currency, at, null);
            charge = AddCharge(invoice.CustomerId, method, invoice.Total, invoice.Currency, at, intent);
        }
        else
        {
            asCharge = false;
            intent = AddIntent(invoice.CustomerId, method, invoice.Total, invoice.Currency, at, null);
            intent.Status = status == "open" ? "requires_payment_method" : "canceled";
            intent.AmountReceived = 0;
        }
        var payment = account.Stamp(new InvoicePayment
        {
            Id = account.NewId("inpay"),
            Created = invoice.FinalizedAt ?? at,
            InvoiceId = invoice.Id,
            Currency = invoice.Currency,
            AmountRequested = invoice.Total,
            AmountPaid = status == "paid" ? invoice.Total : null,
            Status = status,
            PaymentType = asCharge ? "charge" : "payment_intent",
            PaymentIntentId = intent?.Id,
            ChargeId = asCharge ? charge!.Id : null,
            PaidAt = status == "paid" ? at : null,
            CanceledAt = status == "canceled" ? at : null,
        });
        invoice.PaymentIds.Add(payment.Id);
        _invoicePayments.Add(payment);
    }

    private void AddUnappliedPayment(Customer customer)
    {
        var method = _methodByCustomer.GetValueOrDefault(customer.Id) ?? NewPaymentMethod(customer);
        var at = Between(customer.Created, now - 60);
        var intent = AddIntent(customer.Id, method, _random.Next(1, 1_000) * 100L, customer.Currency!, at, "Unapplied bank transfer");
        intent.Metadata["Reference"] = $"TRF-{_random.Next(100_000, 999_999)}";
        AddCharge(customer.Id, method, intent.Amount, intent.Currency, at, intent);
    }

    private PaymentIntent AddIntent(string customerId, PaymentMethod method, long amount, string currency, long at, string? description)
    {
        var intent = account.Stamp(new PaymentIntent
        {
            Id = account.NewId("pi"), Created = at, Currency = currency, Amount = amount, AmountReceived = amount,
            CustomerId = customerId, PaymentMethodId = method.Id, Description = description,
        });
        if (Chance(0.2)) intent.Metadata["Channel"] = Chance(0.5) ? "portal" : "phone";
        _intents.Add(intent);
        return intent;
    }

    private Charge AddCharge(string customerId, PaymentMethod method, long amount, string currency, long at, PaymentIntent? intent)
    {
        var charge = account.Stamp(new Charge
        {
            Id = account.NewId("ch"), Created = at, Currency = currency, Amount = amount,
            CustomerId = customerId, PaymentIntentId = intent?.Id, PaymentMethodId = method.Id,
        });
        if (intent is not null) intent.LatestChargeId = charge.Id;
        _charges.Add(charge);
        return charge;
    }

    private PaymentMethod NewPaymentMethod(Customer customer)
    {
        var roll = _random.NextDouble();
        var method = account.Stamp(new PaymentMethod
        {
            Id = account.NewId("pm"),
            Created = customer.Created,
            CustomerId = customer.Id,
            BillingName = customer.Name,
            Type = roll < 0.6 ? "card" : roll < 0.85 ? "sepa_debit" : "us_bank_account",
            Card = roll < 0.6 ? new CardDetails(Pick(SampleData.CardBrands), Last4(), _random.Next(1, 13), _random.Next(2026, 2032), Chance(0.8) ? "credit" : "debit", Pick(SampleData.Countries)) : null,
            SepaDebit = roll is >= 0.6 and < 0.85 ? new SepaDebitDetails(Pick(SampleData.SepaBankCodes), Last4(), Pick(["DE", "FR", "NL"])) : null,
            UsBankAccount = roll >= 0.85 ? new UsBankAccountDetails(Pick(SampleData.BankNames), Last4(), "110000000", Chance(0.7) ? "checking" : "savings", "company") : null,
        });
        _methods.Add(method);
        _methodByCustomer[customer.Id] = method;
        return method;
    }

    private string Last4() => _random.Next(0, 10_000).ToString("D4");
    private bool Chance(double probability) => _random.NextDouble() < probability;
    private T Pick<T>(T[] items) => items[_random.Next(items.Length)];
    private long Between(long from, long to) => to <= from ? from : from + (long)(_random.NextDouble() * (to - from));
}
