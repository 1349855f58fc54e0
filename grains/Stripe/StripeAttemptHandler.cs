using System.Net;

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
            pacing.RateLimited(call,
                response.Headers.TryGetValues(RateLimitedReasonHeader, out var reasons) ? reasons.FirstOrDefault() : null);
        }
        return response;
    }
}
