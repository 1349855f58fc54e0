using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.Routing;
using Upflow.Orleans.Accounts;
using Upflow.Orleans.Api.Auth;
using Upflow.Orleans.Api.Http;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Webhooks;

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
        ConnectStripeRequest request, ClaimsPrincipal user, IGrainFactory grains, EventLog events)
    {
        if (string.IsNullOrWhiteSpace(request.SecretKey))
            return Problems.Validation("'secretKey' is required.", "invalid_secret_key");
        if (string.IsNullOrWhiteSpace(request.WebhookSecret))
            return Problems.Validation("'webhookSecret' is required.", "invalid_webhook_secret");

        var organization = UpflowClaims.OrganizationIdOf(user);
        var account = grains.GetGrain<IStripeAccountGrain>(organization);
        var outcome = await account.Connect(request.SecretKey.Trim(), request.WebhookSecret.Trim());
        if (outcome.StripeUnreachable)
            return Problems.Create(StatusCodes.Status502BadGateway, "Stripe could not be reached.",
                $"The key could not be checked: {outcome.Error} Nothing was changed; try again.", "stripe_unavailable");
        if (!outcome.Accepted)
            return Problems.Validation($"Stripe refused the key: {outcome.Error}", "stripe_key_rejected");
        return TypedResults.Accepted("/v1/stripe/sync", await SyncResponse.ReadAsync(grains, organization, events));
    }

    private static async Task<NoContent> Disconnect(ClaimsPrincipal user, IGrainFactory grains)
    {
        await grains.GetGrain<IStripeAccountGrain>(UpflowClaims.OrganizationIdOf(user)).Disconnect();
        return TypedResults.NoContent();
    }

    private static async Task<Ok<SyncResponse>> GetSync(ClaimsPrincipal user, IGrainFactory grains, EventLog events) =>
        TypedResults.Ok(await SyncResponse.ReadAsync(grains, UpflowClaims.OrganizationIdOf(user), events));

    private static async Task<Results<Accepted<SyncResponse>, ProblemHttpResult>> StartSync(
        [FromBody(EmptyBodyBehavior = EmptyBodyBehavior.Allow)] StartSyncRequest? request,
        ClaimsPrincipal user, IGrainFactory grains, EventLog events)
    {
        // The body is optional: no body means a full sync, as the contract's default.
        var mode = request?.Mode ?? "full";
        if (mode is not ("full" or "events"))
            return Problems.Validation($"'mode' must be 'full' or 'events'; got '{mode}'.", "invalid_mode");

        var organization = UpflowClaims.OrganizationIdOf(user);
        var account = grains.GetGrain<IStripeAccountGrain>(organization);
        var started = mode == "full" ? await account.StartFullSync() : await account.StartCatchUp();
        if (!started)
            return Problems.Create(StatusCodes.Status409Conflict, "Conflict.", "Stripe is not connected.", "not_connected");
        return TypedResults.Accepted("/v1/stripe/sync", await SyncResponse.ReadAsync(grains, organization, events));
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
    double? LagSeconds,
    long PendingEvents,
    string? LastError,
    SettingsProgress Settings)
{
    /// <remarks>
    /// lastEventAt is Stripe's creation time of the newest event received (webhook or catch-up).
    /// lagSeconds is how far the ledger trails Stripe: while events wait to be applied, the age of
    /// the oldest of them; otherwise the time the newest event took from Stripe creating it to its
    /// grain applying it (null before the first event). pendingEvents counts events acknowledged but
    /// not yet applied. settings is the latest settings change being applied to the objects already
    /// synced (see SettingsProgress).
    /// </remarks>
    public static async Task<SyncResponse> ReadAsync(IGrainFactory grains, string organizationId, EventLog events)
    {
        var profile = await grains.GetGrain<IOrganizationGrain>(organizationId).Get();
        var status = await grains.GetGrain<IStripeAccountGrain>(organizationId).GetStatus();
        var stream = await events.ReadStatusAsync(organizationId);
        var rederivation = await grains.GetGrain<IRederivationGrain>(organizationId).GetStatus();
        var zone = profile?.TimeZone ?? "UTC";
        var lastEventAt = stream.LastEventAt is { } seen && (status.LastEventAt is null || seen > status.LastEventAt) ? seen : status.LastEventAt;
        return new SyncResponse(status.State,
            Instants.InZone(status.StartedAt, zone), Instants.InZone(status.CompletedAt, zone),
            status.Progress, status.Skipped, Instants.InZone(lastEventAt, zone), stream.LagSeconds, stream.WaitingEvents, status.LastError,
            new SettingsProgress(rederivation.State, rederivation.Applied, rederivation.Total,
                Instants.InZone(rederivation.StartedAt, zone), Instants.InZone(rederivation.CompletedAt, zone)));
    }
}

/// <summary>
/// The latest change of custom-field or contact-field settings, applied in the background to every
/// object already synced. state: applying | applied (also before any change); applied of total
/// objects (customers, invoices, payments whose derived fields the change touches) re-derived so far;
/// startedAt/completedAt of that change, null before the first one.
/// </summary>
public sealed record SettingsProgress(string State, long Applied, long Total, DateTimeOffset? StartedAt, DateTimeOffset? CompletedAt);
