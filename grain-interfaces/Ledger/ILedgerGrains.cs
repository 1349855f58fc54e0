using Upflow.Orleans.Payments;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Ledger;

/// <summary>Where a snapshot comes from: a backfill page touches a grain once, an event may touch it again soon.</summary>
[GenerateSerializer, Alias("upflow.SnapshotOrigin")]
public enum SnapshotOrigin
{
    Backfill = 0,
    Event = 1,
}

/// <summary>What applying a snapshot did: stored it, or ignored it because the grain holds newer data.</summary>
[GenerateSerializer, Alias("upflow.ApplyOutcome")]
public enum ApplyOutcome
{
    Applied = 0,
    Stale = 1,
    NotImported = 2,
    /// <summary>
    /// Differs from the row's snapshot as of the same second and status: which change came last
    /// cannot be told from Stripe's events. The row is kept; the caller has the object read again.
    /// </summary>
    Tied = 3,
}

/// <summary>What re-deriving did: new derived fields, only the settings version moved, or nothing (already as new, or no such object).</summary>
[GenerateSerializer, Alias("upflow.RederiveOutcome")]
public enum RederiveOutcome
{
    Changed = 0,
    Unchanged = 1,
    Skipped = 2,
}

/// <summary>A Stripe customer of one organization. Key: <see cref="LedgerKey"/>.</summary>
[Alias("upflow.ICustomerGrain")]
public interface ICustomerGrain : IGrainWithStringKey
{
    [Alias("Apply")]
    Task<ApplyOutcome> Apply(CustomerSnapshot snapshot, SyncSettings settings, SnapshotOrigin origin);

    /// <summary>
    /// Snapshots from events, in the order they arrived, applied one after another with one write
    /// (a run of webhooks for this customer): an outcome per snapshot.
    /// </summary>
    [Alias("ApplyEvents")]
    Task<ApplyOutcome[]> ApplyEvents(CustomerSnapshot[] snapshots, SyncSettings settings);
}

/// <summary>A Stripe invoice of one organization; decides its ledger status. Key: <see cref="LedgerKey"/>.</summary>
[Alias("upflow.IInvoiceGrain")]
public interface IInvoiceGrain : IGrainWithStringKey
{
    [Alias("Apply")]
    Task<ApplyOutcome> Apply(InvoiceSnapshot snapshot, SyncSettings settings, SnapshotOrigin origin);

    /// <summary>Snapshots from events, in arrival order, applied with one write (see <see cref="ICustomerGrain.ApplyEvents"/>).</summary>
    [Alias("ApplyEvents")]
    Task<ApplyOutcome[]> ApplyEvents(InvoiceSnapshot[] snapshots, SyncSettings settings);
}

/// <summary>A payment: a Stripe invoice payment or one recorded in the AR portal. Key: <see cref="LedgerKey"/>.</summary>
[Alias("upflow.IPaymentGrain")]
public interface IPaymentGrain : IGrainWithStringKey
{
    [Alias("ApplyStripe")]
    Task<ApplyOutcome> ApplyStripe(PaymentSnapshot snapshot, SyncSettings settings, SnapshotOrigin origin);

    /// <summary>Creates the portal payment (<c>pay_…</c>) and starts its export; a second call is a no-op.</summary>
    [Alias("RecordPortal")]
    Task RecordPortal(PortalPayment payment);

    /// <summary>"Export back to Stripe Billing": retries a payment in error (or brings a pending one forward).</summary>
    [Alias("RequestExport")]
    Task<ExportRequestStatus> RequestExport();

    /// <summary>
    /// A portal payment's custom fields derived again with these settings (all null: it has no Stripe
    /// metadata). Through the grain because it also writes the export state from its copy; Stripe's
    /// payments, customers and invoices are re-derived in bulk (RederivationStore). Settings older
    /// than those the payment was derived with change nothing.
    /// </summary>
    [Alias("Rederive")]
    Task<RederiveOutcome> Rederive(SyncSettings settings);
}
