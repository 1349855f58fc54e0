using System.Diagnostics;
using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.RateLimiting;
using Polly.Timeout;
using Stripe;
using Upflow.Orleans.Stripe.Wire;

namespace Upflow.Orleans.Stripe;

/// <summary>
/// Every Stripe call of the product goes through here: Stripe.net on the "Stripe" HttpClient, whose
/// pipeline paces each attempt on the organization's token bucket and retries what Stripe says is
/// retryable (see <see cref="StripeResilience"/>). Stripe.net's own retries are off so that one
/// layer decides. Keys are used for the call and dropped: never logged, cached or traced.
/// </summary>
public sealed partial class StripeGateway(
    IHttpClientFactory httpClients,
    IOptions<StripeOptions> options,
    ILogger<StripeGateway> logger)
{
    public const string HttpClientName = "Stripe";
    private const int PageSize = 100;

    /// <summary>
    /// Customer tax, sources and subscriptions are "includable" in this API version: absent unless
    /// expanded, and StripeSnapshots reads them for the native custom fields.
    /// </summary>
    internal static readonly List<string> CustomerExpansions = ["data.tax", "data.sources", "data.subscriptions"];

    /// <summary>
    /// The payment method of an invoice payment: its intent's payment method (2 levels under the
    /// list item, within Stripe's 4), or for charge-type payments the charge, whose
    /// payment_method_details is inline.
    /// </summary>
    internal static readonly List<string> InvoicePaymentExpansions = ["data.payment.payment_intent.payment_method", "data.payment.charge"];

    private readonly StripeOptions _options = options.Value;

    /// <summary>
    /// One transport for every call: Stripe.net builds its user-agent (reading assembly versions from
    /// disk) per transport, which cost more than the request when done per call.
    /// </summary>
    private readonly SystemNetHttpClient _transport = new(
        httpClients.CreateClient(HttpClientName), maxNetworkRetries: 0, appInfo: null, enableTelemetry: false);

    /// <summary>GET /v1/account: does this key open an account, and which one.</summary>
    public async Task<AccountCheck> CheckAccountAsync(string organizationId, string secretKey, CancellationToken cancellation)
    {
        if (KeyProblem(secretKey) is { } problem) return AccountCheck.Rejected(problem);
        try
        {
            var (account, _) = await CallAsync(organizationId, "GET /v1/account",
                (client, ct) => new AccountService(client).GetSelfAsync(null, ct), secretKey, cancellation);
            // Stripe.net reads an absent "created" as the epoch.
            var created = new DateTimeOffset(DateTime.SpecifyKind(account.Created, DateTimeKind.Utc)).ToUnixTimeSeconds();
            return AccountCheck.Valid(account.Id, created > 0 ? created : null);
        }
        catch (StripeKeyRejectedException rejected)
        {
            return AccountCheck.Rejected(rejected.Message);
        }
        catch (StripeRequestRefusedException refused)
        {
            // Any other refusal of GET /v1/account: the key does not open an account we can sync.
            return AccountCheck.Rejected(refused.Message);
        }
    }

    public Task<StripePage<CustomerJson>> ListCustomersAsync(string organizationId, string secretKey, string? startingAfter, CancellationToken cancellation,
        CreatedWindow window = default) =>
        ListAsync(organizationId, "GET /v1/customers", secretKey, cancellation, "/v1/customers",
            new CustomerListOptions { Limit = PageSize, StartingAfter = startingAfter, Created = window.ToOptions(), Expand = [.. CustomerExpansions] },
            StripeJson.CustomerListAsync, customer => customer.Id, customer => customer.Created);

    /// <summary>Every status, drafts included: the backfill counts them as skipped.</summary>
    public Task<StripePage<InvoiceJson>> ListInvoicesAsync(string organizationId, string secretKey, string? startingAfter, CancellationToken cancellation,
        CreatedWindow window = default) =>
        ListAsync(organizationId, "GET /v1/invoices", secretKey, cancellation, "/v1/invoices",
            new InvoiceListOptions { Limit = PageSize, StartingAfter = startingAfter, Created = window.ToOptions() },
            StripeJson.InvoiceListAsync, invoice => invoice.Id, invoice => invoice.Created);

    /// <summary>Every status (paid, open, canceled), each with its payment method expanded.</summary>
    public Task<StripePage<InvoicePaymentJson>> ListInvoicePaymentsAsync(string organizationId, string secretKey, string? startingAfter, CancellationToken cancellation,
        CreatedWindow window = default) =>
        ListAsync(organizationId, "GET /v1/invoice_payments", secretKey, cancellation, "/v1/invoice_payments",
            new InvoicePaymentListOptions { Limit = PageSize, StartingAfter = startingAfter, Created = window.ToOptions(), Expand = [.. InvoicePaymentExpansions] },
            StripeJson.InvoicePaymentListAsync, payment => payment.Id, payment => payment.Created);

    /// <summary>
    /// Bare intents (id, status) are all that counting unapplied payments needs: see
    /// <see cref="UnappliedPayments"/>. Stripe has no "not linked to an invoice" filter, so this lists
    /// every intent, applied ones included.
    /// </summary>
    public Task<StripePage<PaymentIntentJson>> ListPaymentIntentsAsync(string organizationId, string secretKey, string? startingAfter, CancellationToken cancellation,
        CreatedWindow window = default) =>
        ListAsync(organizationId, "GET /v1/payment_intents", secretKey, cancellation, "/v1/payment_intents",
            new PaymentIntentListOptions { Limit = PageSize, StartingAfter = startingAfter, Created = window.ToOptions() },
            StripeJson.PaymentIntentListAsync, intent => intent.Id, intent => intent.Created);

    /// <summary>One invoice payment with its payment method, as the backfill lists them; "as of" the request.</summary>
    public Task<(InvoicePaymentJson Payment, DateTimeOffset RequestedAt)> GetInvoicePaymentAsync(string organizationId, string secretKey, string id, CancellationToken cancellation) =>
        GetAsync(organizationId, secretKey, "/v1/invoice_payments", id,
            new InvoicePaymentGetOptions { Expand = [.. InvoicePaymentExpansions.Select(path => path["data.".Length..])] }, StripeJson.InvoicePaymentAsync, cancellation);

    /// <summary>One customer with what the backfill expands (a deleted one says so); "as of" the request.</summary>
    public Task<(CustomerJson Customer, DateTimeOffset RequestedAt)> GetCustomerAsync(string organizationId, string secretKey, string id, CancellationToken cancellation) =>
        GetAsync(organizationId, secretKey, "/v1/customers", id,
            new CustomerGetOptions { Expand = [.. CustomerExpansions.Select(path => path["data.".Length..])] }, StripeJson.CustomerAsync, cancellation);

    /// <summary>One invoice, whatever its status; "as of" the request.</summary>
    public Task<(InvoiceJson Invoice, DateTimeOffset RequestedAt)> GetInvoiceAsync(string organizationId, string secretKey, string id, CancellationToken cancellation) =>
        GetAsync(organizationId, secretKey, "/v1/invoices", id, new InvoiceGetOptions(), StripeJson.InvoiceAsync, cancellation);

    /// <summary>GET {resource}/{id}, read from the response's bytes.</summary>
    private async Task<(T Object, DateTimeOffset RequestedAt)> GetAsync<T>(string organizationId, string secretKey, string resource, string id,
        BaseOptions options, Func<Stream, CancellationToken, ValueTask<T>> read, CancellationToken cancellation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        if (KeyProblem(secretKey) is { } problem) throw new StripeKeyRejectedException(problem);
        return await CallAsync(organizationId, $"GET {resource}/{{id}}", async (client, ct) =>
        {
            await using var body = await client.RequestStreamingAsync(HttpMethod.Get, $"{resource}/{Uri.EscapeDataString(id)}", options, null, ct);
            return await read(body, ct);
        }, secretKey, cancellation);
    }

    /// <summary>Events created at or after <paramref name="createdGte"/>, newest first as Stripe lists them (30 days retained).</summary>
    public async Task<StripePage<Event>> ListEventsAsync(string organizationId, string secretKey, DateTimeOffset createdGte, string? startingAfter, CancellationToken cancellation)
    {
        // Stripe.net's Event keeps each event's raw JSON, which is what the event log records.
        if (KeyProblem(secretKey) is { } problem) throw new StripeKeyRejectedException(problem);
        var (page, sentAt) = await CallAsync(organizationId, "GET /v1/events", (client, ct) => new EventService(client).ListAsync(
            new EventListOptions { Limit = PageSize, StartingAfter = startingAfter, Created = new DateRangeOptions { GreaterThanOrEqual = createdGte.UtcDateTime } }, null, ct),
            secretKey, cancellation);
        var items = page.Data ?? [];
        return new StripePage<Event>(items, page.HasMore, items.Count > 0 ? items[^1].Id : null, sentAt);
    }

    /// <summary>
    /// POST /v1/invoices/{id}/pay with paid_out_of_band=true. The idempotency key makes every retry
    /// (ours, or the payment grain's after a restart) a replay of the first answer, never a second record.
    /// </summary>
    public async Task<PayOutcome> PayInvoiceOutOfBandAsync(string organizationId, string secretKey, string invoiceId, string idempotencyKey, CancellationToken cancellation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(invoiceId);
        ArgumentException.ThrowIfNullOrWhiteSpace(idempotencyKey);
        if (KeyProblem(secretKey) is { } problem) return PayOutcome.Refused(problem);
        try
        {
            var (invoice, sentAt) = await CallAsync(organizationId, "POST /v1/invoices/{id}/pay", async (client, ct) =>
            {
                await using var body = await client.RequestStreamingAsync(HttpMethod.Post, $"/v1/invoices/{Uri.EscapeDataString(invoiceId)}/pay",
                    new InvoicePayOptions { PaidOutOfBand = true }, new RequestOptions { IdempotencyKey = idempotencyKey }, ct);
                try
                {
                    return await StripeJson.InvoiceAsync(body, ct);
                }
                catch (System.Text.Json.JsonException)
                {
                    // Stripe said 200: the invoice is paid, and every retry would replay this answer.
                    // Paid it is; the invoice.paid event brings the invoice to the ledger instead.
                    return null;
                }
            }, secretKey, cancellation);
            // Stripe answers with the paid invoice: the ledger can show it PAID without waiting for invoice.paid.
            return PayOutcome.PaidWith(invoice is null ? null : Sync.StripeSnapshots.FromInvoice(invoice, sentAt));
        }
        catch (StripeRequestRefusedException refused) when (refused.StatusCode == (int)HttpStatusCode.Conflict)
        {
            // A concurrent request with the same key is still in flight at Stripe: not a refusal of
            // the payment; trying again later replays whatever that request decided.
            return PayOutcome.Failed("Stripe was still processing another request with this idempotency key.");
        }
        catch (StripeRequestRefusedException refused)
        {
            return PayOutcome.Refused(refused.Message);
        }
        catch (StripeKeyRejectedException rejected)
        {
            return PayOutcome.Refused(rejected.Message);
        }
        catch (StripeUnavailableException unavailable)
        {
            return PayOutcome.Failed(unavailable.Message);
        }
    }

    /// <summary>
    /// Stripe.net carries the request (key, version, query, errors); the page is streamed into
    /// <see cref="StripeJson"/>'s shapes rather than Stripe.net's models (see Wire/StripeWire.cs).
    /// </summary>
    private async Task<StripePage<T>> ListAsync<T>(string organizationId, string endpoint, string secretKey, CancellationToken cancellation,
        string path, ListOptions options, Func<Stream, CancellationToken, ValueTask<StripeListJson<T>>> read, Func<T, string> idOf, Func<T, long?> createdOf)
    {
        if (KeyProblem(secretKey) is { } problem) throw new StripeKeyRejectedException(problem);
        var (page, sentAt) = await CallAsync(organizationId, endpoint, async (client, ct) =>
        {
            await using var body = await client.RequestStreamingAsync(HttpMethod.Get, path, options, null, ct);
            return await read(body, ct);
        }, secretKey, cancellation);
        if (page.Data.Count == 0) return new StripePage<T>(page.Data, page.HasMore, null, sentAt);
        return new StripePage<T>(page.Data, page.HasMore, idOf(page.Data[^1]), sentAt, createdOf(page.Data[^1]), createdOf(page.Data[0]));
    }

    /// <summary>One gateway call: a span, a Stripe.net client on the resilient HttpClient, and Stripe's failures in our terms.</summary>
    private async Task<(T Result, DateTimeOffset SentAt)> CallAsync<T>(string organizationId, string endpoint,
        Func<StripeClient, CancellationToken, Task<T>> call, string secretKey, CancellationToken cancellation)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(organizationId);
        using var activity = StripeTelemetry.Source.StartActivity($"Stripe {endpoint}", ActivityKind.Client);
        activity?.SetTag(StripeTelemetry.OrganizationTag, organizationId);
        activity?.SetTag(StripeTelemetry.EndpointTag, endpoint);
        using var scope = StripeCall.Begin(organizationId, endpoint);
        var client = new StripeClient(secretKey, apiBase: _options.ApiBase, httpClient: _transport);
        try
        {
            var result = await call(client, cancellation);
            activity?.SetTag("stripe.attempts", scope.Call.Attempts);
            return (result, scope.Call.SentAt ?? DateTimeOffset.UtcNow);
        }
        catch (Exception exception) when (Translate(exception, scope.Call, cancellation) is { } translated)
        {
            activity?.SetTag("stripe.attempts", scope.Call.Attempts);
            activity?.SetStatus(ActivityStatusCode.Error, translated.GetType().Name);
            if (translated is StripeUnavailableException)
                LogUnavailable(logger, organizationId, endpoint, scope.Call.Attempts, scope.Call.LastStatus);
            throw translated;
        }
    }

    /// <summary>Stripe's answer or failure → ours; null leaves the exception as it is (caller cancellation, bugs).</summary>
    private static Exception? Translate(Exception exception, StripeCall call, CancellationToken cancellation)
    {
        if (exception is OperationCanceledException && cancellation.IsCancellationRequested) return null;
        if (exception is StripeException { StripeError: not null } stripe && stripe.HttpStatusCode is var status && !StripeResilience.IsTransient(status) && (int)status >= 400)
        {
            var message = stripe.StripeError.Message ?? $"Stripe refused the request (HTTP {(int)status}).";
            return status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden
                ? new StripeKeyRejectedException(message, exception)
                : new StripeRequestRefusedException((int)status, message, exception);
        }
        if (exception is System.Text.Json.JsonException)
            return new StripeUnavailableException($"Stripe answered {call.Endpoint} with JSON that is not the documented shape.", exception);
        if (IsTransient(exception))
        {
            var last = call.LastStatus == 0 ? "no response" : $"HTTP {call.LastStatus}";
            return new StripeUnavailableException($"Stripe did not answer {call.Endpoint} after {call.Attempts} attempts ({last}).", exception);
        }
        return null;
    }

    private static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case StripeException stripe when (int)stripe.HttpStatusCode == 0 || StripeResilience.IsTransient(stripe.HttpStatusCode):
                case HttpRequestException:
                case TimeoutRejectedException:
                case RateLimiterRejectedException:
                case OperationCanceledException:
                case IOException:
                    return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Stripe.net throws on an empty key or one with whitespace before any request; anything that is
    /// not a secret (sk_) or restricted (rk_) key cannot work either. The key is never echoed.
    /// </summary>
    private static string? KeyProblem(string? secretKey)
    {
        if (string.IsNullOrWhiteSpace(secretKey) || secretKey.Any(char.IsWhiteSpace))
            return "Invalid API Key provided: the key is empty or contains whitespace.";
        if (!secretKey.StartsWith("sk_", StringComparison.Ordinal) && !secretKey.StartsWith("rk_", StringComparison.Ordinal))
            return "Invalid API Key provided: expected a secret key (sk_…) or a restricted key (rk_…).";
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Stripe call {Endpoint} for organization {OrganizationId} gave up after {Attempts} attempts (last status {StatusCode})")]
    private static partial void LogUnavailable(ILogger logger, string organizationId, string endpoint, int attempts, int statusCode);
}
