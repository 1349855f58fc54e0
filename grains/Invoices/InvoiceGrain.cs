using Upflow.Orleans.Ledger;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Invoices;

/// <summary>
/// Owns one Stripe invoice: its status only moves forward as Stripe's does, whatever order webhooks
/// and backfill pages arrive in. Drafts are never stored; the ledger status (DUE, OVERDUE, PAID,
/// VOIDED) is derived when reading, in the organization's zone of that moment. Custom fields are
/// derived with the newest settings the grain knows of (see CustomerGrain).
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed class InvoiceGrain(LedgerStore ledger, TimeProvider clock) : LedgerEntityGrain<InvoiceRecord>, IInvoiceGrain
{
    protected override Task<InvoiceRecord?> FindAsync(LedgerKey key) => ledger.FindInvoiceAsync(key.OrganizationId, key.ObjectId);

    protected override Task<bool> InsertAsync(InvoiceRecord record) => ledger.InsertInvoiceAsync(record);

    protected override Task SaveAsync(InvoiceRecord record) => ledger.SaveInvoiceAsync(record);

    public async Task<ApplyOutcome> Apply(InvoiceSnapshot snapshot, SyncSettings settings, SnapshotOrigin origin)
    {
        if (!InvoiceStatusRules.IsImported(snapshot))
            return Done(ApplyOutcome.NotImported, origin);
        return Done(await ApplyAsync(row => DecideAsync(row, snapshot, settings)), origin);
    }

    public async Task<ApplyOutcome[]> ApplyEvents(InvoiceSnapshot[] snapshots, SyncSettings settings)
    {
        var imported = Enumerable.Range(0, snapshots.Length).Where(i => InvoiceStatusRules.IsImported(snapshots[i])).ToArray();
        var applied = await ApplyInOrderAsync(imported, (row, i) => DecideAsync(row, snapshots[i], settings),
            tied: (replaced, applied) => SnapshotOrdering.IsTie(Stamp(replaced.Snapshot), Stamp(applied.Snapshot))
                && !Same(replaced.Snapshot, applied.Snapshot));
        var outcomes = Enumerable.Repeat(ApplyOutcome.NotImported, snapshots.Length).ToArray();
        for (var j = 0; j < imported.Length; j++) outcomes[imported[j]] = applied[j];
        return outcomes;
    }

    private async Task<InvoiceRecord?> DecideAsync(InvoiceRecord? row, InvoiceSnapshot snapshot, SyncSettings settings)
    {
        var current = row?.Snapshot;
        if (current is not null && !SnapshotOrdering.ShouldApply(Stamp(current), Stamp(snapshot)))
            return null;
        return Derive(snapshot, await NewestAsync(settings), clock.GetUtcNow());
    }

    private static InvoiceStamp Stamp(InvoiceSnapshot snapshot) => new(snapshot.AsOf, snapshot.StripeStatus!);

    private InvoiceRecord Derive(InvoiceSnapshot snapshot, SyncSettings settings, DateTimeOffset updatedAt) =>
        RecordDerivation.Invoice(Key.OrganizationId, snapshot, settings, updatedAt);
}
