using System.Net;
using System.Text.Json;

namespace Upflow.Orleans.Stripe;

/// <summary>
/// Innermost handler, once per attempt (after pacing, inside retries): counts what actually goes
/// to Stripe, stamps when it left, and tells the pacing when Stripe found it too fast.
/// </summary>
internal sealed class StripeAttemptHandler(StripeTelemetry telemetry, StripePacing pacing, TimeProvider clock) : DelegatingHandler
{
    /// <summary>Which of Stripe's limiters refused the call: "global-rate", "endpoint-rate", "resource-specific"…</summary>
    private const string RateLimitedReasonHeader = "Stripe-Rate-Limited-Reason";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var call = StripeCall.Current ?? new StripeCall("unknown", $"{request.Method} {request.RequestUri?.AbsolutePath}");
        call.Attempts++;
        call.SentAt = clock.GetUtcNow();
        call.LastStatus = 0;
        telemetry.CountRequest(call);
        var response = await base.SendAsync(request, cancellationToken);
        call.LastStatus = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            telemetry.CountRateLimited(call);
            try
            {
                pacing.RateLimited(call, await RefusalReasonAsync(response, cancellationToken));
            }
            catch
            {
                response.Dispose(); // the attempt timed out reading the body: nobody else will
                throw;
            }
        }
        return response;
    }

    /// <summary>
    /// Which of Stripe's limiters refused the call, from its header; when none is named, a
    /// <c>lock_timeout</c> error (another request held the object) is about the object, not the rate.
    /// </summary>
    private static async Task<string?> RefusalReasonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Headers.TryGetValues(RateLimitedReasonHeader, out var reasons)) return reasons.FirstOrDefault();
        try
        {
            // A 429's body is one small error object; buffered, Stripe.net reads it again as usual.
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            using var error = JsonDocument.Parse(body);
            return error.RootElement.TryGetProperty("error", out var detail) && detail.ValueKind == JsonValueKind.Object
                && detail.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
                && code.GetString() == StripePacing.LockTimeout
                ? StripePacing.LockTimeout
                : null;
        }
        catch (Exception exception) when (exception is JsonException or HttpRequestException or IOException)
        {
            return null; // no readable reason: the account's limit, as when Stripe names none
        }
    }
}
