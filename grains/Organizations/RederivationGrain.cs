using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Upflow.Orleans.Accounts;
using Upflow.Orleans.Ledger;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Organizations;

/// <summary>
/// Applies an organization's settings change to every object it already synced, without asking
/// Stripe: pages by keyset through the read-model rows still derived with older settings (one entity
/// after the other), derives each row again from the Stripe snapshot it holds with the same pure
/// rules as the entity grains, and writes the page back in one statement, each row only if its grain
/// did not write it since it was read (then the grain's write, derived with the newest settings it
/// knows, stands, or the next pass takes it). Through the grains it was about 20 times slower (a
/// grain activation per object); see docs/decisions.md.
/// </summary>
/// <remarks>
/// The cursor and counts are persisted after each page and a reminder exists while work remains, so
/// a killed silo resumes where it stopped. A backfill page or a webhook that read the settings just
/// before the change may create an object after the pass went by its id, with the old settings:
/// a settling pass <see cref="SettleDelay"/> after the first picks those up before the change is
/// reported applied, and a last, silent sweep <see cref="SweepDelay"/> later catches any slower
/// one. Each pass only reads rows still below the new version, so these are cheap. Objects updated
/// in between need neither: their grain derives with the newest settings it has seen.
/// </remarks>
public sealed partial class RederivationGrain(
    [PersistentState("rederivation")] IPersistentState<RederivationState> state,
    RederivationStore store,
    IOptions<SyncOptions> options,
    TimeProvider clock,
    ILogger<RederivationGrain> logger) : Grain, IRederivationGrain, IRemindable
{
    private const string ResumeReminder = "rederive";

    /// <summary>Grains re-deriving at once: enough to fill the store's 500-row batches several times over.</summary>
    internal const int PageSize = 1000;

    /// <summary>Pages being written while the next is read and derived.</summary>
    private const int WritesInFlight = 3;

    private sealed record Page(int Read, string? Last, Task Written);

    internal static readonly TimeSpan SettleDelay = TimeSpan.FromSeconds(1);

    internal static readonly TimeSpan SweepDelay = TimeSpan.FromSeconds(30);

    private IGrainTimer? _run;
    private CancellationTokenSource? _stop;
    private Task _running = Task.CompletedTask;

    private string OrganizationId => this.GetPrimaryKeyString();

    private RederivationState S => state.State;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Resume();
        return Task.CompletedTask;
    }

    public async Task Start(SyncSettings settings)
    {
        if (S.Target is { } target && target.Version >= settings.Version)
        {
            Resume();
            return;
        }

        StopRunning();
        // The interleaved pass must be gone before the state is replaced: two writes would race on the etag.
        await _running;
        // Objects still waiting for an earlier change, or for its sweep, wait for this one instead.
        var affected = SettingsRules.Affected(S.Target ?? SyncSettings.Default, settings);
        var entities = LedgerEntities.All.Where(entity =>
            entity switch
            {
                LedgerEntities.Customers => affected.Customers,
                LedgerEntities.Invoices => affected.Invoices,
                _ => affected.Payments, // Stripe and portal payments alike
            }
            || S.Pending.Contains(entity)).ToList();

        var now = clock.GetUtcNow();
        S.Target = settings;
        S.Entities = entities;
        S.Pending = [.. entities];
        S.After = null;
        S.Applied = 0;
        S.Total = await store.CountStaleAsync(OrganizationId, entities, settings.Version);
        S.StartedAt = now;
        S.CompletedAt = entities.Count == 0 ? now : null;
        S.SweepDue = null;
        S.Round = 0;
        await state.WriteStateAsync();
        LogStarted(logger, OrganizationId, settings.Version, string.Join(", ", entities), S.Total);
        if (entities.Count == 0) return;
        await this.RegisterOrUpdateReminder(ResumeReminder, options.Value.ResumeInterval, options.Value.ResumeInterval);
        StartRunning(TimeSpan.Zero);
    }

    public Task<RederivationStatus> GetStatus() => Task.FromResult(new RederivationStatus(
        S.Target is null || S.CompletedAt is not null ? RederivationStates.Applied : RederivationStates.Applying,
        S.Applied,
        Math.Max(S.Total, S.Applied),
        S.StartedAt,
        S.CompletedAt));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ResumeReminder) return;
        if (S.Pending.Count == 0)
        {
            if (await this.GetReminder(ResumeReminder) is { } reminder) await this.UnregisterReminder(reminder);
            return;
        }
        Resume();
    }

    private void Resume()
    {
        if (S.Pending.Count == 0 || _run is not null) return;
        var wait = S.SweepDue is { } due ? due - clock.GetUtcNow() : TimeSpan.Zero;
        StartRunning(wait > TimeSpan.Zero ? wait : TimeSpan.Zero);
    }

    private void StartRunning(TimeSpan dueTime)
    {
        if (_run is not null) return;
        _stop = new CancellationTokenSource();
        var stop = _stop.Token;
        // A timer, not a call chain: status reads and a newer Start interleave with the pages.
        _run = this.RegisterGrainTimer(_ => _running = RunAsync(stop), new GrainTimerCreationOptions
        {
            DueTime = dueTime,
            Period = Timeout.InfiniteTimeSpan,
            Interleave = true,
            KeepAlive = true,
        });
    }

    private void StopRunning()
    {
        _stop?.Cancel();
        _stop = null;
        _run?.Dispose();
        _run = null;
    }

    private async Task RunAsync(CancellationToken stop)
    {
        var target = S.Target!;
        var round = S.Round;
        var next = false;
        var writing = new Queue<Page>();
        try
        {
            // Pages are read one after the other (the next starts after the last id read) while up to
            // WritesInFlight of them are written; the cursor moves only once a page and every page
            // before it are written, so a crash repeats at most the pages in flight.
            while (S.Pending.Count > 0)
            {
                var entity = S.Pending[0];
                var page = await RederivePageAsync(entity, target, writing.Count > 0 ? writing.Last().Last : S.After, stop);
                if (page.Read > 0) writing.Enqueue(page);
                while (writing.Count > 0 && (page.Read == 0 || writing.Count >= WritesInFlight))
                {
                    var written = writing.Dequeue();
                    await written.Written;
                    stop.ThrowIfCancellationRequested();
                    S.After = written.Last;
                    if (round < 2) S.Applied += written.Read;
                    await state.WriteStateAsync();
                }

                stop.ThrowIfCancellationRequested();
                if (page.Read == 0)
                {
                    S.Pending.RemoveAt(0);
                    S.After = null;
                }
            }

            if (round >= 2)
            {
                S.SweepDue = null;
                await state.WriteStateAsync();
                if (await this.GetReminder(ResumeReminder) is { } reminder) await this.UnregisterReminder(reminder);
                return;
            }

            var now = clock.GetUtcNow();
            S.Round = round + 1;
            S.Pending = [.. S.Entities];
            S.SweepDue = now + (round == 0 ? SettleDelay : SweepDelay);
            if (round == 1)
            {
                // Rows an event or a backfill page re-derived first were left to it: all are applied now.
                S.Applied = Math.Max(S.Applied, S.Total);
                S.CompletedAt = now;
            }
            await state.WriteStateAsync();
            next = true;
            if (round == 1) LogCompleted(logger, OrganizationId, target.Version, S.Applied, (now - S.StartedAt!.Value).TotalSeconds);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // A newer change took over.
        }
        catch (Exception exception)
        {
            // The persisted cursor says where to resume; the reminder does.
            LogPaused(logger, OrganizationId, exception);
        }
        finally
        {
            // A newer Start waits for this run: its writes must not land after the next run began.
            try { await Task.WhenAll(writing.Select(page => page.Written)); }
            catch (Exception) when (writing.Count > 0) { /* already reported by the run, or superseded */ }

            if (!stop.IsCancellationRequested)
            {
                StopRunning();
                // After a failure the reminder retries, rather than a hot loop against a failing database.
                if (next) Resume();
            }
        }
    }

    /// <summary>
    /// One page of one entity after the cursor: derived here with the same pure rules as the grains
    /// and written back in one statement, each row only if nobody wrote it since it was read (see
    /// <see cref="RederivationStore"/>). Portal payments go through their grain, the writer of their
    /// export state. Returns how many rows the page held, the last id, and the write under way.
    /// </summary>
    private async Task<Page> RederivePageAsync(string entity, SyncSettings target, string? after, CancellationToken stop)
    {
        var now = clock.GetUtcNow();
        switch (entity)
        {
            case LedgerEntities.Customers:
            {
                var rows = await store.ReadStaleCustomersAsync(OrganizationId, target.Version, after, PageSize, stop);
                List<StaleRow<CustomerRecord>> derived = [.. rows.Select(r => r with { Record = RecordDerivation.Customer(r.Record, target, now) })];
                // Most changes touch custom fields only: contacts are rewritten only where they differ.
                var contactsChanged = rows.Zip(derived)
                    .Where(pair => !pair.First.Record.Contacts.SequenceEqual(pair.Second.Record.Contacts))
                    .Select(pair => pair.First.Record.Id)
                    .ToHashSet(StringComparer.Ordinal);
                return new Page(rows.Count, rows.Count > 0 ? rows[^1].Record.Id : null, store.WriteCustomersAsync(derived, contactsChanged, stop));
            }
            case LedgerEntities.Invoices:
            {
                var rows = await store.ReadStaleInvoicesAsync(OrganizationId, target.Version, after, PageSize, stop);
                return new Page(rows.Count, rows.Count > 0 ? rows[^1].Record.Id : null,
                    store.WriteInvoicesAsync([.. rows.Select(r => r with { Record = RecordDerivation.Invoice(r.Record, target, now) })], stop));
            }
            case LedgerEntities.Payments:
            {
                var rows = await store.ReadStaleStripePaymentsAsync(OrganizationId, target.Version, after, PageSize, stop);
                return new Page(rows.Count, rows.Count > 0 ? rows[^1].Record.Id : null,
                    store.WritePaymentsAsync([.. rows.Select(r => r with { Record = RecordDerivation.Payment(r.Record, target, now) })], stop));
            }
            default:
            {
                var ids = await store.ListStaleIdsAsync(OrganizationId, target.Version, after, PageSize, stop);
                return new Page(ids.Count, ids.Count > 0 ? ids[^1] : null,
                    Task.WhenAll(ids.Select(id => GrainFactory.GetGrain<IPaymentGrain>(new LedgerKey(OrganizationId, id).ToString()).Rederive(target))));
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Organization {OrganizationId} re-derives {Entities} with settings version {Version}: {Total} objects")]
    private static partial void LogStarted(ILogger logger, string organizationId, long version, string entities, long total);

    [LoggerMessage(Level = LogLevel.Information, Message = "Organization {OrganizationId} applied settings version {Version} to {Applied} objects in {Seconds:F2} s")]
    private static partial void LogCompleted(ILogger logger, string organizationId, long version, long applied, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Re-derivation of organization {OrganizationId} paused; the reminder resumes it")]
    private static partial void LogPaused(ILogger logger, string organizationId, Exception exception);
}
