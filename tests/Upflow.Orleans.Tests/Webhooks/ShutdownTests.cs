using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Upflow.Orleans.Tests.Infrastructure;
using Upflow.StripeEmulator.Generation;
using Upflow.StripeEmulator.Mutations;
using Upflow.StripeEmulator.Webhooks;

namespace Upflow.Orleans.Tests.Webhooks;

public sealed class ShutdownTests(WebhookApp app) : IClassFixture<WebhookApp>
{
    [Fact]
    public void The_web_server_stops_before_the_silo_so_in_flight_webhooks_finish_while_grains_are_there()
    {
        // Hosted services stop in reverse order: the server (Kestrel: stop accepting, finish requests) must be last registered.
        var hosted = app.Services.GetServices<IHostedService>().Select(service => service.GetType().Name).ToList();
        var server = hosted.IndexOf("GenericWebHostService");
        var silo = hosted.FindIndex(name => name.Contains("Silo", StringComparison.Ordinal));
        Assert.True(server >= 0 && silo >= 0, string.Join(", ", hosted));
        Assert.True(server > silo, "The web server would stop after the silo: " + string.Join(", ", hosted));
    }

    [Fact]
    public async Task No_acknowledged_webhook_event_is_lost_when_the_silo_stops_mid_delivery()
    {
        var tenant = await app.ConnectAsync(autoDeliver: false);
        for (var i = 0; i < 300; i++)
            app.Stripe.CreateCustomer(tenant.AccountId, new NewCustomer { Email = $"c{i}@stop.test", Name = $"Stop {i}" });
        var events = app.Stripe.Events(tenant.AccountId).Where(e => e.Type == "customer.created").Select(e => e.Id).ToList();
        Assert.Equal(300, events.Count);
        var payloads = await Task.WhenAll(events.Select(id => app.EventPayloadAsync(tenant.SecretKey, id)));

        // Stripe delivers concurrently; the silo is told to stop once a third have been acknowledged.
        var acknowledged = new System.Collections.Concurrent.ConcurrentBag<string>();
        var third = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = app.Client();
        using var concurrency = new SemaphoreSlim(16);
        var deliveries = events.Zip(payloads).Select(async pair =>
        {
            await concurrency.WaitAsync();
            try
            {
                var (eventId, payload) = pair;
                using var content = new StringContent(payload, Encoding.UTF8, "application/json");
                using var request = new HttpRequestMessage(HttpMethod.Post, WebhookApp.WebhookUrl(tenant.OrganizationId)) { Content = content };
                request.Headers.TryAddWithoutValidation("Stripe-Signature", WebhookSigner.Sign(payload, tenant.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
                using var response = await client.SendAsync(request);
                if (response.StatusCode != HttpStatusCode.OK) return;
                acknowledged.Add(eventId);
                if (acknowledged.Count >= events.Count / 3) third.TrySetResult();
            }
            catch (Exception)
            {
                // The host is gone: Stripe sees a failure and would retry; nothing was acknowledged.
            }
            finally
            {
                concurrency.Release();
            }
        }).ToList();

        await third.Task.WaitAsync(TimeSpan.FromSeconds(60));
        try
        {
            await app.StopAsync();
        }
        finally
        {
            await Task.WhenAll(deliveries);
            // Every acknowledged event is recorded and, after a restart on the same database, applied.
            await app.StartAsync();
        }
        Assert.InRange(acknowledged.Count, events.Count / 3, events.Count);

        var client2 = app.Client(tenant.Client.DefaultRequestHeaders.Authorization!.Parameter);
        await app.WaitUntilAppliedAsync(tenant.OrganizationId, acknowledged.Count, TimeSpan.FromSeconds(30));
        var outcomes = await app.EventOutcomesAsync(tenant.OrganizationId);
        Assert.All(acknowledged, id => Assert.Equal("applied", outcomes.GetValueOrDefault(id)));
        var customerOf = events.Zip(payloads).ToDictionary(pair => pair.First,
            pair => System.Text.Json.JsonDocument.Parse(pair.Second).RootElement.GetProperty("data").GetProperty("object").GetProperty("id").GetString()!);
        var ledger = (await SyncApp.ReadAllAsync(client2, "/v1/customers")).Select(c => c.GetProperty("id").GetString()!).ToHashSet();
        Assert.Subset(ledger, acknowledged.Select(id => customerOf[id]).ToHashSet());
    }
}
