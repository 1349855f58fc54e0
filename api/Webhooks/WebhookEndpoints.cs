using Activity = System.Diagnostics.Activity;
using ActivityIdFormat = System.Diagnostics.ActivityIdFormat;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Upflow.Orleans.Api.Http;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Webhooks;

namespace Upflow.Orleans.Api.Webhooks;

/// <summary>
/// Stripe's webhook endpoint. The Stripe-Signature header is the authentication: the raw body is
/// verified with the organization's signing secret (from a silo-local cache, no grain call), then
/// durably recorded (group commit), and only then answered 200; the owning grain applies it after.
/// Every refusal stores nothing.
/// </summary>
public static class WebhookEndpoints
{
    /// <summary>Stripe's default tolerance: a signature older than this is a replay.</summary>
    public const long SignatureToleranceSeconds = 300;

    public static IEndpointRouteBuilder MapWebhookEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/webhooks/stripe/{organizationId}", Receive)
            .AllowAnonymous()
            .WithTags("Webhooks")
            .WithName("ReceiveStripeWebhook");
        return routes;
    }

    private static async Task<Results<Ok<WebhookReceipt>, ProblemHttpResult>> Receive(
        string organizationId, HttpRequest request, WebhookSecrets secrets, EventLog events, EventDispatcher dispatcher,
        WebhookDeliveries deliveries, WebhookTelemetry telemetry, TimeProvider clock)
    {
        using var delivery = deliveries.Begin();
        var body = await ReadBodyAsync(request);
        if (body.TooLarge)
        {
            telemetry.Rejected("too_large");
            return Problems.Create(StatusCodes.Status413PayloadTooLarge, "The request body is too large.",
                "The request body exceeds the 1 MiB limit.", "payload_too_large");
        }

        var header = request.Headers["Stripe-Signature"].ToString();
        if (header.Length == 0 || !IsOrganizationId(organizationId))
            return Rejected(telemetry, "signature");
        OrganizationContext.Enter(organizationId);

        // Not UTF-8: no signature can match what Stripe would have signed.
        if (body.Payload is not { } payload)
            return Rejected(telemetry, "signature");

        var now = clock.GetUtcNow().ToUnixTimeSeconds();
        var secret = await secrets.GetAsync(organizationId);
        if (secret is null || !IsSigned(payload, header, secret, now))
        {
            // The secret may have changed (reconnect on another silo): re-read it once, at most every second.
            var refreshed = await secrets.RefreshAsync(organizationId);
            if (refreshed is null || refreshed == secret || !IsSigned(payload, header, refreshed, now))
                return Rejected(telemetry, "signature");
        }

        if (ParseEnvelope(payload) is not { } envelope)
        {
            telemetry.Rejected("malformed");
            return Problems.Validation("The body is not a Stripe event: JSON with an id, a type and a created time.", "malformed_json");
        }

        // The grain applies the event after the 200: the request's trace context goes with the event.
        var traceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;
        var record = new StripeEventRecord(organizationId, envelope.Id, envelope.Type, envelope.Created, payload,
            StripeEventRecord.Sources.Webhook, envelope.ObjectId, traceParent);
        var outcome = await events.RecordAsync(record);
        telemetry.Recorded(organizationId, outcome, clock.GetUtcNow() - envelope.Created);
        if (outcome == RecordOutcome.New) dispatcher.Enqueue(record);
        return TypedResults.Ok(new WebhookReceipt(true, outcome switch
        {
            RecordOutcome.New => "recorded",
            RecordOutcome.Duplicate => "duplicate",
            _ => "ignored",
        }));
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Stripe.net's check: any v1 entry, HMAC-SHA256 over "t.payload", constant-time, within the tolerance.</summary>
    private static bool IsSigned(string payload, string header, string secret, long now)
    {
        try
        {
            global::Stripe.EventUtility.ValidateSignature(payload, header, secret, SignatureToleranceSeconds, now);
            return true;
        }
        catch (global::Stripe.StripeException)
        {
            return false;
        }
    }

    private static ProblemHttpResult Rejected(WebhookTelemetry telemetry, string reason)
    {
        telemetry.Rejected(reason);
        // One answer for an unknown organization and a bad signature: the endpoint is no oracle of which organizations exist.
        return Problems.Validation("The Stripe-Signature header is missing, expired or does not match this endpoint's signing secret.", "invalid_signature");
    }

    private static bool IsOrganizationId(string id) =>
        id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    /// <summary>
    /// The body as text, read from Kestrel's pipe and decoded in place: no copy of the bytes is made.
    /// Past 1 MiB it is too large (a declared length is refused earlier by the body-limit middleware);
    /// bytes that are not UTF-8 leave the payload null.
    /// </summary>
    private static async Task<Body> ReadBodyAsync(HttpRequest request)
    {
        var reader = request.BodyReader;
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync();
                var buffer = read.Buffer;
                if (buffer.Length > RequestBodyLimit.MaxBytes)
                {
                    reader.AdvanceTo(buffer.End);
                    return Body.TooLargeBody;
                }

                if (!read.IsCompleted)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    continue;
                }

                try
                {
                    return new Body(StrictUtf8.GetString(buffer), TooLarge: false);
                }
                catch (DecoderFallbackException)
                {
                    return new Body(null, TooLarge: false);
                }
                finally
                {
                    reader.AdvanceTo(buffer.End);
                }
            }
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Body.TooLargeBody;
        }
    }

    private sealed record Body(string? Payload, bool TooLarge)
    {
        public static readonly Body TooLargeBody = new(null, TooLarge: true);
    }

    private static Envelope? ParseEnvelope(string payload)
    {
        try
        {
            using var json = JsonDocument.Parse(payload);
            var root = json.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return null;
            if (!root.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String || id.GetString() is not { Length: > 0 and <= 255 } eventId) return null;
            if (!root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || type.GetString() is not { Length: > 0 and <= 255 } eventType) return null;
            if (!root.TryGetProperty("created", out var created) || !created.TryGetInt64(out var seconds)) return null;
            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object) return null;
            var objectId = data.TryGetProperty("object", out var obj) && obj.ValueKind == JsonValueKind.Object
                && obj.TryGetProperty("id", out var oid) && oid.ValueKind == JsonValueKind.String ? oid.GetString() : null;
            return new Envelope(eventId, eventType, DateTimeOffset.FromUnixTimeSeconds(seconds), objectId);
        }
        catch (Exception exception) when (exception is JsonException or ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    private sealed record Envelope(string Id, string Type, DateTimeOffset Created, string? ObjectId);
}

/// <summary>The 200 body: <c>outcome</c> is recorded, duplicate or ignored (a type the engine does not handle).</summary>
public sealed record WebhookReceipt(bool Received, string Outcome);
