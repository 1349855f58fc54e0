using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Upflow.Orleans.Accounts;
using Upflow.Orleans.Ledger;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Stripe;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Payments;

/// <summary>
/// Owns one payment. A Stripe invoice payment is imported only once paid and applied to an invoice;
/// unapplied payments never reach the ledger. A portal payment (<c>pay_…</c>) is exported back to
/// Stripe Billing: pending → exporting → exported | error (see <see cref="ExportRules"/>).
/// </summary>
/// <remarks>
/// The payment's read-model row is its durable state: one write per attempt's outcome. "Exporting"
/// is the grain turn in which the attempt runs and is not persisted: a crash during it leaves the
/// row pending, and the next attempt sends the same idempotency key, which Stripe answers with a
/// replay of the first request rather than a second payment. A grain timer runs each attempt on
/// time; a reminder, registered for as long as the export is unfinished, reactivates the grain after
/// a silo dies or the grain was collected.
/// </remarks>
[CollectionAgeLimit(Minutes = 2)]
public sealed partial class PaymentGrain(
    LedgerStore ledger,
    TimeProvider clock,
    IOptions<WriteBackOptions> writeBack,
    PaymentTelemetry telemetry,
    ILogger<PaymentGrain> logger) : LedgerEntityGrain<PaymentRecord>, IPaymentGrain, IRemindable
{
    private const string ExportReminder = "export";

    private IGrainTimer? _nextAttempt;
    private bool _busy;

    private WriteBackOptions Options => writeBack.Value;

    protected override Task<PaymentRecord?> FindAsync(LedgerKey key) => ledger.FindPaymentAsync(key.OrganizationId, key.ObjectId);

    protected override Task<bool> InsertAsync(PaymentRecord record) => ledger.InsertPaymentAsync(record);

    protected override Task SaveAsync(PaymentRecord record) => ledger.SavePaymentAsync(record);

    public async Task<ApplyOutcome> ApplyStripe(PaymentSnapshot snapshot, SyncSettings settings, SnapshotOrigin origin)
    {
        _busy = true;
        if (!PaymentRules.IsImported(snapshot))
            return Done(ApplyOutcome.NotImported, origin);
        return Done(await ApplyAsync(async row =>
        {
            var current = row?.Snapshot;
            if (current is not null && !SnapshotOrdering.ShouldApply(
                    new PaymentStamp(current.AsOf, current.StripeStatus),
                    new PaymentStamp(snapshot.AsOf, snapshot.StripeStatus)))
                return null;
            return RecordDerivation.Payment(Key.OrganizationId, snapshot, await NewestAsync(settings), clock.GetUtcNow());
        }), origin);
    }

    public async Task RecordPortal(PortalPayment payment)
    {
        // A replayed POST after a crash between the request grain's write and this one: already here.
        _busy = true;
        if (Record is not null) return;
        var request = payment.Request;
        var settings = Learn(await GrainFactory.GetGrain<IOrganizationGrain>(Key.OrganizationId).GetSyncSettings());
        // The request's moment, not this turn's: the 201 shows the payment as recorded (ExportRules.AsRecorded).
        var now = payment.RecordedAt;
        var record = new PaymentRecord(
            Key.OrganizationId,
            Key.ObjectId,
            PaymentRecord.Sources.Portal,
            request.InvoiceId,
            payment.CustomerId,
            request.Amount,
            request.Currency,
            request.PaidAt,
            new PaymentMethodDetails(request.Method, null, null, null, null),
            ExportRules.Recorded(now),
            CustomFieldRules.Derive(null, null, settings.CustomFields.Payment),
            null,
            now,
            settings.Version);
        // The reminder before the row: once a row says pending, something durable must export it.
        await this.RegisterOrUpdateReminder(ExportReminder, Options.ReminderPeriod, Options.ReminderPeriod);
        if (!await StoreAsync(record)) return;
        Schedule(now);
    }

    public async Task<RederiveOutcome> Rederive(SyncSettings settings)
    {
        if (await CurrentAsync() is not { } current || current.SettingsVersion >= settings.Version)
            return Idle(RederiveOutcome.Skipped);
        Learn(settings);
        var record = RecordDerivation.Payment(current, settings, clock.GetUtcNow());
        await StoreAsync(record);
        return Idle(record.UpdatedAt != current.UpdatedAt ? RederiveOutcome.Changed : RederiveOutcome.Unchanged);
    }

    public async Task<ExportRequestStatus> RequestExport()
    {
        _busy = true;
        if (await CurrentAsync() is not { } current)
        {
            DeactivateOnIdle();
            return ExportRequestStatus.NotFound;
        }
        if (current.Source != PaymentRecord.Sources.Portal) return ExportRequestStatus.NotExportable;
        var now = clock.GetUtcNow();
        switch (current.Export.Status)
        {
            case ExportStatuses.Exported:
                return ExportRequestStatus.AlreadyExported;
            case ExportStatuses.Error:
                await this.RegisterOrUpdateReminder(ExportReminder, Options.ReminderPeriod, Options.ReminderPeriod);
                await StoreAsync(current with { Export = ExportRules.RetriedByHand(current.Export, now), UpdatedAt = now });
                break;
            default:
                // Pending, waiting for its backoff: the user asked for it now. Same round, same budget.
                await StoreAsync(current with { Export = current.Export with { NextAttemptAt = now }, UpdatedAt = now });
                break;
        }
        Schedule(now);
        return ExportRequestStatus.Scheduled;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ExportReminder) return;
        if (Record is not { Source: PaymentRecord.Sources.Portal, Export.Status: ExportStatuses.Pending } record)
        {
            await UnregisterExportReminderAsync();
            return;
        }
        if (_nextAttempt is null) Schedule(record.Export.NextAttemptAt ?? clock.GetUtcNow());
    }

    /// <summary>
    /// Arms the in-memory timer of the next attempt when it is due within a reminder period; a later
    /// attempt is left to the reminder, so that a long backoff does not keep the grain in memory.
    /// </summary>
    private void Schedule(DateTimeOffset at)
    {
        _nextAttempt?.Dispose();
        _nextAttempt = null;
        var due = at - clock.GetUtcNow();
        if (due > Options.ReminderPeriod) return;
        _nextAttempt = this.RegisterGrainTimer(_ => AttemptAsync(), new GrainTimerCreationOptions
        {
            DueTime = due > TimeSpan.Zero ? due : TimeSpan.Zero,
            Period = Timeout.InfiniteTimeSpan,
            KeepAlive = true,
        });
    }

    private async Task AttemptAsync()
    {
        _nextAttempt?.Dispose();
        _nextAttempt = null;
        if (Record is not { Export.Status: ExportStatuses.Pending, InvoiceId: { } invoiceId } record) return;
        var now = clock.GetUtcNow();
        if (record.Export.NextAttemptAt is { } at && at > now)
        {
            Schedule(at);
            return;
        }

        using var activity = PaymentTelemetry.Source.StartActivity("Payment export");
        OrganizationContext.Enter(Key.OrganizationId);
        activity?.SetTag("payment.id", record.Id);
        activity?.SetTag("export.attempt", record.Export.Attempts + 1);
        var outcome = await PayAsync(invoiceId, ExportRules.IdempotencyKey(record.Id, record.Export.ManualRetries));
        now = clock.GetUtcNow();
        // The invoice first: whoever sees the payment exported sees its invoice PAID. If the ledger
        // cannot take it now, the attempt counts as transient: the next one replays Stripe's answer.
        if (outcome is { Status: WriteBackStatus.Paid, Invoice: { } invoice } && !await MarkInvoicePaidAsync(invoice))
            outcome = new WriteBackOutcome(WriteBackStatus.Failed, "The ledger could not record the paid invoice.", null);
        var export = ExportRules.AfterAttempt(record.Export, outcome, now, Options, Random.Shared.NextDouble());
        await StoreAsync(record with { Export = export, UpdatedAt = now });

        var outcomeName = outcome?.Status switch
        {
            WriteBackStatus.Paid => "exported",
            WriteBackStatus.Refused => "refused",
            WriteBackStatus.Failed => "transient",
            WriteBackStatus.NotConnected => "not_connected",
            WriteBackStatus.Busy => "busy",
            _ => "unexplained",
        };
        activity?.SetTag(PaymentTelemetry.OutcomeTag, outcomeName);
        if (outcome is not { Status: WriteBackStatus.NotConnected or WriteBackStatus.Busy }) telemetry.CountAttempt(Key.OrganizationId, outcomeName);

        switch (export.Status)
        {
            case ExportStatuses.Exported:
                await UnregisterExportReminderAsync();
                LogExported(logger, Key.OrganizationId, record.Id, export.Attempts);
                break;
            case ExportStatuses.Error:
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, outcomeName);
                await UnregisterExportReminderAsync();
                LogExportFailed(logger, Key.OrganizationId, record.Id, outcomeName, export.Attempts);
                break;
            case ExportStatuses.Pending when outcome is { Status: WriteBackStatus.NotConnected }:
                // The reminder looks again each period; no timer keeps the grain in memory meanwhile.
                break;
            default:
                Schedule(export.NextAttemptAt ?? now);
                break;
        }
    }

    /// <returns>Stripe's answer, Failed for a transient failure on our side, null for an unexplained one.</returns>
    private async Task<WriteBackOutcome?> PayAsync(string invoiceId, string idempotencyKey)
    {
        try
        {
            return await GrainFactory.GetGrain<IStripeAccountGrain>(Key.OrganizationId).PayInvoiceOutOfBand(invoiceId, idempotencyKey);
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException or OperationCanceledException)
        {
            // The account grain's silo died or the call timed out: Stripe may or may not have paid;
            // the next attempt's idempotency key settles it.
            LogTransient(logger, Key.OrganizationId, Key.ObjectId, exception.GetType().Name);
            return new WriteBackOutcome(WriteBackStatus.Failed, exception.GetType().Name, null);
        }
        catch (Exception exception)
        {
            LogUnexplained(logger, Key.OrganizationId, Key.ObjectId, exception);
            return null;
        }
    }

    /// <summary>
    /// The ledger shows the invoice PAID as soon as Stripe says so, from the invoice its pay call
    /// returned; the invoice.paid event that follows is then stale or equal, and creates no payment
    /// (paying out of band creates no invoice_payment).
    /// </summary>
    private async Task<bool> MarkInvoicePaidAsync(InvoiceSnapshot invoice)
    {
        try
        {
            var settings = await GrainFactory.GetGrain<IOrganizationGrain>(Key.OrganizationId).GetSyncSettings();
            await GrainFactory.GetGrain<IInvoiceGrain>(new LedgerKey(Key.OrganizationId, invoice.Id).ToString())
                .Apply(invoice, settings, SnapshotOrigin.Event);
            return true;
        }
        catch (Exception exception)
        {
            LogInvoiceNotMarked(logger, Key.OrganizationId, invoice.Id, exception.GetType().Name);
            return false;
        }
    }

    private async Task UnregisterExportReminderAsync()
    {
        if (await this.GetReminder(ExportReminder) is { } reminder)
            await this.UnregisterReminder(reminder);
    }

    /// <summary>Woken only to re-derive, with no export to run: back to sleep (a settings change visits every payment once).</summary>
    private RederiveOutcome Idle(RederiveOutcome outcome)
    {
        if (!_busy && _nextAttempt is null) DeactivateOnIdle();
        return outcome;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment {PaymentId} of organization {OrganizationId} exported to Stripe after {Attempts} attempts")]
    private static partial void LogExported(ILogger logger, string organizationId, string paymentId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Payment {PaymentId} of organization {OrganizationId} failed to export ({Outcome}) after {Attempts} attempts")]
    private static partial void LogExportFailed(ILogger logger, string organizationId, string paymentId, string outcome, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Export of payment {PaymentId} of organization {OrganizationId} hit {Failure}; it will be retried")]
    private static partial void LogTransient(ILogger logger, string organizationId, string paymentId, string failure);

    [LoggerMessage(Level = LogLevel.Error, Message = "Export of payment {PaymentId} of organization {OrganizationId} failed unexpectedly")]
    private static partial void LogUnexplained(ILogger logger, string organizationId, string paymentId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoice {InvoiceId} of organization {OrganizationId} was paid in Stripe but not updated in the ledger ({Failure}); the export is retried")]
    private static partial void LogInvoiceNotMarked(ILogger logger, string organizationId, string invoiceId, string failure);
}
