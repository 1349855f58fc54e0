using Upflow.Orleans.Ledger;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Customers;

/// <summary>
/// Owns one Stripe customer: applies snapshots in order and derives its contacts and custom fields.
/// Its durable state is its read-model row (one batched write per change).
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed class CustomerGrain(LedgerStore ledger, TimeProvider clock) : Grain, ICustomerGrain
{
    private LedgerKey _key;
    private CustomerRecord? _record;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = LedgerKey.Parse(this.GetPrimaryKeyString());
        _record = await ledger.FindCustomerAsync(_key.OrganizationId, _key.ObjectId);
    }

    public async Task<ApplyOutcome> Apply(CustomerSnapshot snapshot, SyncSettings settings, SnapshotOrigin origin)
    {
        var current = _record?.Snapshot;
        if (!SnapshotOrdering.ShouldApply(
                current is null ? null : new CustomerStamp(current.AsOf, current.Deleted),
                new CustomerStamp(snapshot.AsOf, snapshot.Deleted)))
            return Done(ApplyOutcome.Stale, origin);

        // Stripe leaves unexpanded fields out of webhook payloads: keep what the backfill saw.
        var native = CustomerRules.CarryOmittedNativeFields(snapshot.Native, current?.Native);
        var applied = snapshot with { Native = native };
        var contacts = ContactRules.Extract(applied.Deleted ? null : applied.Email, applied.Metadata, settings.Contacts);
        var record = new CustomerRecord(
            _key.OrganizationId,
            applied,
            applied.Deleted ? [] : contacts.Contacts,
            contacts.InvalidAddressesSkipped,
            CustomFieldRules.Derive(applied.Metadata, applied.Native, settings.CustomFields.Customer),
            clock.GetUtcNow());
        await ledger.SaveCustomerAsync(record);
        _record = record;
        return Done(ApplyOutcome.Applied, origin);
    }

    private ApplyOutcome Done(ApplyOutcome outcome, SnapshotOrigin origin)
    {
        // A backfill touches each customer once: keeping a million activations around helps nobody.
        if (origin == SnapshotOrigin.Backfill) DeactivateOnIdle();
        return outcome;
    }
}
