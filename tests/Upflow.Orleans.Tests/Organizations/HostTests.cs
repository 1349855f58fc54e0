using System.Net;
using System.Text.Json;
using Upflow.Orleans.Tests.Infrastructure;

namespace Upflow.Orleans.Tests.Organizations;

[Collection(ApiCollection.Name)]
public sealed class HostTests(UpflowApp app)
{
    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_without_a_key(string path)
    {
        var response = await app.Client().GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_organization_endpoints()
    {
        using var document = JsonDocument.Parse(await app.Client().GetStringAsync("/openapi/v1.json"));
        var paths = document.RootElement.GetProperty("paths");
        Assert.True(paths.TryGetProperty("/v1/organizations", out _));
        Assert.True(paths.TryGetProperty("/v1/organization", out _));
    }
}
