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

    /// <summary>The error code of a 429 for an object another request holds.</summary>
    private const string LockTimeoutCode = "lock_timeout";

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
                // A lock timeout (another request held the object) says nothing of the rate: nothing slows.
                if (!await IsLockTimeoutAsync(response, cancellationToken))
                    pacing.RateLimited(call, response.Headers.TryGetValues(RateLimitedReasonHeader, out var reasons) ? reasons.FirstOrDefault() : null);
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
    /// Whether a 429 is Stripe's <c>lock_timeout</c>: it names no limiter in its headers, only in its
    /// body's error code. A body that cannot be read is taken for a rate limit.
    /// </summary>
    private static async Task<bool> IsLockTimeoutAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.Headers.Contains(RateLimitedReasonHeader)) return false;
        try
        {
            // A 429's body is one small error object; buffered, Stripe.net reads it again as usual.
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
            using var error = JsonDocument.Parse(body);
            return error.RootElement.TryGetProperty("error", out var detail) && detail.ValueKind == JsonValueKind.Object
                && detail.TryGetProperty("code", out var code) && code.ValueKind == JsonValueKind.String
                && code.GetString() == LockTimeoutCode;
        }
        catch (Exception exception) when (exception is JsonException or HttpRequestException or IOException)
        {
            return false;
        }
    }
}
