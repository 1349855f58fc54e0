using System.Net.Http.Json;
using System.Text.Json;
using Upflow.Orleans.Tests.Infrastructure;
using Upflow.StripeEmulator.Faults;
using Upflow.StripeEmulator.Generation;

namespace Upflow.Orleans.Tests.Backfill;

/// <summary>The product with no gateway retries, so one failed Stripe call pauses the backfill.</summary>
public sealed class NoRetrySyncApp : SyncApp
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
        [.. base.Settings(), new("Stripe:MaxRetries", "0")];
}

public sealed class PausedBackfillTests(NoRetrySyncApp app) : IClassFixture<NoRetrySyncApp>
{
    [Fact]
    public async Task A_backfill_paused_by_an_unreachable_Stripe_resumes_within_seconds_not_at_the_reminder()
    {
        var account = app.Stripe.CreateAccount();
        var expected = app.Stripe.Generate(account.Id, new GenerationSpec { Seed = 31, Customers = 300, InvoicesPerCustomer = 2, UnappliedPaymentRatio = 0.2 });
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        // Every page takes a second, so the first pages are still in flight when Stripe starts failing.
        app.Stripe.ConfigureFaults(account.Id, new FaultSettings { Latency = TimeSpan.FromSeconds(1) });
        var connected = await client.PutAsJsonAsync("/v1/stripe/connection", new { secretKey = account.SecretKey, webhookSecret = "whsec_x" });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, connected.StatusCode);
        app.Stripe.ConfigureFaults(account.Id, new FaultSettings { Latency = TimeSpan.FromSeconds(1), ServerErrorRate = 1.0 });

        var paused = default(JsonElement);
        await Eventually.Until(async () =>
        {
            paused = await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync");
            return paused.GetProperty("lastError").GetString() is not null;
        }, "the backfill to pause", TimeSpan.FromSeconds(20));
        Assert.Equal("backfilling", paused.GetProperty("state").GetString());
        Assert.Equal("Stripe is unreachable; the backfill resumes automatically.", paused.GetProperty("lastError").GetString());
        app.Stripe.ConfigureFaults(account.Id, FaultSettings.None);

        // The reminder's interval is a minute: reaching live well before it means the pause retried on its own.
        var sync = await SyncApp.WaitForSyncAsync(client, "live", TimeSpan.FromSeconds(30));
        SyncApp.AssertCounted(sync, expected);
        Assert.Equal(JsonValueKind.Null, sync.GetProperty("lastError").ValueKind);
    }
}
