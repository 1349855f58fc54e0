using System.Net;
using System.Security.Cryptography;
using System.Text;
using Upflow.StripeEmulator.Json;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Http;

/// <summary>
/// What Stripe does around every /v1 call, in Stripe's order: identify the request, authenticate
/// the key, count it, apply the account's limits and faults, honour Idempotency-Key, and render
/// errors as { "error": … }.
/// </summary>
internal sealed class StripeRequestPipeline(RequestDelegate next, AccountRegistry accounts, TimeProvider clock)
{
    public async Task InvokeAsync(HttpContext http)
    {
        var requestId = "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(7));
        http.Response.Headers["Request-Id"] = requestId;
        http.Response.Headers["Stripe-Version"] = StripeApi.Version;
        try
        {
            var account = Authenticate(http);
            http.Items[typeof(StripeAccount)] = account;
            var endpoint = http.GetEndpoint() as RouteEndpoint;
            var endpointName = $"{http.Request.Method} {endpoint?.RoutePattern.RawText ?? http.Request.Path.Value}";
            if (account.Faults.TryTakeToken(endpointName, clock.GetTimestamp() * TimeSpan.TicksPerSecond / clock.TimestampFrequency) is { } limit)
            {
                account.Activity.CountRequest(endpointName, rateLimited: true);
                await RateLimited(http, account, limit);
                return;
            }
            account.Activity.CountRequest(endpointName, rateLimited: false);
            if (!await ApplyFaultsAsync(http, account)) return;
            if (endpoint is null)
                throw new StripeApiException(HttpStatusCode.NotFound, "invalid_request_error",
                    $"Unrecognized request URL ({http.Request.Method}: {http.Request.Path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.");
            if (HttpMethods.IsPost(http.Request.Method) && http.Request.Headers["Idempotency-Key"].FirstOrDefault() is { Length: > 0 } key)
                await IdempotentAsync(http, account, key);
            else
                await next(http);
        }
        catch (StripeApiException error)
        {
            await WriteErrorAsync(http, error);
        }
    }

    private StripeAccount Authenticate(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        string? key = null;
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) key = header[7..].Trim();
        else if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            // curl -u sk_test_…: the key is the user name.
            try { key = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim())).Split(':')[0]; }
            catch (FormatException) { key = ""; }
        }
        if (string.IsNullOrEmpty(key))
            throw new StripeApiException(HttpStatusCode.Unauthorized, "invalid_request_error",
                "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.");
        return accounts.FindBySecretKey(key) ?? throw new StripeApiException(HttpStatusCode.Unauthorized, "invalid_request_error",
            $"Invalid API Key provided: {Redact(key)}", "api_key_invalid");
    }

    /// <summary>Stripe shows only the key's prefix and last four characters.</summary>
    private static string Redact(string key) =>
        key.Length <= 12 ? new string('*', key.Length) : $"{key[..8]}{new string('*', key.Length - 12)}{key[^4..]}";

    private static async Task RateLimited(HttpContext http, StripeAccount account, string limit)
    {
        http.Response.Headers["Stripe-Should-Retry"] = "true";
        http.Response.Headers["Stripe-Rate-Limited-Reason"] = limit;
        if (account.Faults.Settings.RetryAfterSeconds is { } retryAfter) http.Response.Headers.RetryAfter = retryAfter.ToString();
        await WriteErrorAsync(http, new StripeApiException(HttpStatusCode.TooManyRequests, "invalid_request_error",
            "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.", "rate_limit"));
    }

    /// <returns>false when a fault already answered (or abandoned) the request.</returns>
    private static async Task<bool> ApplyFaultsAsync(HttpContext http, StripeAccount account)
    {
        var settings = account.Faults.Settings;
        if (account.Faults.Roll(f => f.TimeoutRate))
        {
            // Hang past the client's timeout, then drop the connection without a response.
            try { await Task.Delay(settings.TimeoutDuration, http.RequestAborted); } catch (OperationCanceledException) { }
            http.Abort();
            return false;
        }
        if (settings.Latency > TimeSpan.Zero) await Task.Delay(settings.Latency, http.RequestAborted);
        if (account.Faults.Roll(f => f.LockTimeoutRate))
        {
            http.Response.Headers["Stripe-Should-Retry"] = "true";
            await WriteErrorAsync(http, new StripeApiException(HttpStatusCode.TooManyRequests, "invalid_request_error",
                "This object cannot be accessed right now because another API request or Stripe process is currently accessing it. " +
                "If you see this error intermittently, retry the request. If you see this error frequently and are making multiple " +
                "concurrent requests to a single object, make your requests serially or at a lower rate.", "lock_timeout"));
            return false;
        }
        if (account.Faults.Roll(f => f.ServerErrorRate))
        {
            await WriteErrorAsync(http, new StripeApiException(HttpStatusCode.InternalServerError, "api_error",
                "An unknown error occurred"));
            return false;
        }
        return true;
    }

    /// <summary>
    /// Stripe: the same key with the same parameters replays the saved response (Idempotent-Replayed:
    /// true); with other parameters or another endpoint it is a 400 idempotency_error. Requests that
    /// fail parameter validation are not saved, so they can be corrected and retried with the key.
    /// </summary>
    private async Task IdempotentAsync(HttpContext http, StripeAccount account, string key)
    {
        var fingerprint = await FingerprintAsync(http);
        var path = http.Request.Path.Value ?? "";
        var store = account.Activity.Idempotency;
        if (store.TryGetValue(key, out var saved))
        {
            if (saved.Path != path || saved.Method != http.Request.Method)
                throw new StripeApiException(HttpStatusCode.BadRequest, "idempotency_error",
                    $"Keys for idempotent requests can only be used for the same endpoint they were first used for ('{saved.Method} {saved.Path}' vs '{http.Request.Method} {path}'). Try using a key other than '{key}' if you meant to execute a different request.");
            if (saved.Fingerprint != fingerprint)
                throw new StripeApiException(HttpStatusCode.BadRequest, "idempotency_error",
                    $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request.");
            http.Response.StatusCode = saved.Status;
            http.Response.ContentType = "application/json";
            http.Response.Headers["Idempotent-Replayed"] = "true";
            http.Response.Headers["Idempotency-Key"] = key;
            await http.Response.Body.WriteAsync(saved.Body);
            return;
        }
        if (!account.Activity.IdempotencyInFlight.TryAdd(key, true))
            throw new StripeApiException(HttpStatusCode.Conflict, "idempotency_error",
                $"There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): {key}. Please try again later.");
        var original = http.Response.Body;
        using var captured = new MemoryStream();
        http.Response.Body = captured;
        try
        {
            http.Response.Headers["Idempotency-Key"] = key;
            try { await next(http); }
            catch (StripeApiException error) { await WriteErrorAsync(http, error); }
            var body = captured.ToArray();
            if (!http.Items.ContainsKey(ValidationFailed) && http.Response.StatusCode < 500)
                store[key] = new IdempotentResponse(http.Request.Method, path, fingerprint, http.Response.StatusCode, body);
            http.Response.Body = original;
            await original.WriteAsync(body);
        }
        finally
        {
            http.Response.Body = original;
            account.Activity.IdempotencyInFlight.TryRemove(key, out _);
        }
    }

    private static async Task<string> FingerprintAsync(HttpContext http)
    {
        if (!http.Request.HasFormContentType) return "";
        var form = await http.Request.ReadFormAsync(http.RequestAborted);
        return string.Join('&', form.OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}"));
    }

    private const string ValidationFailed = "stripe.validation_failed";

    private static async Task WriteErrorAsync(HttpContext http, StripeApiException error)
    {
        if (error.Code?.StartsWith("parameter_", StringComparison.Ordinal) == true) http.Items[ValidationFailed] = true;
        http.Response.StatusCode = (int)error.Status;
        http.Response.ContentType = "application/json";
        await http.Response.Body.WriteAsync(JsonBytes.Error(error.Type, error.Message, error.Code, error.Param));
    }
}
