using System.Runtime.ExceptionServices;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Upflow.Orleans.Ledger;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Secrets;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Stripe;
using Upflow.Orleans.Stripe.Wire;
using Upflow.Orleans.Sync;
using Upflow.Orleans.Webhooks;

namespace Upflow.Orleans.Accounts;

/// <summary>
/// Owns an organization's Stripe connection and coordinates its backfill: four Stripe listings
/// (customers, invoices, invoice payments, payment intents) run side by side, each fetching its next
/// page while the current one is applied (objects new to the ledger inserted at once, the others
/// through their entity grains), and persisting its cursor only once every object of the page is
/// stored. A reminder resumes an unfinished backfill wherever the grain is reactivated after a crash.
/// Once live it catches up from Stripe's Events API (after the backfill, on demand, at silo start and
/// every Upflow:CatchUpInterval through a reminder): events go through the same event log as
/// webhooks, so an event seen both ways is applied once.
/// </summary>
public sealed partial class StripeAccountGrain(
    [PersistentState("stripe-account")] IPersistentState<StripeAccountState> state,
    StripeGateway stripe,
    SecretBox secrets,
    IOptions<SyncOptions> options,
    IOptions<RealTimeOptions> realTime,
    IOptions<StripeOptions> stripeOptions,
    EventLog events,
    EventDispatcher dispatcher,
    LedgerStore ledger,
    WebhookSecrets webhookSecrets,
    SyncTelemetry telemetry,
    TimeProvider clock,
    IHostApplicationLifetime host,
    ILogger<StripeAccountGrain> logger) : Grain, IStripeAccountGrain, IRemindable
{
    private const string ResumeReminder = "backfill";
    private const string CatchUpReminder = "catch-up";

    /// <summary>
    /// Each catch-up re-lists this much before the previous one started: Stripe's list can show an
    /// event a moment after its creation, and clocks differ. Event ids make the overlap free.
    /// </summary>
    private static readonly TimeSpan CatchUpOverlap = TimeSpan.FromMinutes(5);

    /// <summary>Stripe keeps events 30 days; past that only a full sync can recover the gap.</summary>
    private static readonly TimeSpan EventRetention = TimeSpan.FromDays(29);

    /// <summary>
    /// How long connecting waits for Stripe to answer the key check, retries included: someone is
    /// waiting on the request, and Orleans gives up on the call at 30 s.
    /// </summary>
    private static readonly TimeSpan ConnectCheckPatience = TimeSpan.FromSeconds(15);

    /// <summary>Pages of one listing being applied at once: enough to keep PostgreSQL batches full.</summary>
    private const int PagesInFlight = 4;

    private IGrainTimer? _run;
    private int _runningSlices;
    private int _pausesWithoutProgress;
    private IGrainTimer? _catchUp;
    private CancellationTokenSource? _stop;
    private Task _lastWrite = Task.CompletedTask;
    private bool _writeQueued;

    private string OrganizationId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (IsUnfinished) StartRunning();
        return Task.CompletedTask;
    }

    public async Task<ConnectOutcome> Connect(string secretKey, string webhookSecret)
    {
        if (await GrainFactory.GetGrain<IOrganizationGrain>(OrganizationId).Get() is null)
            throw new InvalidOperationException($"Organization {OrganizationId} does not exist.");

        AccountCheck check;
        using (var patience = new CancellationTokenSource(ConnectCheckPatience))
        {
            try
            {
                check = await stripe.CheckAccountAsync(OrganizationId, secretKey, patience.Token);
            }
            catch (Exception exception) when (exception is StripeUnavailableException || (exception is OperationCanceledException && patience.IsCancellationRequested))
            {
                var reason = exception is StripeUnavailableException ? exception.Message : $"Stripe did not answer within {ConnectCheckPatience.TotalSeconds:0} s.";
                LogConnectUnreachable(logger, OrganizationId, reason);
                return ConnectOutcome.Unreachable(reason);
            }
        }
        if (check.RejectionMessage is { } rejected)
            return ConnectOutcome.Rejected(rejected);

        StopRunning();
        state.State.Connected = true;
        state.State.AccountId = check.AccountId;
        state.State.AccountCreated = check.CreatedAt;
        state.State.SecretKeyCipher = secrets.Protect(secretKey, OrganizationId);
        state.State.WebhookSecretCipher = secrets.Protect(webhookSecret, OrganizationId);
        state.State.EventsListedUntil = null;
        await BeginBackfillAsync();
        webhookSecrets.Invalidate(OrganizationId);
        await this.RegisterOrUpdateReminder(CatchUpReminder, realTime.Value.CatchUpInterval, realTime.Value.CatchUpInterval);
        LogConnected(logger, OrganizationId, check.AccountId!);
        return ConnectOutcome.Connected(check.AccountId!);
    }

    public async Task Disconnect()
    {
        StopRunning();
        state.State.Connected = false;
        state.State.SecretKeyCipher = null;
        state.State.WebhookSecretCipher = null;
        await CheckpointAsync();
        webhookSecrets.Invalidate(OrganizationId);
        await UnregisterResumeReminderAsync();
        await UnregisterReminderAsync(CatchUpReminder);
        LogDisconnected(logger, OrganizationId);
    }

    public async Task<bool> StartFullSync()
    {
        if (!state.State.Connected) return false;
        // A running backfill already is a full sync; starting another would only repeat pages.
        if (!IsUnfinished) await BeginBackfillAsync();
        return true;
    }

    public Task<SyncStatus> GetStatus()
    {
        var backfill = state.State.Backfill;
        var status = new SyncStatus(
            State: !state.State.Connected ? SyncStates.NotConnected
                : backfill is null || backfill.Failed ? SyncStates.Failed
                : backfill.CompletedAt is null ? SyncStates.Backfilling
                : SyncStates.Live,
            AccountId: state.State.AccountId,
            StartedAt: backfill?.StartedAt,
            CompletedAt: backfill?.CompletedAt,
            Progress: new SyncProgress(
                backfill?.Customers.Imported ?? 0, backfill?.Invoices.Imported ?? 0, backfill?.InvoicePayments.Imported ?? 0),
            Skipped: new SyncSkipped(backfill?.Invoices.Skipped ?? 0, UnappliedPayments(backfill)),
            LastEventAt: state.State.LastEventAt,
            LastError: backfill?.LastError);
        return Task.FromResult(status);
    }

    public Task<bool> StartCatchUp()
    {
        if (!state.State.Connected) return Task.FromResult(false);
        // During a backfill, webhooks flow and the backfill's end starts the catch-up.
        if (!IsUnfinished) StartCatchingUp();
        return Task.FromResult(true);
    }

    public Task<string?> GetWebhookSecretCipher() =>
        Task.FromResult(state.State.Connected ? state.State.WebhookSecretCipher : null);

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == ResumeReminder)
        {
            if (IsUnfinished) StartRunning();
            else return UnregisterResumeReminderAsync();
        }
        else if (reminderName == CatchUpReminder)
        {
            if (!state.State.Connected) return UnregisterReminderAsync(CatchUpReminder);
            if (!IsUnfinished) StartCatchingUp();
        }
        return Task.CompletedTask;
    }

    private void StartCatchingUp()
    {
        if (_catchUp is not null) return;
        _catchUp = this.RegisterGrainTimer(_ => RunCatchUpAsync(), new GrainTimerCreationOptions
        {
            DueTime = TimeSpan.Zero,
            Period = Timeout.InfiniteTimeSpan,
            Interleave = true,
            KeepAlive = true,
        });
    }

    /// <summary>
    /// Lists every event since the previous catch-up (newest first, as Stripe pages them), records
    /// each in the event log and applies, oldest first, those the log had not seen.
    /// </summary>
    private async Task RunCatchUpAsync()
    {
        OrganizationContext.Enter(OrganizationId);
        // A silo that stops ends the catch-up where it is: the events it recorded and did not apply
        // yet are in the event log, for the drain; the next catch-up lists the window again.
        var stopping = host.ApplicationStopping;
        try
        {
            if (state.State is not { Connected: true, SecretKeyCipher: { } cipher } || IsUnfinished) return;
            var startedAt = clock.GetUtcNow();
            var since = (state.State.EventsListedUntil ?? state.State.Backfill?.StartedAt ?? startedAt) - CatchUpOverlap;
            if (startedAt - since > EventRetention)
            {
                LogCatchUpTooLate(logger, OrganizationId);
                await BeginBackfillAsync();
                return;
            }

            var secretKey = secrets.Unprotect(cipher, OrganizationId);
            var fresh = new List<StripeEventRecord>();
            DateTimeOffset? newest = null;
            string? after = null;
            do
            {
                var page = await stripe.ListEventsAsync(OrganizationId, secretKey, since, after, stopping);
                var records = page.Items.Select(ev => new StripeEventRecord(OrganizationId, ev.Id, ev.Type,
                    new DateTimeOffset(DateTime.SpecifyKind(ev.Created, DateTimeKind.Utc)), RawJson(ev), StripeEventRecord.Sources.CatchUp)).ToList();
                var outcomes = await Task.WhenAll(records.Select(events.RecordAsync));
                fresh.AddRange(records.Where((_, i) => outcomes[i] == RecordOutcome.New));
                foreach (var record in records)
                    if (newest is null || record.Created > newest) newest = record.Created;
                after = page.HasMore ? page.LastId : null;
            } while (after is not null);

            // Stripe lists newest first: reversed, a stable sort keeps events of the same second in creation order.
            foreach (var record in Enumerable.Reverse(fresh).OrderBy(r => r.Created))
            {
                stopping.ThrowIfCancellationRequested();
                await dispatcher.TryApplyAsync(record);
            }

            state.State.EventsListedUntil = startedAt;
            if (newest is { } n && (state.State.LastEventAt is null || n > state.State.LastEventAt)) state.State.LastEventAt = n;
            await CheckpointAsync();
            LogCaughtUp(logger, OrganizationId, fresh.Count);
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
        catch (Exception exception) when (exception is StripeUnavailableException or StripeKeyRejectedException or TimeoutException or HttpRequestException)
        {
            LogCatchUpPaused(logger, OrganizationId, exception.GetType().Name);
        }
        catch (Exception exception)
        {
            LogCatchUpError(logger, OrganizationId, exception);
        }
        finally
        {
            _catchUp?.Dispose();
            _catchUp = null;
        }
    }

    /// <summary>The event as Stripe sent it, so the log holds the same payload whether listed or delivered.</summary>
    private static string RawJson(global::Stripe.Event ev) =>
        ev.RawJsonElement is { } raw ? raw.GetRawText() : ev.ToJson();

    private bool IsUnfinished =>
        state.State is { Connected: true, Backfill: { CompletedAt: null, Failed: false } };

    /// <summary>
    /// Unapplied payments are succeeded payment intents that no paid invoice payment points at. The
    /// difference is only meaningful once both listings are complete.
    /// </summary>
    private static long UnappliedPayments(Backfill? backfill) =>
        backfill is { PaymentIntents.Done: true, InvoicePayments.Done: true }
            ? Math.Max(0, backfill.PaymentIntents.Imported - backfill.InvoicePayments.AppliedIntents)
            : 0;

    private async Task BeginBackfillAsync()
    {
        state.State.Backfill = new Backfill { StartedAt = clock.GetUtcNow() };
        await CheckpointAsync();
        await this.RegisterOrUpdateReminder(ResumeReminder, options.Value.ResumeInterval, options.Value.ResumeInterval);
        StartRunning();
    }

    private void StartRunning(TimeSpan dueTime = default)
    {
        if (_run is not null) return;
        // Also when the silo stops: a page half applied while grains deactivate only holds the
        // shutdown up (each call to a deactivated grain fails after placement retries); the
        // persisted cursors say where the next activation resumes.
        _stop = CancellationTokenSource.CreateLinkedTokenSource(host.ApplicationStopping);
        var stop = _stop.Token;
        // A grain timer, not a call chain: the grain keeps answering status reads between pages.
        _run = this.RegisterGrainTimer(_ => RunBackfillAsync(stop), new GrainTimerCreationOptions
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
        _stop?.Dispose(); // unlinks it from the host's token (a canceled token stays readable)
        _stop = null;
        _run?.Dispose();
        _run = null;
    }

    private async Task RunBackfillAsync(CancellationToken stop)
    {
        var backfill = state.State.Backfill!;
        var importedBefore = Imported(backfill);
        TimeSpan? resumeIn = null;
        OrganizationContext.Enter(OrganizationId);
        try
        {
            var secretKey = secrets.Unprotect(state.State.SecretKeyCipher!, OrganizationId);
            LogBackfillRunning(logger, OrganizationId);
            await Task.WhenAll(
                RunListingAsync(backfill.Customers, (after, window) => stripe.ListCustomersAsync(OrganizationId, secretKey, after, stop, window),
                    ApplyCustomersAsync, stop),
                RunListingAsync(backfill.Invoices, (after, window) => stripe.ListInvoicesAsync(OrganizationId, secretKey, after, stop, window),
                    ApplyInvoicesAsync, stop),
                RunListingAsync(backfill.InvoicePayments, (after, window) => stripe.ListInvoicePaymentsAsync(OrganizationId, secretKey, after, stop, window),
                    ApplyInvoicePaymentsAsync, stop),
                RunListingAsync(backfill.PaymentIntents, (after, window) => stripe.ListPaymentIntentsAsync(OrganizationId, secretKey, after, stop, window),
                    page => CountPaymentIntents(page), stop));

            backfill.CompletedAt = clock.GetUtcNow();
            backfill.LastError = null;
            await CheckpointAsync();
            await UnregisterResumeReminderAsync();
            LogBackfillCompleted(logger, OrganizationId, backfill.Customers.Imported, backfill.Invoices.Imported,
                backfill.InvoicePayments.Imported, (backfill.CompletedAt.Value - backfill.StartedAt).TotalSeconds);
            // Whatever webhooks missed while the backfill ran (endpoint down, drops) is in the Events API.
            StartCatchingUp();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Disconnected or restarted: the persisted cursors say where to resume.
        }
        catch (StripeKeyRejectedException rejected)
        {
            backfill.Failed = true;
            backfill.LastError = rejected.Message;
            await CheckpointAsync();
            await UnregisterResumeReminderAsync();
            LogBackfillFailed(logger, OrganizationId, rejected.Message);
        }
        catch (Exception exception) when (exception is StripeUnavailableException or TimeoutException or HttpRequestException)
        {
            // Transient beyond the retry budget: try again soon from the persisted cursors.
            resumeIn = NextResumeDelay(madeProgress: Imported(backfill) > importedBefore);
            backfill.LastError = "Stripe is unreachable; the backfill resumes automatically.";
            await CheckpointAsync();
            LogBackfillPaused(logger, OrganizationId, exception.GetType().Name, resumeIn.Value.TotalSeconds);
        }
        catch (Exception exception)
        {
            // Unexpected: say so without internals (which could carry data) and let the reminder retry.
            backfill.LastError = "Synchronisation failed. Please contact support.";
            await CheckpointAsync();
            LogBackfillError(logger, OrganizationId, exception);
        }
        finally
        {
            if (!stop.IsCancellationRequested)
            {
                StopRunning();
                if (resumeIn is { } delay) StartRunning(delay);
            }
        }
    }

    private static long Imported(Backfill backfill) =>
        backfill.Customers.Imported + backfill.Invoices.Imported + backfill.InvoicePayments.Imported + backfill.PaymentIntents.Imported;

    /// <summary><see cref="SyncOptions.FirstResumeDelay"/>, doubled per consecutive pause without progress, capped at the reminder's interval.</summary>
    private TimeSpan NextResumeDelay(bool madeProgress)
    {
        if (madeProgress) _pausesWithoutProgress = 0;
        var first = options.Value.FirstResumeDelay;
        var delay = first * Math.Pow(2, Math.Min(_pausesWithoutProgress++, 16));
        return delay < options.Value.ResumeInterval ? delay : options.Value.ResumeInterval;
    }

    private readonly record struct PageCount(long Imported, long Skipped, long AppliedIntents);

    /// <summary>
    /// A listing runs as slices of <c>created</c> time, each its own pipeline (<see cref="RunSliceAsync{T}"/>):
    /// one cursor reads one page per Stripe round trip, so a slice that keeps having more pages splits
    /// off its older half while the account has slices to spare. Done once every slice is.
    /// </summary>
    private async Task RunListingAsync<T>(
        BackfillCursor cursor,
        Func<string?, CreatedWindow, Task<StripePage<T>>> fetch,
        Func<StripePage<T>, Task<PageCount>> apply,
        CancellationToken stop)
    {
        if (cursor.Done) return;
        // A backfill persisted before listings were sliced resumes from its single cursor.
        if (cursor.Slices.Count == 0) cursor.Slices.Add(new BackfillSlice { After = cursor.After });

        var running = new List<Task>();
        void Start(BackfillSlice slice) => running.Add(RunSliceAsync(cursor, slice, fetch, apply, Start, stop));
        foreach (var slice in cursor.Slices.Where(slice => !slice.Done).ToList()) Start(slice);

        // Every slice runs to its end (as the listings do side by side); the first failure is rethrown.
        Exception? failure = null;
        while (running.Count > 0)
        {
            var finished = await Task.WhenAny(running);
            running.Remove(finished);
            try { await finished; }
            catch (Exception exception) { failure ??= exception; }
        }
        if (failure is not null) ExceptionDispatchInfo.Throw(failure);

        cursor.Done = true;
        await CheckpointAsync();
    }

    /// <summary>
    /// Pages of one slice flow through a short pipeline: the next page is fetched while up to
    /// <see cref="PagesInFlight"/> pages are applied, and a page's cursor is persisted only once it
    /// and every page of the slice before it have been applied. A crash therefore re-applies at most
    /// the pages that were in flight, and applying a snapshot twice is harmless.
    /// </summary>
    private async Task RunSliceAsync<T>(
        BackfillCursor cursor,
        BackfillSlice slice,
        Func<string?, CreatedWindow, Task<StripePage<T>>> fetch,
        Func<StripePage<T>, Task<PageCount>> apply,
        Action<BackfillSlice> start,
        CancellationToken stop)
    {
        _runningSlices++;
        try
        {
            var applying = new Queue<(StripePage<T> Page, Task<PageCount> Applied)>();
            var written = Task.CompletedTask;
            var pages = 0;
            var next = FetchAsync(fetch, slice.After, Window(slice));
            while (next is not null || applying.Count > 0)
            {
                if (next is not null && applying.Count < PagesInFlight)
                {
                    var page = await next;
                    stop.ThrowIfCancellationRequested();
                    if (page.HasMore && LooksLong(slice, page, ++pages) && SplitOlderHalf(cursor, slice, page.LastCreated) is { } older)
                        start(older);
                    next = page.HasMore ? FetchAsync(fetch, page.LastId, Window(slice)) : null;
                    applying.Enqueue((page, apply(page)));
                    continue;
                }

                var (applied, counting) = applying.Dequeue();
                var counted = await counting;
                // The previous checkpoint must have succeeded before going on: an activation that can no
                // longer persist (its silo was declared dead) stops here instead of working as a zombie.
                await written;
                stop.ThrowIfCancellationRequested();
                slice.After = applied.LastId ?? slice.After;
                slice.Done = !applied.HasMore;
                cursor.Imported += counted.Imported;
                cursor.Skipped += counted.Skipped;
                cursor.AppliedIntents += counted.AppliedIntents;
                // Awaited one page later: the next page need not wait for this write.
                written = CheckpointAsync();
            }
            await written;
        }
        finally
        {
            _runningSlices--;
        }
    }

    private static CreatedWindow Window(BackfillSlice slice) => new(slice.From, slice.Before);

    /// <summary>
    /// Off the activation: reading and parsing a page touches no grain state, and on the grain's
    /// turn-based scheduler the pages of every slice would be parsed one after another.
    /// </summary>
    private static Task<StripePage<T>> FetchAsync<T>(Func<string?, CreatedWindow, Task<StripePage<T>>> fetch, string? after, CreatedWindow window) =>
        Task.Run(() => fetch(after, window));

    /// <summary>
    /// A slice is worth splitting once it has read <see cref="SyncOptions.SplitAfterPages"/> pages, or at
    /// once when its pages' density says twice that many are left (twice: objects are rarely spread
    /// evenly in time): a large listing then runs in parallel from its first page instead of its tenth.
    /// </summary>
    private bool LooksLong<T>(BackfillSlice slice, StripePage<T> page, int pagesRead) =>
        pagesRead >= options.Value.SplitAfterPages
        || page is { FirstCreated: { } first, LastCreated: { } last }
           && slice.PagesLeft(first, last, state.State.AccountCreated) >= 2 * options.Value.SplitAfterPages;

    /// <summary>Splits off the slice's older half (see <see cref="BackfillSlice.SplitOlderHalf"/>) while the account has slices to spare.</summary>
    private BackfillSlice? SplitOlderHalf(BackfillCursor cursor, BackfillSlice slice, long? lastCreated)
    {
        if (lastCreated is not { } last || _runningSlices >= options.Value.MaxSlices) return null;
        if (slice.SplitOlderHalf(last, state.State.AccountCreated) is not { } older) return null;
        cursor.Slices.Add(older);
        return older;
    }

    /// <summary>
    /// Read for each page, just before it is applied, so a settings change reaches the next page of a
    /// backfill already running; a page caught in the change is fixed by the re-derivation's settling
    /// pass and last sweep, or, for objects that go through their grains, by the grains, which derive
    /// with the newest settings they have seen.
    /// </summary>
    private Task<SyncSettings> SettingsAsync() =>
        GrainFactory.GetGrain<IOrganizationGrain>(OrganizationId).GetSyncSettings();

    private async Task<PageCount> ApplyCustomersAsync(StripePage<CustomerJson> page)
    {
        var snapshots = page.Items.Select(customer => StripeSnapshots.FromCustomer(customer, page.RequestedAt)).ToList();
        var settings = await SettingsAsync();
        var now = clock.GetUtcNow();
        await ApplyPageAsync(snapshots,
            customer => ledger.InsertCustomerAsync(RecordDerivation.Customer(OrganizationId, customer, settings, now)),
            customer => GrainFactory.GetGrain<ICustomerGrain>(LedgerKeyOf(customer.Id)).Apply(customer, settings, SnapshotOrigin.Backfill));
        telemetry.BackfillPage(OrganizationId, SyncTelemetry.ObjectTypes.Customer, page.Items.Count);
        return new PageCount(page.Items.Count, 0, 0);
    }

    private async Task<PageCount> ApplyInvoicesAsync(StripePage<InvoiceJson> page)
    {
        var snapshots = page.Items.Select(invoice => StripeSnapshots.FromInvoice(invoice, page.RequestedAt)).ToList();
        var imported = snapshots.Where(InvoiceStatusRules.IsImported).ToList();
        var settings = await SettingsAsync();
        var now = clock.GetUtcNow();
        await ApplyPageAsync(imported,
            invoice => ledger.InsertInvoiceAsync(RecordDerivation.Invoice(OrganizationId, invoice, settings, now)),
            invoice => GrainFactory.GetGrain<IInvoiceGrain>(LedgerKeyOf(invoice.Id)).Apply(invoice, settings, SnapshotOrigin.Backfill));
        telemetry.BackfillPage(OrganizationId, SyncTelemetry.ObjectTypes.Invoice, imported.Count);
        return new PageCount(imported.Count, snapshots.Count - imported.Count, 0);
    }

    private async Task<PageCount> ApplyInvoicePaymentsAsync(StripePage<InvoicePaymentJson> page)
    {
        var snapshots = page.Items.Select(payment => StripeSnapshots.FromInvoicePayment(payment, page.RequestedAt)).ToList();
        var imported = snapshots.Where(PaymentRules.IsImported).ToList();
        var settings = await SettingsAsync();
        var now = clock.GetUtcNow();
        await ApplyPageAsync(imported,
            payment => ledger.InsertPaymentAsync(RecordDerivation.Payment(OrganizationId, payment, settings, now)),
            payment => GrainFactory.GetGrain<IPaymentGrain>(LedgerKeyOf(payment.Id)).ApplyStripe(payment, settings, SnapshotOrigin.Backfill));
        var appliedIntents = Stripe.UnappliedPayments.AppliedIntents(page.Items);
        telemetry.BackfillPage(OrganizationId, SyncTelemetry.ObjectTypes.Payment, imported.Count);
        return new PageCount(imported.Count, snapshots.Count - imported.Count, appliedIntents);
    }

    /// <summary>
    /// A page's objects that are new to the ledger (all of them, in a first backfill) are inserted
    /// together, derived exactly as their grains would: waking a grain per object would cost more
    /// than the object's row. The others (a re-sync, a page re-applied after a crash, an object a
    /// webhook stored first) go to their grains, which order the snapshot against the row they own.
    /// </summary>
    private static async Task ApplyPageAsync<TSnapshot>(
        IReadOnlyList<TSnapshot> snapshots, Func<TSnapshot, Task<bool>> insertIfNew, Func<TSnapshot, Task<ApplyOutcome>> applyThroughGrain)
    {
        var inserted = await Task.WhenAll(snapshots.Select(insertIfNew));
        await Task.WhenAll(snapshots.Where((_, i) => !inserted[i]).Select(applyThroughGrain));
    }

    private string LedgerKeyOf(string objectId) => new LedgerKey(OrganizationId, objectId).ToString();

    private Task<PageCount> CountPaymentIntents(StripePage<PaymentIntentJson> page)
    {
        telemetry.BackfillPage(OrganizationId, SyncTelemetry.ObjectTypes.PaymentIntent, 0);
        return Task.FromResult(new PageCount(Stripe.UnappliedPayments.SucceededIntents(page.Items), 0, 0));
    }

    /// <summary>
    /// Writes are chained so that listings checkpointing side by side never race on the etag, and
    /// coalesced: while one write is queued behind another, later checkpoints join it (it writes the
    /// state as it is when it starts). So at most one write runs and one waits, and the persisted
    /// cursors never lag far behind. Each write carries the whole state, so a later success covers
    /// an earlier failure; whoever awaits the last write sees whether the state is durable.
    /// </summary>
    private Task CheckpointAsync()
    {
        if (_writeQueued) return _lastWrite;
        _writeQueued = true;
        return _lastWrite = WriteAfterAsync(_lastWrite);
    }

    private async Task WriteAfterAsync(Task previous)
    {
        try { await previous; }
        catch (Exception exception) when (exception is not OperationCanceledException) { /* superseded by this write */ }
        _writeQueued = false;
        await state.WriteStateAsync();
    }

    private Task UnregisterResumeReminderAsync() => UnregisterReminderAsync(ResumeReminder);

    private async Task UnregisterReminderAsync(string name)
    {
        if (await this.GetReminder(name) is { } reminder)
            await this.UnregisterReminder(reminder);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Organization {OrganizationId} caught up from the Events API: {Fresh} events not seen before")]
    private static partial void LogCaughtUp(ILogger logger, string organizationId, int fresh);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Catch-up of organization {OrganizationId} paused on {Failure}; the next one retries")]
    private static partial void LogCatchUpPaused(ILogger logger, string organizationId, string failure);

    [LoggerMessage(Level = LogLevel.Error, Message = "Catch-up of organization {OrganizationId} stopped on an unexpected error; the next one retries")]
    private static partial void LogCatchUpError(ILogger logger, string organizationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Organization {OrganizationId} missed events older than Stripe keeps; starting a full sync")]
    private static partial void LogCatchUpTooLate(ILogger logger, string organizationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Organization {OrganizationId} connected Stripe account {AccountId}")]
    private static partial void LogConnected(ILogger logger, string organizationId, string accountId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Organization {OrganizationId} could not connect: Stripe did not answer the key check ({Reason}); nothing was changed")]
    private static partial void LogConnectUnreachable(ILogger logger, string organizationId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Organization {OrganizationId} disconnected Stripe")]
    private static partial void LogDisconnected(ILogger logger, string organizationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill of organization {OrganizationId} running")]
    private static partial void LogBackfillRunning(ILogger logger, string organizationId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Backfill of organization {OrganizationId} completed: {Customers} customers, {Invoices} invoices, {Payments} payments in {Seconds:F1} s")]
    private static partial void LogBackfillCompleted(ILogger logger, string organizationId, long customers, long invoices, long payments, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backfill of organization {OrganizationId} failed: {Reason}")]
    private static partial void LogBackfillFailed(ILogger logger, string organizationId, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Backfill of organization {OrganizationId} stopped on an unexpected error; the reminder retries it")]
    private static partial void LogBackfillError(ILogger logger, string organizationId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backfill of organization {OrganizationId} paused on {Failure}; resuming in {ResumeInSeconds} s")]
    private static partial void LogBackfillPaused(ILogger logger, string organizationId, string failure, double resumeInSeconds);
}
