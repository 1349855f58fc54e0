using System.Net;
using System.Text.Json;

namespace Upflow.Orleans.Tests.Infrastructure;

public static class ProblemAssertions
{
    /// <summary>Asserts a problem+json response with the given status and stable code; returns its detail.</summary>
    public static async Task<string?> AssertProblemAsync(this HttpResponseMessage response, HttpStatusCode status, string code)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(code, json.RootElement.GetProperty("code").GetString());
        Assert.Equal((int)status, json.RootElement.GetProperty("status").GetInt32());
        return json.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
    }
}
