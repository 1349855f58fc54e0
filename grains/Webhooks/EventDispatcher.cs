using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Upflow.Orleans.Accounts;
using Upflow.Orleans.Ledger;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Stripe;
using Upflow.Orleans.Stripe.Wire;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Webhooks;

/// <summary>
/// Routes recorded events to the grain that owns their object, then marks them applied. Webhooks are
/// queued here once acknowledged and applied by a few workers; the drain and the catch-up apply
/// directly. Each grain orders what it receives by its own state (<see cref="SnapshotOrdering"/>), so
/// events may be applied in any order, and applying one twice is harmless. Webhooks of one object
/// still go through one worker in the order they arrived: Stripe's <c>created</c> is to the second,
/// so two changes of an object within one second tie, and arrival order is then the best guess.
/// Applying an event is a span whose parent is the webhook request that delivered it (its traceparent
/// is recorded with the event), so the request, the grains and their SQL are one trace.
/// </summary>
public sealed partial class EventDispatcher(
    IGrainFactory grains,
    EventLog events,
    WebhookTelemetry telemetry,
    SyncTelemetry sync,
    TimeProvider clock,
    ILogger<EventDispatcher> logger)
{
    /// <summary>
    /// Applying an event mostly waits (grain call, group-committed save, mark): more workers drain a
    /// backlog faster until the cores are busy. Webhook bench, 30k events: 16 workers 27 s of backlog
    /// after the last ack, 32 workers 16–19 s, acks unchanged within noise; 64 cost acks.
    /// </summary>
    private const int Workers = 32;
    private static readonly ActivitySource Source = new(StripeTelemetry.Name);

    private readonly Channel<StripeEventRecord>[] _queues =
        [.. Enumerable.Range(0, Workers).Select(_ => Channel.CreateUnbounded<StripeEventRecord>(new UnboundedChannelOptions { SingleReader = true }))];

    // Events waiting in this silo's queues: the drain leaves them alone instead of applying them twice.
    private readonly ConcurrentDictionary<(string OrganizationId, string EventId), byte> _queued = new();

    /// <summary>Queues an acknowledged event; if the silo stops first, the drain applies it later.</summary>
    public void Enqueue(StripeEventRecord record)
    {
        _queued.TryAdd((record.OrganizationId, record.EventId), 0);
        var partition = (uint)StringComparer.Ordinal.GetHashCode(record.OrganizationId + "/" + (record.ObjectId ?? record.EventId)) % Workers;
        _queues[partition].Writer.TryWrite(record);
    }

    /// <summary>
    /// Stopping: no more events are queued, and the workers finish those already queued (their webhooks
    /// got a 200) before they stop. Whatever does not fit in the shutdown budget stays for the drain.
    /// </summary>
    public void Complete()
    {
        foreach (var queue in _queues) queue.Writer.TryComplete();
    }

    /// <summary>Runs the workers until <paramref name="stopping"/>.</summary>
    public Task RunAsync(CancellationToken stopping) =>
        Task.WhenAll(_queues.Select(queue => WorkAsync(queue.Reader, stopping)));

    private async Task WorkAsync(ChannelReader<StripeEventRecord> queue, CancellationToken stopping)
    {
        try
        {
            await foreach (var record in queue.ReadAllAsync(stopping))
            {
                await TryApplyAsync(record);
                _queued.TryRemove((record.OrganizationId, record.EventId), out _);
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
        }
    }

    /// <summary>Whether the event waits in this silo's queues, to be applied by a worker shortly.</summary>
    public bool IsQueued(StripeEventRecord record) => _queued.ContainsKey((record.OrganizationId, record.EventId));

    /// <summary>Applies and marks applied; on failure logs and leaves the event to the drain.</summary>
    public async Task<bool> TryApplyAsync(StripeEventRecord record)
    {
        using var activity = StartApplyActivity(record);
        OrganizationContext.Enter(record.OrganizationId);
        try
        {
            var outcome = await ApplyAsync(record);
            await events.MarkAppliedAsync(record.OrganizationId, record.EventId, outcome);
            activity?.SetTag("event.outcome", outcome);
            telemetry.Applied(record.OrganizationId, record.Source, outcome, clock.GetUtcNow() - record.Created);
            if (outcome == Outcomes.Applied && ObjectTypeOf(record.Type) is { } objectType)
                sync.ObjectsSynced(record.OrganizationId, objectType, SyncTelemetry.Origins.Event, 1);
            return true;
        }
        catch (Exception exception)
        {
            activity?.SetStatus(ActivityStatusCode.Error, exception.GetType().Name);
            LogApplyFailed(logger, record.OrganizationId, record.EventId, record.Type, exception);
            return false;
        }
    }

    /// <summary>
    /// A child of the webhook request's span, not a link: one event is one unit of work, and its
    /// trace should read request → grains → SQL even though the request answered first. Events of
    /// the catch-up have no traceparent and are children of the catch-up's own span.
    /// </summary>
    private static Activity? StartApplyActivity(StripeEventRecord record)
    {
        if (!Source.HasListeners()) return null;
        var activity = record.TraceParent is { } traceParent && ActivityContext.TryParse(traceParent, null, isRemote: true, out var parent)
            ? Source.StartActivity("Stripe event apply", ActivityKind.Consumer, parent)
            : Source.StartActivity("Stripe event apply", ActivityKind.Consumer);
        activity?.SetTag(StripeTelemetry.OrganizationTag, record.OrganizationId);
        activity?.SetTag("stripe.event.id", record.EventId);
        activity?.SetTag("stripe.event.type", record.Type);
        activity?.SetTag("event.source", record.Source);
        return activity;
    }

    private static string? ObjectTypeOf(string eventType) => StripeEventRoutes.RouteOf(eventType) switch
    {
        StripeEventRoute.Customer => SyncTelemetry.ObjectTypes.Customer,
        StripeEventRoute.Invoice => SyncTelemetry.ObjectTypes.Invoice,
        StripeEventRoute.InvoicePayment => SyncTelemetry.ObjectTypes.Payment,
        _ => null,
    };

    private async Task<string> ApplyAsync(StripeEventRecord record)
    {
        if (StripeEventRoutes.RouteOf(record.Type) is not { } route) return Outcomes.Ignored;
        if (route == StripeEventRoute.NoLedgerChange) return Outcomes.NoChange;

        var asOf = StripeEventRoutes.AsOf(record.Created);
        switch (route, ReadObject(route, record.Payload))
        {
            case (StripeEventRoute.Customer, CustomerJson { Object: "customer", Id.Length: > 0 } customer):
            {
                var snapshot = StripeSnapshots.FromCustomer(customer, asOf);
                // Stripe's customer.deleted carries the customer as it was, without deleted: true.
                if (record.Type == "customer.deleted")
                    snapshot = snapshot with { Deleted = true, Native = CustomerNativeFields.None };
                var settings = await SettingsAsync(record.OrganizationId);
                return Describe(await grains.GetGrain<ICustomerGrain>(new LedgerKey(record.OrganizationId, customer.Id).ToString())
                    .Apply(snapshot, settings, SnapshotOrigin.Event));
            }
            case (StripeEventRoute.Invoice, InvoiceJson { Object: "invoice", Id.Length: > 0 } invoice):
            {
                var snapshot = StripeSnapshots.FromInvoice(invoice, asOf);
                // A draft (or a deleted draft) never reaches the ledger: its grain need not even wake up.
                if (!InvoiceStatusRules.IsImported(snapshot)) return Outcomes.NotImported;
                var settings = await SettingsAsync(record.OrganizationId);
                return Describe(await grains.GetGrain<IInvoiceGrain>(new LedgerKey(record.OrganizationId, invoice.Id).ToString())
                    .Apply(snapshot, settings, SnapshotOrigin.Event));
            }
            case (StripeEventRoute.InvoicePayment, InvoicePaymentJson { Object: "invoice_payment", Id.Length: > 0 } payment):
                return Describe(await grains.GetGrain<IStripeAccountGrain>(record.OrganizationId).ApplyInvoicePayment(payment.Id));
            default:
                LogUnreadable(logger, record.OrganizationId, record.EventId, record.Type);
                return Outcomes.Unreadable;
        }
    }

    /// <summary>
    /// The event's data.object in the shape its route expects, or null when the payload is not that
    /// (unreadable for good). Only parsing is caught here: a failure while applying is left to the drain.
    /// </summary>
    private static object? ReadObject(StripeEventRoute route, string payload)
    {
        try
        {
            return route switch
            {
                StripeEventRoute.Customer => StripeJson.EventCustomer(payload),
                StripeEventRoute.Invoice => StripeJson.EventInvoice(payload),
                StripeEventRoute.InvoicePayment => StripeJson.EventInvoicePayment(payload),
                _ => null,
            };
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private Task<SyncSettings> SettingsAsync(string organizationId) =>
        grains.GetGrain<IOrganizationGrain>(organizationId).GetSyncSettings();

    private static string Describe(ApplyOutcome outcome) => outcome switch
    {
        ApplyOutcome.Applied => Outcomes.Applied,
        ApplyOutcome.Stale => Outcomes.Stale,
        _ => Outcomes.NotImported,
    };

    /// <summary>upflow_events.outcome.</summary>
    public static class Outcomes
    {
        public const string Applied = "applied";
        public const string Stale = "stale";
        public const string NotImported = "not_imported";
        public const string NoChange = "no_change";
        public const string Ignored = "ignored";
        public const string Unreadable = "unreadable";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} ({EventType}) of organization {OrganizationId} could not be applied; the drain retries it")]
    private static partial void LogApplyFailed(ILogger logger, string organizationId, string eventId, string eventType, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} ({EventType}) of organization {OrganizationId} has no object of the expected kind; recorded as unreadable")]
    private static partial void LogUnreadable(ILogger logger, string organizationId, string eventId, string eventType);
}
