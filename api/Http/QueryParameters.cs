using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Upflow.Orleans.Api.Http;

/// <summary>The query parameters an endpoint understands; any other is a 400, never silently ignored.</summary>
public sealed record AllowedQueryParameters(IReadOnlySet<string> Names);

public static class QueryParameterValidation
{
    public static TBuilder AllowQuery<TBuilder>(this TBuilder builder, params string[] names)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new AllowedQueryParameters(names.ToHashSet(StringComparer.Ordinal)));

    /// <summary>Rejects unknown query parameters before the endpoint runs (endpoints with no list allow none).</summary>
    public static IApplicationBuilder UseQueryParameterValidation(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            var endpoint = context.GetEndpoint();
            if (endpoint is not null && context.Request.Query.Count > 0 && endpoint.Metadata.GetMetadata<SkipQueryValidation>() is null)
            {
                var allowed = endpoint.Metadata.GetMetadata<AllowedQueryParameters>()?.Names;
                var unknown = context.Request.Query.Keys.Where(key => allowed is null || !allowed.Contains(key)).ToList();
                if (unknown.Count > 0)
                {
                    await Problems.Validation($"Unknown query parameter(s): {string.Join(", ", unknown)}.", "unknown_query_parameter")
                        .ExecuteAsync(context);
                    return;
                }
            }
            await next(context);
        });
}

/// <summary>For framework endpoints (OpenAPI, health) that define their own query handling.</summary>
public sealed class SkipQueryValidation;
