using Upflow.Orleans.Organizations;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Ledger;

/// <summary>
/// What the customer, invoice and payment grains share: their ledger key is their grain key, their
/// read-model row is their durable state (loaded on activation, batched), they derive with the newest
/// settings they know of, and they go back to sleep after a backfill's single visit.
/// </summary>
public abstract class LedgerEntityGrain<TRecord> : Grain
    where TRecord : class, ILedgerRecord
{
    private SyncSettings? _settings;

    protected LedgerKey Key { get; private set; }

    /// <summary>The row as last written; null until the object is first stored.</summary>
    protected TRecord? Record { get; set; }

    protected abstract Task<TRecord?> FindAsync(LedgerKey key);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Key = LedgerKey.Parse(this.GetPrimaryKeyString());
        Record = await FindAsync(Key);
    }

    /// <summary>Settings seen without deriving a snapshot (a re-derivation, a portal payment): the newest is kept.</summary>
    protected SyncSettings Learn(SyncSettings settings) => _settings = SettingsRules.Newest(settings, _settings);

    protected async Task<SyncSettings> NewestAsync(SyncSettings settings) =>
        _settings = await NewestSettings.ResolveAsync(GrainFactory, Key.OrganizationId, settings, _settings, Record?.SettingsVersion ?? 0);

    protected ApplyOutcome Done(ApplyOutcome outcome, SnapshotOrigin origin)
    {
        // A backfill touches each object once: keeping a million activations around helps nobody.
        if (origin == SnapshotOrigin.Backfill) DeactivateOnIdle();
        return outcome;
    }
}
