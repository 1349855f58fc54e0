using System.Net;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Timeout;

namespace Upflow.Orleans.Stripe;

/// <summary>
/// The retry rules of every Stripe call, as Stripe documents them: retry 429, 5xx, network errors
/// and timeouts with exponential backoff and jitter; <c>Stripe-Should-Retry</c> overrides the status
/// (false: never, true: even a 409); <c>Retry-After</c> sets the delay when present;
/// other 4xx are answers, not failures. A POST is retried only with an Idempotency-Key, which makes
/// the retry a replay on Stripe's side rather than a second write.
/// </summary>
internal static partial class StripeResilience
{
    public const string PipelineName = "stripe";
    private const string ShouldRetryHeader = "Stripe-Should-Retry";

    /// <summary>
    /// retry → pacing → per-attempt timeout: each attempt first waits for a token of its account,
    /// and the time spent queued for pacing does not eat into the attempt's timeout.
    /// </summary>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, StripeOptions options, StripePacing pacing, ILogger logger)
    {
        // Polly refuses a retry strategy of 0 attempts; Stripe:MaxRetries = 0 means no retry strategy at all.
        if (options.MaxRetries > 0) AddRetry(pipeline, options, logger);
        pipeline
            .AddRateLimiter(new RateLimiterStrategyOptions
            {
                RateLimiter = args => pacing.WaitAsync(StripeCall.Current ?? new StripeCall("unknown", "unknown"), args.Context.CancellationToken),
            })
            .AddTimeout(options.RequestTimeout);
    }

    private static void AddRetry(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, StripeOptions options, ILogger logger)
    {
        pipeline
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Outcome, args.Context)),
                DelayGenerator = args => ValueTask.FromResult(RetryAfter(args.Outcome.Result, options.MaxRetryDelay)),
                OnRetry = args =>
                {
                    var call = StripeCall.Current;
                    LogRetry(logger, call?.OrganizationId ?? "unknown", call?.Endpoint ?? "unknown",
                        args.Outcome.Result is { } response ? (int)response.StatusCode : 0,
                        args.Outcome.Exception?.GetType().Name, args.AttemptNumber + 1, args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
    }

    public static bool ShouldRetry(Outcome<HttpResponseMessage> outcome, ResilienceContext context)
    {
        var request = outcome.Result?.RequestMessage ?? context.GetRequestMessage();
        if (request is not null && !IsReplayable(request)) return false;
        if (outcome.Exception is { } exception)
            return exception is HttpRequestException or TimeoutRejectedException
                || (exception is OperationCanceledException && !context.CancellationToken.IsCancellationRequested);
        return outcome.Result is { } result && ShouldRetry(result);
    }

    public static bool ShouldRetry(HttpResponseMessage response)
    {
        if (response.Headers.TryGetValues(ShouldRetryHeader, out var values))
        {
            var value = values.FirstOrDefault();
            if (string.Equals(value, "false", StringComparison.OrdinalIgnoreCase)) return false;
            if (string.Equals(value, "true", StringComparison.OrdinalIgnoreCase)) return true;
        }
        return IsTransient(response.StatusCode);
    }

    public static bool IsTransient(HttpStatusCode status) => status == HttpStatusCode.TooManyRequests || (int)status >= 500;

    private static bool IsReplayable(HttpRequestMessage request) =>
        request.Method != HttpMethod.Post || request.Headers.Contains("Idempotency-Key");

    /// <summary>Stripe does not document Retry-After on 429s, but when it (or a proxy) sends one, it knows best.</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage? response, TimeSpan cap)
    {
        if (response?.Headers.RetryAfter is not { } retryAfter) return null;
        var delay = retryAfter.Delta ?? (retryAfter.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (delay is not { } d || d < TimeSpan.Zero) return null;
        return d > cap ? cap : d;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Stripe call {Endpoint} for organization {OrganizationId} failed (status {StatusCode}, {Exception}); retry {Retry} in {DelayMs} ms")]
    private static partial void LogRetry(ILogger logger, string organizationId, string endpoint, int statusCode, string? exception, int retry, double delayMs);
}
