using System.Net.Http.Json;
using System.Text.Json;
using Upflow.StripeEmulator;
using Upflow.StripeEmulator.Generation;

namespace Upflow.Orleans.Tests.Infrastructure;

/// <summary>The product pointed at a Stripe emulator of its own.</summary>
public class SyncApp : UpflowApp
{
    public StripeEmulator.StripeEmulator Stripe { get; private set; } = null!;

    protected override async Task BeforeStartAsync() =>
        Stripe = await StripeEmulator.StripeEmulator.StartAsync(new StripeEmulatorOptions { Seed = 7 });

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
        [new("Stripe:ApiBase", Stripe.BaseUrl)];

    protected override async Task AfterStopAsync() => await Stripe.DisposeAsync();

    /// <summary>Connects an organization to a Stripe account and waits until the sync state is reached.</summary>
    public async Task<JsonElement> ConnectAndWaitAsync(HttpClient client, string secretKey, string state = "live", TimeSpan? timeout = null)
    {
        var response = await client.PutAsJsonAsync("/v1/stripe/connection", new { secretKey, webhookSecret = "whsec_test_secret" });
        Assert.True(response.StatusCode == System.Net.HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        return await WaitForSyncAsync(client, state, timeout);
    }

    /// <summary>The sync status counts what the generated data holds: imported objects, and drafts and unapplied payments skipped.</summary>
    public static void AssertCounted(JsonElement sync, GeneratedCounts expected)
    {
        var progress = sync.GetProperty("progress");
        Assert.Equal(expected.Customers, progress.GetProperty("customers").GetInt64());
        Assert.Equal(expected.NonDraftInvoices, progress.GetProperty("invoices").GetInt64());
        Assert.Equal(expected.PaidInvoicePayments, progress.GetProperty("payments").GetInt64());
        Assert.Equal(expected.DraftInvoices, sync.GetProperty("skipped").GetProperty("draftInvoices").GetInt64());
        Assert.Equal(expected.UnappliedPayments, sync.GetProperty("skipped").GetProperty("unappliedPayments").GetInt64());
    }

    public static async Task<JsonElement> WaitForSyncAsync(HttpClient client, string state = "live", TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        JsonElement sync;
        do
        {
            sync = await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync");
            if (sync.GetProperty("state").GetString() == state) return sync;
            await Task.Delay(100);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"Sync did not reach '{state}': {sync}");
        return sync;
    }

    /// <summary>
    /// Waits until the catch-up that follows the backfill has listed the account's events (none of
    /// them delivered as webhooks): an event Stripe creates before that listing is the catch-up's to
    /// record, and its webhook would then be a duplicate.
    /// </summary>
    public async Task WaitForFirstCatchUpAsync(HttpClient client, string accountId)
    {
        var timeout = TimeSpan.FromSeconds(20);
        if (Stripe.Events(accountId).Count > 0)
        {
            // The catch-up records what it listed, and the event log's newest event shows in the status.
            await Eventually.Until(async () =>
                (await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync")).GetProperty("lastEventAt").ValueKind != JsonValueKind.Null,
                "the first catch-up to record the account's events", timeout);
            return;
        }
        // Nothing to record: only its request shows, and the listing follows it within a moment.
        await Eventually.Until(() => Task.FromResult(Stripe.RequestCount(accountId, "GET /v1/events") > 0), "the first catch-up", timeout);
        await Task.Delay(300);
    }

    /// <summary>Every item of a cursor-paginated list, following nextCursor to the end.</summary>
    public static async Task<List<JsonElement>> ReadAllAsync(HttpClient client, string path, int limit = 500)
    {
        var items = new List<JsonElement>();
        string? cursor = null;
        do
        {
            var separator = path.Contains('?') ? '&' : '?';
            var url = $"{path}{separator}limit={limit}" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = await client.GetFromJsonAsync<JsonElement>(url);
            items.AddRange(page.GetProperty("data").EnumerateArray());
            cursor = page.GetProperty("nextCursor").GetString();
        } while (cursor is not null);
        return items;
    }

    /// <summary>An event as Stripe's Events API returns it, which is what a webhook of it carries.</summary>
    public async Task<string> EventPayloadAsync(string secretKey, string eventId)
    {
        using var stripeHttp = new HttpClient();
        stripeHttp.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", secretKey);
        return await stripeHttp.GetStringAsync($"{Stripe.BaseUrl}/v1/events/{eventId}");
    }
}
