using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Upflow.Orleans.Accounts;
using Upflow.Orleans.Api.Auth;
using Upflow.Orleans.Api.Http;
using Upflow.Orleans.Organizations;

namespace Upflow.Orleans.Api.Organizations;

public static class OrganizationEndpoints
{
    private const int MaxNameLength = 200;

    public static IEndpointRouteBuilder MapOrganizationEndpoints(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/organizations", Create)
            .RequireAuthorization(UpflowClaims.AdminPolicy)
            .WithTags("Organizations").WithName("CreateOrganization");

        var organization = routes.MapGroup("/v1/organization")
            .RequireAuthorization(UpflowClaims.OrganizationPolicy)
            .WithTags("Organizations");
        organization.MapGet("", Get).WithName("GetOrganization");
        organization.MapPatch("", Update).WithName("UpdateOrganization");
        return routes;
    }

    private static async Task<Results<Created<CreatedOrganizationResponse>, ProblemHttpResult>> Create(
        CreateOrganizationRequest request, IGrainFactory grains)
    {
        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > MaxNameLength)
            return Problems.Validation($"'name' must be 1 to {MaxNameLength} characters.", "invalid_name");
        if (!TimeZones.IsIana(request.TimeZone))
            return Problems.Validation($"'timeZone' must be an IANA time zone id such as 'Europe/Paris'; got '{request.TimeZone}'.", "invalid_time_zone");

        var id = OrganizationId.New();
        var created = await grains.GetGrain<IOrganizationGrain>(id).Create(request.Name, request.TimeZone);
        var profile = created.Profile;
        return TypedResults.Created("/v1/organization",
            new CreatedOrganizationResponse(profile.Id, profile.Name, profile.TimeZone, Instants.InZone(profile.CreatedAt, profile.TimeZone), created.ApiKey));
    }

    private static async Task<Results<Ok<OrganizationResponse>, ProblemHttpResult>> Get(ClaimsPrincipal user, IGrainFactory grains)
    {
        var profile = await grains.GetGrain<IOrganizationGrain>(UpflowClaims.OrganizationIdOf(user)).Get();
        return profile is null ? Problems.NotFound("This organization no longer exists.") : TypedResults.Ok(await OrganizationResponse.ReadAsync(grains, profile));
    }

    private static async Task<Results<Ok<OrganizationResponse>, ProblemHttpResult>> Update(
        UpdateOrganizationRequest request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var grain = grains.GetGrain<IOrganizationGrain>(UpflowClaims.OrganizationIdOf(user));
        if (request.TimeZone is null)
            return await grain.Get() is { } unchanged ? TypedResults.Ok(await OrganizationResponse.ReadAsync(grains, unchanged)) : Problems.NotFound("This organization no longer exists.");
        if (!TimeZones.IsIana(request.TimeZone))
            return Problems.Validation($"'timeZone' must be an IANA time zone id such as 'Europe/Paris'; got '{request.TimeZone}'.", "invalid_time_zone");
        return TypedResults.Ok(await OrganizationResponse.ReadAsync(grains, await grain.ChangeTimeZone(request.TimeZone)));
    }
}

public sealed record CreateOrganizationRequest(string Name, string TimeZone);

public sealed record UpdateOrganizationRequest(string? TimeZone);

public sealed record CreatedOrganizationResponse(string Id, string Name, string TimeZone, DateTimeOffset CreatedAt, string ApiKey);

public sealed record StripeConnectionSummary(bool Connected, string? AccountId);

public sealed record OrganizationResponse(string Id, string Name, string TimeZone, DateTimeOffset CreatedAt, StripeConnectionSummary Stripe)
{
    public static async Task<OrganizationResponse> ReadAsync(IGrainFactory grains, OrganizationProfile profile)
    {
        var sync = await grains.GetGrain<IStripeAccountGrain>(profile.Id).GetStatus();
        var connected = sync.State != SyncStates.NotConnected;
        return new(profile.Id, profile.Name, profile.TimeZone, Instants.InZone(profile.CreatedAt, profile.TimeZone),
            new StripeConnectionSummary(connected, connected ? sync.AccountId : null));
    }
}
