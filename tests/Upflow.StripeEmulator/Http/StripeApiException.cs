using System.Net;

namespace Upflow.StripeEmulator.Http;

/// <summary>An error Stripe would return, rendered as { "error": { type, code, message, param } }.</summary>
public sealed class StripeApiException(HttpStatusCode status, string type, string message, string? code = null, string? param = null)
    : Exception(message)
{
    public HttpStatusCode Status { get; } = status;
    public string Type { get; } = type;
    public string? Code { get; } = code;
    public string? Param { get; } = param;

    public static StripeApiException InvalidRequest(string message, string? code = null, string? param = null) =>
        new(HttpStatusCode.BadRequest, "invalid_request_error", message, code, param);

    /// <summary>Stripe's wording for an unknown id: "No such invoice: 'in_123'".</summary>
    public static StripeApiException NoSuch(string noun, string id, string param = "id", HttpStatusCode status = HttpStatusCode.NotFound) =>
        new(status, "invalid_request_error", $"No such {noun}: '{id}'", "resource_missing", param);

    public static StripeApiException UnknownParameter(string name) =>
        InvalidRequest($"Received unknown parameter: {name}", "parameter_unknown", name);
}
