using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Upflow.Orleans.Accounts;
using Upflow.Orleans.Api.Auth;
using Upflow.Orleans.Api.Http;
using Upflow.Orleans.Organizations;

namespace Upflow.Orleans.Api.Stripe;

public static class StripeEndpoints
{
    public static IEndpointRouteBuilder MapStripeEndpoints(this IEndpointRouteBuilder routes)
    {
        var stripe = routes.MapGroup("/v1/stripe")
            .RequireAuthorization(UpflowClaims.OrganizationPolicy)
            .WithTags("Stripe");
        stripe.MapPut("/connection", Connect).WithName("ConnectStripe");
        stripe.MapDelete("/connection", Disconnect).WithName("DisconnectStripe");
        stripe.MapGet("/sync", GetSync).WithName("GetSync");
        stripe.MapPost("/sync", StartSync).WithName("StartSync");
        return routes;
    }

    private static async Task<Results<Accepted<SyncResponse>, ProblemHttpResult>> Connect(
        ConnectStripeRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (string.IsNullOrWhiteSpace(request.SecretKey))
            return Problems.Validation("'secretKey' is required.", "invalid_secret_key");
        if (string.IsNullOrWhiteSpace(request.WebhookSecret))
            return Problems.Validation("'webhookSecret' is required.", "invalid_webhook_secret");

        var organization = UpflowClaims.OrganizationIdOf(user);
        var account = grains.GetGrain<IStripeAccountGrain>(organization);
        var outcome = await account.Connect(request.SecretKey.Trim(), request.WebhookSecret.Trim());
        if (!outcome.Accepted)
            return Problems.Validation($"Stripe refused the key: {outcome.Error}", "stripe_key_rejected");
        return TypedResults.Accepted("/v1/stripe/sync", await SyncResponse.ReadAsync(grains, organization));
    }

    private static async Task<NoContent> Disconnect(ClaimsPrincipal user, IGrainFactory grains)
    {
        await grains.GetGrain<IStripeAccountGrain>(UpflowClaims.OrganizationIdOf(user)).Disconnect();
        return TypedResults.NoContent();
    }

    private static async Task<Ok<SyncResponse>> GetSync(ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(await SyncResponse.ReadAsync(grains, UpflowClaims.OrganizationIdOf(user)));

    private static async Task<Results<Accepted<SyncResponse>, ProblemHttpResult>> StartSync(
        HttpRequest http, ClaimsPrincipal user, IGrainFactory grains)
    {
        // The body is optional: no body means a full sync, as the contract's default.
        var request = http.ContentLength is > 0 || http.Headers.TransferEncoding.Count > 0
            ? await http.ReadFromJsonAsync<StartSyncRequest>() ?? new StartSyncRequest(null)
            : new StartSyncRequest(null);
        var mode = request.Mode ?? "full";
        if (mode is not "full")
            return Problems.Validation($"'mode' must be 'full'; got '{mode}'.", "invalid_mode");

        var organization = UpflowClaims.OrganizationIdOf(user);
        var account = grains.GetGrain<IStripeAccountGrain>(organization);
        var started = await account.StartFullSync();
        if (!started)
            return Problems.Create(StatusCodes.Status409Conflict, "Conflict.", "Stripe is not connected.", "not_connected");
        return TypedResults.Accepted("/v1/stripe/sync", await SyncResponse.ReadAsync(grains, organization));
    }
}

public sealed record ConnectStripeRequest(string SecretKey, string WebhookSecret);

public sealed record StartSyncRequest(string? Mode);

public sealed record SyncResponse(
    string State,
    DateTimeOffset? StartedAt,
    DateTimeOffset? CompletedAt,
    SyncProgress Progress,
    SyncSkipped Skipped,
    DateTimeOffset? LastEventAt,
    string? LastError)
{
    public static async Task<SyncResponse> ReadAsync(IGrainFactory grains, string organizationId)
    {
        var profile = await grains.GetGrain<IOrganizationGrain>(organizationId).Get();
        var status = await grains.GetGrain<IStripeAccountGrain>(organizationId).GetStatus();
        var zone = profile?.TimeZone ?? "UTC";
        return new SyncResponse(status.State,
            Instants.InZone(status.StartedAt, zone), Instants.InZone(status.CompletedAt, zone),
            status.Progress, status.Skipped, Instants.InZone(status.LastEventAt, zone), status.LastError);
    }
}
