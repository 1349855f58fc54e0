using System.Text.Json;
using Upflow.StripeEmulator.Domain;

namespace Upflow.StripeEmulator.Json;

internal static class EventJson
{
    public static void Write(Utf8JsonWriter w, StripeEvent ev)
    {
        w.WriteStartObject();
        w.WriteString("id", ev.Id);
        w.WriteString("object", "event");
        w.WriteString("api_version", StripeApi.Version);
        w.WriteNumber("created", ev.Created);
        w.WriteStartObject("data");
        w.WritePropertyName("object");
        w.WriteRawValue(ev.ObjectJson, skipInputValidation: true);
        if (ev.PreviousAttributesJson is { } previous)
        {
            w.WritePropertyName("previous_attributes");
            w.WriteRawValue(previous, skipInputValidation: true);
        }
        w.WriteEndObject();
        w.WriteBoolean("livemode", false);
        w.WriteNumber("pending_webhooks", ev.PendingWebhooks);
        w.WriteStartObject("request");
        w.WriteNullableString("id", ev.RequestId);
        w.WriteNullableString("idempotency_key", ev.IdempotencyKey);
        w.WriteEndObject();
        w.WriteString("type", ev.Type);
        w.WriteEndObject();
    }

    public static byte[] ToBytes(StripeEvent ev) => JsonBytes.Render(w => Write(w, ev));
}
