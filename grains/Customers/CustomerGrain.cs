using Upflow.Orleans.Ledger;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Customers;

/// <summary>
/// Owns one Stripe customer: applies snapshots in order and derives its contacts and custom fields.
/// Its durable state is its read-model row (one batched write per change).
/// </summary>
/// <remarks>
/// Derivation always uses the newest settings the grain knows of: a snapshot that arrives with
/// settings older than those its row was derived with (a backfill page or an event that read them
/// just before a change) is derived with the newer ones, so it cannot undo a re-derivation. The
/// re-derivation itself rewrites rows in bulk (RederivationGrain), so the copy held here may lag
/// behind the row's derived fields; nothing here reads them: every write derives afresh from the
/// snapshot, which the re-derivation never changes.
/// </remarks>
[CollectionAgeLimit(Minutes = 2)]
public sealed class CustomerGrain(LedgerStore ledger, TimeProvider clock) : LedgerEntityGrain<CustomerRecord>, ICustomerGrain
{
    protected override Task<CustomerRecord?> FindAsync(LedgerKey key) => ledger.FindCustomerAsync(key.OrganizationId, key.ObjectId);

    protected override Task<bool> InsertAsync(CustomerRecord record) => ledger.InsertCustomerAsync(record);

    protected override Task SaveAsync(CustomerRecord record) => ledger.SaveCustomerAsync(record);

    public async Task<ApplyOutcome> Apply(CustomerSnapshot snapshot, SyncSettings settings, SnapshotOrigin origin) =>
        Done(await ApplyAsync(row => DecideAsync(row, snapshot, settings)), origin);

    public Task<ApplyOutcome[]> ApplyEvents(CustomerSnapshot[] snapshots, SyncSettings settings) =>
        ApplyInOrderAsync(snapshots, (row, snapshot) => DecideAsync(row, snapshot, settings),
            tied: (replaced, applied) => SnapshotOrdering.IsTie(Stamp(replaced.Snapshot), Stamp(applied.Snapshot))
                && !Same(replaced.Snapshot, applied.Snapshot));

    private static CustomerStamp Stamp(CustomerSnapshot snapshot) => new(snapshot.AsOf, snapshot.Deleted);

    private async Task<CustomerRecord?> DecideAsync(CustomerRecord? row, CustomerSnapshot snapshot, SyncSettings settings)
    {
        var current = row?.Snapshot;
        if (!SnapshotOrdering.ShouldApply(current is null ? null : Stamp(current), Stamp(snapshot)))
            return null;
        // Stripe leaves unexpanded fields out of webhook payloads: keep what the backfill saw.
        var native = CustomerRules.CarryOmittedNativeFields(snapshot.Native, current?.Native);
        return Derive(snapshot with { Native = native }, await NewestAsync(settings), clock.GetUtcNow());
    }

    private CustomerRecord Derive(CustomerSnapshot snapshot, SyncSettings settings, DateTimeOffset updatedAt) =>
        RecordDerivation.Customer(Key.OrganizationId, snapshot, settings, updatedAt);
}
