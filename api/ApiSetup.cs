using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Upflow.Orleans.Api.Auth;
using Upflow.Orleans.Api.Http;
using Upflow.Orleans.Api.Ledger;
using Upflow.Orleans.Api.Organizations;
using Upflow.Orleans.Api.Payments;
using Upflow.Orleans.Api.Settings;
using Upflow.Orleans.Api.Stripe;
using Upflow.Orleans.Api.Webhooks;

namespace Upflow.Orleans.Api;

public static class ApiSetup
{
    public static IServiceCollection AddUpflowApi(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddUpflowProblemDetails();
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(options => Configure(options.SerializerOptions));
        services.AddOpenApi();

        services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName,
                options => options.AdminKey = configuration["Upflow:AdminKey"]);
        services.AddAuthorizationBuilder()
            .AddPolicy(UpflowClaims.AdminPolicy, policy => policy.RequireRole(UpflowClaims.AdminRole))
            .AddPolicy(UpflowClaims.OrganizationPolicy, policy => policy.RequireClaim(UpflowClaims.OrganizationId))
            // Anything not explicitly opened (health, OpenAPI) needs a key.
            .SetFallbackPolicy(new Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build());
        return services;
    }

    /// <summary>Strict JSON: unknown members, nulls in non-nullable members and missing required members are 400s.</summary>
    public static void Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        options.RespectNullableAnnotations = true;
        options.RespectRequiredConstructorParameters = true;
    }

    public static WebApplication UseUpflowApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestBodyLimit();
        app.UseAuthentication();
        // The request's span, and the grain calls it makes (through Orleans' RequestContext), carry its organization.
        app.Use((context, next) =>
        {
            if (context.User.FindFirst(UpflowClaims.OrganizationId)?.Value is { } organizationId)
                Upflow.Orleans.Organizations.OrganizationContext.Enter(organizationId);
            return next(context);
        });
        app.UseAuthorization();
        app.UseQueryParameterValidation();

        app.MapOpenApi().AllowAnonymous().WithMetadata(new SkipQueryValidation());
        app.MapOrganizationEndpoints();
        app.MapStripeEndpoints();
        app.MapLedgerEndpoints();
        app.MapWebhookEndpoints();
        app.MapPaymentEndpoints();
        app.MapSettingsEndpoints();
        return app;
    }
}
