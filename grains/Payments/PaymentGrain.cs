using Upflow.Orleans.Ledger;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Payments;

/// <summary>
/// Owns one payment. A Stripe invoice payment is imported only once paid and applied to an invoice;
/// unapplied payments never reach the ledger.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed class PaymentGrain(LedgerStore ledger, TimeProvider clock) : Grain, IPaymentGrain
{
    private LedgerKey _key;
    private PaymentRecord? _record;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = LedgerKey.Parse(this.GetPrimaryKeyString());
        _record = await ledger.FindPaymentAsync(_key.OrganizationId, _key.ObjectId);
    }

    public async Task<ApplyOutcome> ApplyStripe(PaymentSnapshot snapshot, SyncSettings settings, SnapshotOrigin origin)
    {
        if (!PaymentRules.IsImported(snapshot))
            return Done(ApplyOutcome.NotImported, origin);
        var current = _record?.Snapshot;
        if (current is not null && !SnapshotOrdering.ShouldApply(
                new PaymentStamp(current.AsOf, current.StripeStatus),
                new PaymentStamp(snapshot.AsOf, snapshot.StripeStatus)))
            return Done(ApplyOutcome.Stale, origin);

        var record = new PaymentRecord(
            _key.OrganizationId,
            snapshot.Id,
            PaymentRecord.Sources.Stripe,
            snapshot.InvoiceId,
            snapshot.CustomerId,
            snapshot.Amount,
            snapshot.Currency,
            snapshot.PaidAt,
            snapshot.Method,
            PaymentExport.NotApplicable,
            CustomFieldRules.Derive(snapshot.Metadata, null, settings.CustomFields.Payment),
            snapshot,
            clock.GetUtcNow());
        await ledger.SavePaymentAsync(record);
        _record = record;
        return Done(ApplyOutcome.Applied, origin);
    }

    private ApplyOutcome Done(ApplyOutcome outcome, SnapshotOrigin origin)
    {
        if (origin == SnapshotOrigin.Backfill) DeactivateOnIdle();
        return outcome;
    }
}
