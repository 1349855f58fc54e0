using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Upflow.Orleans.Tests.Infrastructure;
using Upflow.Orleans.Webhooks;
using Upflow.StripeEmulator.Mutations;

namespace Upflow.Orleans.Tests.Webhooks;

/// <summary>A product where two deliveries in flight make a burst, and an event waits at most five seconds for it to pass.</summary>
public sealed class BurstApp : WebhookApp
{
    public static readonly TimeSpan ApplyDelay = TimeSpan.FromSeconds(5);

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
        [.. base.Settings(), new("Upflow:BurstDeliveries", "2"), new("Upflow:BurstApplyDelay", ApplyDelay.ToString())];
}

public sealed class BurstTests(BurstApp app) : IClassFixture<BurstApp>
{
    private StripeEmulator.StripeEmulator Stripe => app.Stripe;

    [Fact]
    public async Task During_a_burst_of_deliveries_events_are_acknowledged_at_once_and_applied_when_it_passes_or_after_the_burst_delay()
    {
        var customer = "";
        var tenant = await app.ConnectAsync(account => customer = Stripe.CreateCustomer(account.Id, new NewCustomer { Email = "before@acme.test", Name = "Burst" }), autoDeliver: false);
        await app.WaitForFirstCatchUpAsync(tenant.Client, tenant.AccountId); // else it may list the update first, and the webhook is a duplicate
        Stripe.Clock.Advance(TimeSpan.FromSeconds(1));

        // Two deliveries in flight: a burst. (Held here: the in-memory server only calls the endpoint once a body is complete.)
        var deliveries = app.Services.GetRequiredService<WebhookDeliveries>();
        var burst = new[] { deliveries.Begin(), deliveries.Begin() };

        // Acknowledged at once, applied only once the burst delay has passed.
        var sent = Stopwatch.StartNew();
        Assert.Equal("recorded", await PostUpdateAsync(tenant, customer, "during@acme.test"));
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        Assert.Equal("before@acme.test", await EmailAsync(tenant, customer));
        await Eventually.Until(async () => await EmailAsync(tenant, customer) == "during@acme.test", "the event applied during the burst", TimeSpan.FromSeconds(30));
        Assert.True(sent.Elapsed >= BurstApplyDelayTolerance(), $"applied {sent.Elapsed} after its acknowledgement, during the burst");

        // When the burst passes, waiting events are applied without waiting out the delay.
        sent.Restart();
        Assert.Equal("recorded", await PostUpdateAsync(tenant, customer, "after@acme.test"));
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal("during@acme.test", await EmailAsync(tenant, customer));
        foreach (var delivery in burst) delivery.Dispose();
        await Eventually.Until(async () => await EmailAsync(tenant, customer) == "after@acme.test", "the event applied after the burst", TimeSpan.FromSeconds(30));
        Assert.True(sent.Elapsed < BurstApp.ApplyDelay, $"applied {sent.Elapsed} after its acknowledgement although the burst had passed");
    }

    /// <summary>The event's wait starts when it is queued, just after the stopwatch: allow for clock granularity only.</summary>
    private static TimeSpan BurstApplyDelayTolerance() => BurstApp.ApplyDelay - TimeSpan.FromMilliseconds(100);

    /// <summary>A customer.updated event as Stripe would send it, taken from the emulator (which does not deliver it), signed and posted.</summary>
    private async Task<string?> PostUpdateAsync(WebhookApp.Tenant tenant, string customer, string email)
    {
        Stripe.UpdateCustomer(tenant.AccountId, customer, new CustomerUpdate { Email = email });
        var (eventId, _) = Stripe.Events(tenant.AccountId).Last(e => e.Type == "customer.updated");
        var response = await app.PostSignedAsync(tenant, await app.EventPayloadAsync(tenant.SecretKey, eventId));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString();
    }

    private static async Task<string?> EmailAsync(WebhookApp.Tenant tenant, string customer) =>
        (await tenant.Client.GetFromJsonAsync<JsonElement>($"/v1/customers/{customer}")).GetProperty("email").GetString();
}
