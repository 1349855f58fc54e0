using System.Text;
using System.Threading.Channels;
using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Json;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Webhooks;

/// <summary>
/// Sends events to account endpoints. Automatic deliveries go through one queue in creation order;
/// on-demand deliveries (duplicates, shuffles, delays, bad signatures) are sent by the caller's task.
/// Signatures carry the wall-clock time of sending, since receivers check it against their own clock.
/// </summary>
internal sealed class WebhookDispatcher : IAsyncDisposable
{
    private readonly Channel<(StripeAccount Account, StripeEvent Event)> _queue = Channel.CreateUnbounded<(StripeAccount, StripeEvent)>();
    private HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// Sends deliveries through <paramref name="handler"/> instead of the network, e.g. an in-memory
    /// test server's handler; endpoint URLs must then be absolute URLs that server answers.
    /// </summary>
    public void UseTransport(HttpMessageHandler handler)
    {
        var previous = Interlocked.Exchange(ref _http, new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) });
        previous.Dispose();
    }
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _worker;
    private int _inFlight;

    public WebhookDispatcher() => _worker = Task.Run(DrainAsync);

    /// <summary>Called under the account's write lock: must not block.</summary>
    public void Enqueue(StripeAccount account, StripeEvent ev)
    {
        Interlocked.Increment(ref _inFlight);
        _queue.Writer.TryWrite((account, ev));
    }

    /// <summary>Waits until automatic deliveries queued so far have been attempted.</summary>
    public async Task WaitIdleAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (Volatile.Read(ref _inFlight) > 0 && DateTime.UtcNow < deadline) await Task.Delay(10);
    }

    public async Task DeliverAsync(StripeAccount account, IReadOnlyList<StripeEvent> events, WebhookDeliveryOptions options, CancellationToken cancellation)
    {
        var batch = events.SelectMany(e => Enumerable.Repeat(e, 1 + options.Duplicates)).ToList();
        if (options.Shuffle) new Random(options.ShuffleSeed).Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(batch));
        if (options.Delay > TimeSpan.Zero) await Task.Delay(options.Delay, cancellation);
        foreach (var ev in batch)
        {
            if (options.Drop) { account.Webhook.Record(new WebhookDelivery(ev.Id, ev.Type, DateTimeOffset.UtcNow, null, true, Dropped: true)); continue; }
            await SendAsync(account, ev, options.BadSignature, cancellation);
        }
    }

    private async Task DrainAsync()
    {
        try
        {
            await foreach (var (account, ev) in _queue.Reader.ReadAllAsync(_stopping.Token))
            {
                try
                {
                    if (account.Faults.Roll(f => f.WebhookDropRate))
                        account.Webhook.Record(new WebhookDelivery(ev.Id, ev.Type, DateTimeOffset.UtcNow, null, true, Dropped: true));
                    else
                        await SendAsync(account, ev, badSignature: false, _stopping.Token);
                }
                finally { Interlocked.Decrement(ref _inFlight); }
            }
        }
        catch (OperationCanceledException) { }
    }

    private async Task SendAsync(StripeAccount account, StripeEvent ev, bool badSignature, CancellationToken cancellation)
    {
        var endpoint = account.Webhook;
        if (endpoint.Url is not { } url) return;
        var payload = Encoding.UTF8.GetString(account.Read(() => EventJson.ToBytes(ev)));
        var secret = badSignature ? endpoint.Secret + "_wrong" : endpoint.Secret;
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(payload, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", WebhookSigner.Sign(payload, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        request.Headers.UserAgent.ParseAdd("Stripe/1.0 (+https://stripe.com/docs/webhooks)");
        int? status = null;
        try
        {
            using var response = await _http.SendAsync(request, cancellation);
            status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode && !badSignature)
                account.Write(() => ev.PendingWebhooks = Math.Max(0, ev.PendingWebhooks - 1));
        }
        catch (HttpRequestException) { }
        catch (TaskCanceledException) when (!cancellation.IsCancellationRequested) { }
        endpoint.Record(new WebhookDelivery(ev.Id, ev.Type, DateTimeOffset.UtcNow, status, !badSignature, Dropped: false));
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stopping.CancelAsync();
        try { await _worker; } catch (OperationCanceledException) { }
        _http.Dispose();
        _stopping.Dispose();
    }
}
