using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Upflow.StripeEmulator.Tests;

/// <summary>A real HTTP endpoint standing in for the product's webhook receiver.</summary>
internal sealed class WebhookReceiver(WebApplication app, string url) : IAsyncDisposable
{
    public string Url { get; } = url;

    public static async Task<WebhookReceiver> StartAsync(ConcurrentQueue<(string Payload, string Signature)> received)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapPost("/webhook", async (HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            received.Enqueue((await reader.ReadToEndAsync(), request.Headers["Stripe-Signature"].ToString()));
            return Results.Ok();
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new WebhookReceiver(app, address.TrimEnd('/') + "/webhook");
    }

    public async ValueTask DisposeAsync() => await app.DisposeAsync();
}
