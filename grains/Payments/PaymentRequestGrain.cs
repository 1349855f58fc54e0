using System.Security.Cryptography;
using Upflow.Orleans.Accounts;
using Upflow.Orleans.Ledger;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Payments;

/// <summary>
/// The Idempotency-Key of a <c>POST /v1/payments</c>: decides once which payment the key created.
/// Orleans runs one activation per key and its calls one at a time, so concurrent duplicates queue
/// here; the state is written (with an etag) before the payment exists, so a crash in between is
/// finished by the replay, never turned into a second payment.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed class PaymentRequestGrain(
    [PersistentState("payment-request")] IPersistentState<PaymentRequestState> state,
    LedgerStore ledger,
    TimeProvider clock) : Grain, IPaymentRequestGrain
{
    private const string PaymentIdAlphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public async Task<RecordPaymentOutcome> Record(PortalPaymentRequest request)
    {
        var key = LedgerKey.Parse(this.GetPrimaryKeyString());
        var fingerprint = request.Fingerprint();
        if (state.State is { PaymentId: { } existing, Payment: { } recorded })
        {
            if (state.State.Fingerprint != fingerprint)
                return RecordPaymentOutcome.Refused(RecordPaymentStatus.KeyReused,
                    "This Idempotency-Key was already used with a different request body; use a new key for a new payment.");
            // A request recorded before payments carried their moment: it is when the request arrived.
            if (recorded.RecordedAt == default) recorded = recorded with { RecordedAt = state.State.ReceivedAt ?? clock.GetUtcNow() };
            await Payment(key.OrganizationId, existing).RecordPortal(recorded);
            return new RecordPaymentOutcome(RecordPaymentStatus.Replayed, existing, null);
        }

        var invoice = (await ledger.FindInvoiceAsync(key.OrganizationId, request.InvoiceId))?.Snapshot;
        if (await ValidateAsync(key.OrganizationId, request, invoice) is { } refused) return refused;
        var paymentId = "pay_" + RandomNumberGenerator.GetString(PaymentIdAlphabet, 24);
        var now = clock.GetUtcNow();
        state.State = new PaymentRequestState
        {
            Fingerprint = fingerprint,
            PaymentId = paymentId,
            Payment = new PortalPayment(request, invoice!.CustomerId, now),
            ReceivedAt = now,
        };
        await state.WriteStateAsync();
        await Payment(key.OrganizationId, paymentId).RecordPortal(state.State.Payment);
        return new RecordPaymentOutcome(RecordPaymentStatus.Created, paymentId, null, now);
    }

    /// <summary>
    /// Refusals record nothing: the same key may be sent again once the cause is fixed. An invoice
    /// the ledger does not hold is refused (it may exist in Stripe, not synced yet: paying it out of
    /// band unchecked would close it whatever the amount or currency). One it holds as paid or
    /// voided is not: the money was collected, so the payment is recorded and Stripe's refusal
    /// becomes its export error, with Stripe's message, for someone to act on (the contract's rule).
    /// </summary>
    private async Task<RecordPaymentOutcome?> ValidateAsync(string organizationId, PortalPaymentRequest request, InvoiceSnapshot? invoice)
    {
        var sync = await GrainFactory.GetGrain<IStripeAccountGrain>(organizationId).GetStatus();
        if (sync.State == SyncStates.NotConnected)
            return RecordPaymentOutcome.Refused(RecordPaymentStatus.NotConnected,
                "Stripe is not connected: connect it before recording payments to export back to Stripe Billing.");
        if (invoice is null)
            return RecordPaymentOutcome.Refused(RecordPaymentStatus.InvoiceNotFound, $"No invoice '{request.InvoiceId}'.");
        if (invoice.StripeStatus is StripeInvoiceStatus.Paid or StripeInvoiceStatus.Void) return null;
        if (!string.Equals(invoice.Currency, request.Currency, StringComparison.OrdinalIgnoreCase))
            return RecordPaymentOutcome.Refused(RecordPaymentStatus.CurrencyMismatch,
                $"Invoice {invoice.Id} is in '{invoice.Currency}'; the payment is in '{request.Currency}'.");
        if (request.Amount > invoice.AmountRemaining)
            return RecordPaymentOutcome.Refused(RecordPaymentStatus.AmountExceedsRemaining,
                $"The amount {request.Amount} exceeds the {invoice.AmountRemaining} remaining on invoice {invoice.Id}.");
        return null;
    }

    private IPaymentGrain Payment(string organizationId, string paymentId) =>
        GrainFactory.GetGrain<IPaymentGrain>(new LedgerKey(organizationId, paymentId).ToString());
}

[GenerateSerializer, Alias("upflow.PaymentRequestState")]
public sealed class PaymentRequestState
{
    /// <summary>SHA-256 of the request's values (<see cref="PortalPaymentRequest.Fingerprint"/>).</summary>
    [Id(0)] public string? Fingerprint { get; set; }
    [Id(1)] public string? PaymentId { get; set; }
    [Id(2)] public PortalPayment? Payment { get; set; }
    [Id(3)] public DateTimeOffset? ReceivedAt { get; set; }
}
