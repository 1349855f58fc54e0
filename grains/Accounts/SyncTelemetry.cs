using System.Diagnostics;
using System.Diagnostics.Metrics;
using Upflow.Orleans.Stripe;

namespace Upflow.Orleans.Accounts;

/// <summary>
/// Sync instruments on the "Upflow.Orleans" meter: objects written to the ledger by type and origin,
/// and backfill pages. Tagged with the organization id, never an object id.
/// </summary>
public sealed class SyncTelemetry
{
    public const string ObjectTypeTag = "object.type";
    public const string OriginTag = "sync.origin";

    public static class ObjectTypes
    {
        public const string Customer = "customer";
        public const string Invoice = "invoice";
        public const string Payment = "payment";
        public const string PaymentIntent = "payment_intent";
    }

    public static class Origins
    {
        public const string Backfill = "backfill";
        public const string Event = "event";
    }

    private readonly Counter<long> _objects;
    private readonly Counter<long> _pages;

    public SyncTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(StripeTelemetry.Name);
        _objects = meter.CreateCounter<long>("upflow.sync.objects", "{object}", "Stripe objects imported into the ledger (backfill pages, or events that changed them).");
        _pages = meter.CreateCounter<long>("upflow.backfill.pages", "{page}", "Backfill pages listed from Stripe and applied.");
    }

    public void ObjectsSynced(string organizationId, string objectType, string origin, long count)
    {
        if (count <= 0) return;
        _objects.Add(count, new TagList
        {
            { StripeTelemetry.OrganizationTag, organizationId },
            { ObjectTypeTag, objectType },
            { OriginTag, origin },
        });
    }

    public void BackfillPage(string organizationId, string objectType, long imported)
    {
        _pages.Add(1, new TagList { { StripeTelemetry.OrganizationTag, organizationId }, { ObjectTypeTag, objectType } });
        // Payment intents are counted, not imported: only the ledger's objects count as synced.
        if (objectType != ObjectTypes.PaymentIntent) ObjectsSynced(organizationId, objectType, Origins.Backfill, imported);
    }
}
