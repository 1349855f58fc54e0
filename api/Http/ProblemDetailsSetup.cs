using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Upflow.Orleans.Api.Http;

internal static class ProblemDetailsSetup
{
    /// <summary>
    /// Fills every problem body (status-code pages, exceptions) with the stable code, and turns the
    /// framework's binding failures into 400/413 problems that say what was wrong.
    /// </summary>
    public static IServiceCollection AddUpflowProblemDetails(this IServiceCollection services) =>
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            var exception = context.Exception ?? context.HttpContext.Features.Get<IExceptionHandlerFeature>()?.Error;
            if (exception is BadHttpRequestException badRequest)
            {
                problem.Status = badRequest.StatusCode;
                context.HttpContext.Response.StatusCode = badRequest.StatusCode;
                problem.Detail = Describe(badRequest);
            }
            else if (exception is not null)
            {
                // Never echo an unexpected exception: it may carry internals or secrets.
                problem.Detail = null;
            }

            // Problems built by our endpoints already carry their code; framework ones get theirs here.
            if (problem.Extensions.ContainsKey("code")) return;
            var status = problem.Status ?? context.HttpContext.Response.StatusCode;
            var (title, code) = Problems.ForStatus(status);
            if (exception is BadHttpRequestException { InnerException: JsonException }) code = "malformed_json";
            problem.Title = title;
            problem.Type = "https://upflow.dev/problems/" + code;
            problem.Extensions.Remove("exception");
            problem.Extensions["code"] = code;
        });

    private static string Describe(BadHttpRequestException exception) => exception switch
    {
        { StatusCode: StatusCodes.Status413PayloadTooLarge } => "The request body exceeds the 1 MiB limit.",
        { InnerException: JsonException json } => $"The request body is not valid JSON for this endpoint: {json.Message}",
        _ => exception.Message,
    };
}
