using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Upflow.Orleans.Api.Http;

/// <summary>
/// Every error the API returns is RFC 7807 problem+json with a stable <c>code</c> (and a matching
/// <c>type</c> URI), so clients branch on the code, never on the human-readable detail.
/// </summary>
public static class Problems
{
    private const string TypeBase = "https://upflow.dev/problems/";

    public static ProblemHttpResult Validation(string detail, string code = "invalid_request") =>
        Create(StatusCodes.Status400BadRequest, "The request is invalid.", detail, code);

    public static ProblemHttpResult NotFound(string detail) =>
        Create(StatusCodes.Status404NotFound, "Not found.", detail, "not_found");

    public static ProblemHttpResult Conflict(string detail, string code = "conflict") =>
        Create(StatusCodes.Status409Conflict, "Conflict.", detail, code);

    public static ProblemHttpResult Create(int status, string title, string? detail, string code) =>
        TypedResults.Problem(new Microsoft.AspNetCore.Mvc.ProblemDetails
        {
            Status = status,
            Title = title,
            Detail = detail,
            Type = TypeBase + code,
            Extensions = { ["code"] = code },
        });

    /// <summary>The code for a bare status code (401 from the auth handler, 404 from routing, …).</summary>
    public static (string Title, string Code) ForStatus(int status) => status switch
    {
        StatusCodes.Status400BadRequest => ("The request is invalid.", "invalid_request"),
        StatusCodes.Status401Unauthorized => ("Authentication required.", "unauthorized"),
        StatusCodes.Status403Forbidden => ("Forbidden.", "forbidden"),
        StatusCodes.Status404NotFound => ("Not found.", "not_found"),
        StatusCodes.Status405MethodNotAllowed => ("Method not allowed.", "method_not_allowed"),
        StatusCodes.Status409Conflict => ("Conflict.", "conflict"),
        StatusCodes.Status413PayloadTooLarge => ("The request body is too large.", "payload_too_large"),
        StatusCodes.Status415UnsupportedMediaType => ("Unsupported media type.", "unsupported_media_type"),
        _ when status >= 500 => ("Internal error.", "internal_error"),
        _ => ("Error.", "error"),
    };
}
