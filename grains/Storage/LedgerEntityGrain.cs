using System.Text.Json;
using System.Text.Json.Nodes;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Ledger;

/// <summary>
/// What the customer, invoice and payment grains share: their ledger key is their grain key, their
/// read-model row is their durable state (loaded on activation, batched), they derive with the newest
/// settings they know of, and they go back to sleep after a backfill's single visit.
/// </summary>
/// <remarks>
/// A backfill page stores the objects that are new to the ledger itself, without activating their
/// grains (StripeAccountGrain). So "no row" is the one thing a grain can hold stale: where it found
/// none, it creates its row only if there still is none, and otherwise reloads it and decides again.
/// A row that exists is changed by its grain alone.
/// </remarks>
public abstract class LedgerEntityGrain<TRecord> : Grain
    where TRecord : class, ILedgerRecord
{
    private SyncSettings? _settings;

    protected LedgerKey Key { get; private set; }

    /// <summary>The row as last written; null until the object is first stored.</summary>
    protected TRecord? Record { get; set; }

    protected abstract Task<TRecord?> FindAsync(LedgerKey key);

    /// <summary>Creates the row if the ledger has none: false, changing nothing, if it has.</summary>
    protected abstract Task<bool> InsertAsync(TRecord record);

    protected abstract Task SaveAsync(TRecord record);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Key = LedgerKey.Parse(this.GetPrimaryKeyString());
        Record = await FindAsync(Key);
    }

    /// <summary>The row, read again where the grain found none: a backfill page may have created it since.</summary>
    protected async Task<TRecord?> CurrentAsync() => Record ??= await FindAsync(Key);

    /// <summary>
    /// Applies a change decided against the current row: <paramref name="change"/> returns the new
    /// row, or null to keep the current one (a stale snapshot).
    /// </summary>
    protected async Task<ApplyOutcome> ApplyAsync(Func<TRecord?, Task<TRecord?>> change) =>
        (await ApplyInOrderAsync([change], static (row, change) => change(row)))[0];

    /// <summary>
    /// Decides changes one after another, each against the row the previous ones left, and stores
    /// only the last row decided: a run of events for one object costs one write, and ends where
    /// applying them one by one would have. <paramref name="decide"/> returns null to keep the row.
    /// </summary>
    /// <param name="tied">
    /// Whether a record decided over another could only win by arriving later: the row is kept, and
    /// the change answers <see cref="ApplyOutcome.Tied"/> until Stripe has said which came last.
    /// </param>
    protected async Task<ApplyOutcome[]> ApplyInOrderAsync<TChange>(IReadOnlyList<TChange> changes, Func<TRecord?, TChange, Task<TRecord?>> decide,
        Func<TRecord, TRecord, bool>? tied = null)
    {
        while (true)
        {
            var outcomes = new ApplyOutcome[changes.Count];
            var row = Record;
            TRecord? decided = null;
            for (var i = 0; i < changes.Count; i++)
            {
                if (await decide(row, changes[i]) is not { } record)
                {
                    outcomes[i] = ApplyOutcome.Stale;
                }
                else if (row is not null && tied?.Invoke(row, record) == true)
                {
                    // Kept rather than guessed: a read that fails leaves the event to the drain, which
                    // finds the same tie again, where an applied guess would look like nothing to do.
                    outcomes[i] = ApplyOutcome.Tied;
                }
                else
                {
                    outcomes[i] = ApplyOutcome.Applied;
                    row = decided = record;
                }
            }

            if (decided is null || await StoreAsync(decided)) return outcomes;
        }
    }

    /// <summary>
    /// Stores a new row for the object. False when the grain found no row but one has been created
    /// since (a backfill page): the grain then holds that row, for its caller to decide again.
    /// </summary>
    protected async Task<bool> StoreAsync(TRecord record)
    {
        if (Record is not null)
        {
            await SaveAsync(record);
        }
        else if (!await InsertAsync(record))
        {
            Record = await FindAsync(Key)
                ?? throw new InvalidOperationException($"The ledger refused to create {Key} but holds no row for it.");
            return false;
        }

        Record = record;
        return true;
    }

    /// <summary>
    /// Whether two snapshots of the object say the same, as the ledger stores them. Key order aside:
    /// a row read back from jsonb lists metadata in jsonb's order, a webhook in Stripe's.
    /// </summary>
    protected static bool Same<TSnapshot>(TSnapshot a, TSnapshot b) =>
        JsonNode.DeepEquals(JsonSerializer.SerializeToNode(a, LedgerJson.Options), JsonSerializer.SerializeToNode(b, LedgerJson.Options));

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
