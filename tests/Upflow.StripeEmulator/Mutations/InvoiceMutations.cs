using System.Net;
using System.Text.Json;
using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Http;
using Upflow.StripeEmulator.Json;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Mutations;

public sealed record NewInvoice
{
    public required string Customer { get; init; }
    public long Total { get; init; } = 10_000;
    public string Currency { get; init; } = "eur";
    public DateTimeOffset? DueDate { get; init; }
    public string? Description { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

/// <summary>
/// Stripe's invoice life cycle: draft → open → paid | void | uncollectible; uncollectible → paid | void.
/// Each transition emits the specific event and invoice.updated with the previous attributes.
/// </summary>
internal sealed class InvoiceMutations(EventRecorder events)
{
    private long _numberSequence;

    public Invoice Create(StripeAccount a, NewInvoice spec) => a.Write(() =>
    {
        var customer = CustomerMutations.Find(a, spec.Customer);
        var invoice = a.Stamp(new Invoice
        {
            Id = a.NewId("in"),
            Created = events.Now,
            CustomerId = customer.Id,
            Currency = spec.Currency,
            Total = spec.Total,
            DueDate = spec.DueDate?.ToUnixTimeSeconds(),
            Description = spec.Description,
            Metadata = new Dictionary<string, string>(spec.Metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal),
        });
        a.Invoices.Add(invoice);
        events.Invoice(a, "invoice.created", invoice, null, RequestOrigin.Dashboard);
        return invoice;
    });

    public Invoice Finalize(StripeAccount a, string id) => a.Write(() =>
    {
        var i = Find(a, id);
        if (i.Status != InvoiceStatus.Draft)
            throw StripeApiException.InvalidRequest("This invoice is already finalized, you can't re-finalize a non-draft invoice.", "invoice_not_editable");
        i.Status = InvoiceStatus.Open;
        i.FinalizedAt = i.EffectiveAt = events.Now;
        i.Number = $"{i.CustomerId[^8..].ToUpperInvariant()}-{Interlocked.Increment(ref _numberSequence):D4}";
        i.DueDate ??= events.Now + (long)TimeSpan.FromDays(30).TotalSeconds;
        events.Invoice(a, "invoice.finalized", i, null, RequestOrigin.Dashboard);
        events.Invoice(a, "invoice.updated", i, w => Previous(w, InvoiceStatus.Draft, "finalized_at", writeNumberNull: true), RequestOrigin.Dashboard);
        return i;
    });

    /// <summary>
    /// POST /v1/invoices/{id}/pay with paid_out_of_band=true: no payment object is created; the
    /// amount is reported as paid off Stripe.
    /// </summary>
    public Invoice PayOutOfBand(StripeAccount a, string id, RequestOrigin origin) => a.Write(() =>
    {
        var i = Find(a, id, status: HttpStatusCode.NotFound);
        EnsurePayable(i);
        var previousStatus = i.Status;
        var remaining = i.AmountRemaining;
        i.Status = InvoiceStatus.Paid;
        i.AmountPaid += remaining;
        i.AmountPaidOffStripe += remaining;
        i.PaidAt = events.Now;
        events.Invoice(a, "invoice.paid", i, null, origin);
        events.Invoice(a, "invoice.updated", i, w => PaidPrevious(w, previousStatus, remaining), origin);
        a.Activity.RecordOutOfBand(new OutOfBandPayment(i.Id, origin.IdempotencyKey, remaining, i.Currency,
            DateTimeOffset.FromUnixTimeSeconds(i.PaidAt.Value), origin.RequestId ?? ""));
        return i;
    });

    /// <summary>Marks the invoice paid by an invoice_payment already added by <see cref="PaymentMutations"/>.</summary>
    internal void MarkPaidByPayment(StripeAccount a, Invoice i, long amount, RequestOrigin origin)
    {
        EnsurePayable(i);
        var previousStatus = i.Status;
        i.AmountPaid += amount;
        if (i.AmountPaid < i.Total) return;
        i.Status = InvoiceStatus.Paid;
        i.PaidAt = events.Now;
        events.Invoice(a, "invoice.paid", i, null, origin);
        events.Invoice(a, "invoice.updated", i, w => PaidPrevious(w, previousStatus, amount), origin);
    }

    public Invoice Void(StripeAccount a, string id) => a.Write(() =>
    {
        var i = Find(a, id);
        if (i.Status is not (InvoiceStatus.Open or InvoiceStatus.Uncollectible))
            throw StripeApiException.InvalidRequest($"You can only void an open or uncollectible invoice. This invoice is {i.Status}.");
        var previous = i.Status;
        i.Status = InvoiceStatus.Void;
        i.VoidedAt = events.Now;
        foreach (var payment in i.PaymentIds.Select(p => a.InvoicePayments.Find(p)!).Where(p => p.Status == "open"))
        {
            payment.Status = "canceled";
            payment.CanceledAt = events.Now;
        }
        events.Invoice(a, "invoice.voided", i, null, RequestOrigin.Dashboard);
        events.Invoice(a, "invoice.updated", i, w => Previous(w, previous, "voided_at", writeNumberNull: true), RequestOrigin.Dashboard);
        return i;
    });

    public Invoice MarkUncollectible(StripeAccount a, string id) => a.Write(() =>
    {
        var i = Find(a, id);
        if (i.Status != InvoiceStatus.Open)
            throw StripeApiException.InvalidRequest($"You can only mark an open invoice as uncollectible. This invoice is {i.Status}.");
        i.Status = InvoiceStatus.Uncollectible;
        i.MarkedUncollectibleAt = events.Now;
        events.Invoice(a, "invoice.marked_uncollectible", i, null, RequestOrigin.Dashboard);
        events.Invoice(a, "invoice.updated", i, w => Previous(w, InvoiceStatus.Open, "marked_uncollectible_at", writeNumberNull: true), RequestOrigin.Dashboard);
        return i;
    });

    public Invoice UpdateMetadata(StripeAccount a, string id, IReadOnlyDictionary<string, string> metadata) => a.Write(() =>
    {
        var i = Find(a, id);
        var before = new Dictionary<string, string>(i.Metadata);
        foreach (var (key, value) in metadata)
            if (value.Length == 0) i.Metadata.Remove(key); else i.Metadata[key] = value;
        events.Invoice(a, "invoice.updated", i, w => { w.WriteStartObject(); w.WriteMetadata(before); w.WriteEndObject(); }, RequestOrigin.Dashboard);
        return i;
    });

    /// <summary>Only drafts can be deleted; Stripe voids finalized invoices instead.</summary>
    public void DeleteDraft(StripeAccount a, string id) => a.Write(() =>
    {
        var i = Find(a, id);
        if (i.Status != InvoiceStatus.Draft)
            throw StripeApiException.InvalidRequest("You can only delete draft invoices.", "invoice_not_editable");
        events.Invoice(a, "invoice.deleted", i, null, RequestOrigin.Dashboard);
        a.Invoices.Unlist(i);
        return i;
    });

    internal static Invoice Find(StripeAccount a, string id, HttpStatusCode status = HttpStatusCode.NotFound) =>
        a.Invoices.Find(id) ?? throw StripeApiException.NoSuch("invoice", id, "invoice", status);

    /// <summary>Stripe's refusals when paying an invoice that cannot be paid.</summary>
    internal static void EnsurePayable(Invoice i)
    {
        switch (i.Status)
        {
            case InvoiceStatus.Paid:
                throw StripeApiException.InvalidRequest("Invoice is already paid");
            case InvoiceStatus.Void:
                throw StripeApiException.InvalidRequest("You cannot pay a void invoice.");
            case InvoiceStatus.Draft:
                throw StripeApiException.InvalidRequest(
                    "This invoice is in draft status; you must finalize it before it can be paid.");
        }
    }

    private static void Previous(Utf8JsonWriter w, string status, string transition, bool writeNumberNull)
    {
        w.WriteStartObject();
        w.WriteString("status", status);
        w.WriteStartObject("status_transitions");
        if (writeNumberNull) w.WriteNull(transition);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void PaidPrevious(Utf8JsonWriter w, string status, long amount)
    {
        w.WriteStartObject();
        w.WriteNumber("amount_remaining", amount);
        w.WriteBoolean("attempted", status != InvoiceStatus.Draft);
        w.WriteString("status", status);
        w.WriteStartObject("status_transitions");
        w.WriteNull("paid_at");
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
