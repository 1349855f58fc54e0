using Upflow.Orleans.Ledger;
using Upflow.Orleans.Organizations;
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
public sealed class InvoiceGrain(LedgerStore ledger, TimeProvider clock) : Grain, IInvoiceGrain
{
    private LedgerKey _key;
    private InvoiceRecord? _record;
    private SyncSettings? _settings;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _key = LedgerKey.Parse(this.GetPrimaryKeyString());
        _record = await ledger.FindInvoiceAsync(_key.OrganizationId, _key.ObjectId);
    }

    public async Task<ApplyOutcome> Apply(InvoiceSnapshot snapshot, SyncSettings settings, SnapshotOrigin origin)
    {
        if (!InvoiceStatusRules.IsImported(snapshot))
            return Done(ApplyOutcome.NotImported, origin);
        var current = _record?.Snapshot;
        if (current is not null && !SnapshotOrdering.ShouldApply(
                new InvoiceStamp(current.AsOf, current.StripeStatus!),
                new InvoiceStamp(snapshot.AsOf, snapshot.StripeStatus!)))
            return Done(ApplyOutcome.Stale, origin);

        settings = await NewestAsync(settings);
        var record = Derive(snapshot, settings, clock.GetUtcNow());
        await ledger.SaveInvoiceAsync(record);
        _record = record;
        return Done(ApplyOutcome.Applied, origin);
    }

    private InvoiceRecord Derive(InvoiceSnapshot snapshot, SyncSettings settings, DateTimeOffset updatedAt) =>
        RecordDerivation.Invoice(_key.OrganizationId, snapshot, settings, updatedAt);

    private async Task<SyncSettings> NewestAsync(SyncSettings settings) =>
        _settings = await NewestSettings.ResolveAsync(GrainFactory, _key.OrganizationId, settings, _settings, _record?.SettingsVersion ?? 0);

    private ApplyOutcome Done(ApplyOutcome outcome, SnapshotOrigin origin)
    {
        if (origin == SnapshotOrigin.Backfill) DeactivateOnIdle();
        return outcome;
    }
}
