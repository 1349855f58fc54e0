using System.Text.Json;
using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Json;
using Upflow.StripeEmulator.Store;
using Upflow.StripeEmulator.Webhooks;

namespace Upflow.StripeEmulator.Mutations;

/// <summary>Which API request caused a change: Stripe puts it on the event as request.id / idempotency_key.</summary>
public sealed record RequestOrigin(string? RequestId, string? IdempotencyKey)
{
    public static readonly RequestOrigin Dashboard = new(null, null);
}

/// <summary>Records events (always under the account's write lock) and hands them to the webhook dispatcher.</summary>
internal sealed class EventRecorder(TimeProvider clock, WebhookDispatcher dispatcher)
{
    public long Now => clock.GetUtcNow().ToUnixTimeSeconds();
    public TimeProvider Clock => clock;

    public StripeEvent Record(StripeAccount a, string type, Action<Utf8JsonWriter> writeObject, Action<Utf8JsonWriter>? writePrevious, RequestOrigin origin)
    {
        var autoDeliver = a.Webhook is { AutoDeliver: true, Url: not null };
        var ev = a.Stamp(new StripeEvent
        {
            Id = a.NewId("evt"),
            Created = Now,
            Type = type,
            ObjectJson = JsonBytes.Render(writeObject),
            PreviousAttributesJson = writePrevious is null ? null : JsonBytes.Render(writePrevious),
            RequestId = origin.RequestId,
            IdempotencyKey = origin.IdempotencyKey,
            PendingWebhooks = a.Webhook.Url is null ? 0 : 1,
        });
        a.Events.Add(ev);
        if (autoDeliver) dispatcher.Enqueue(a, ev);
        return ev;
    }

    public void Invoice(StripeAccount a, string type, Invoice invoice, Action<Utf8JsonWriter>? previous, RequestOrigin origin) =>
        Record(a, type, w => InvoiceJson.Write(w, invoice, Expansion.None, a), previous, origin);

    public void Customer(StripeAccount a, string type, Customer customer, Action<Utf8JsonWriter>? previous, RequestOrigin origin) =>
        Record(a, type, w => CustomerJson.Write(w, customer, Expansion.None, a), previous, origin);
}
