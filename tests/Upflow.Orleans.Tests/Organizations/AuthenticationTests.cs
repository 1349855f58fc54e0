using System.Net;
using System.Net.Http.Json;
using Upflow.Orleans.Tests.Infrastructure;

namespace Upflow.Orleans.Tests.Organizations;

[Collection(ApiCollection.Name)]
public sealed class AuthenticationTests(UpflowApp app)
{
    [Fact]
    public async Task No_key_is_401_problem()
    {
        var response = await app.Client().GetAsync("/v1/organization");
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Theory]
    [InlineData("upf_000000000000_0000000000000000000000000000000000000000")]
    [InlineData("not-a-key")]
    public async Task Unknown_key_is_401_problem(string key)
    {
        var response = await app.Client(key).GetAsync("/v1/organization");
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_tampered_key_is_401_even_after_the_real_one_was_used()
    {
        var created = await app.CreateOrganizationAsync();
        (await app.Client(created.ApiKey).GetAsync("/v1/organization")).EnsureSuccessStatusCode();
        var tampered = created.ApiKey[..^1] + (created.ApiKey[^1] == 'a' ? 'b' : 'a');

        var response = await app.Client(tampered).GetAsync("/v1/organization");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task An_organization_key_on_an_admin_endpoint_is_403_and_creates_nothing()
    {
        var created = await app.CreateOrganizationAsync();
        var before = await app.Database.CountAsync("upflow_api_keys");

        var response = await app.Client(created.ApiKey).PostAsJsonAsync("/v1/organizations", new { name = "Sneaky", timeZone = "UTC" });

        await response.AssertProblemAsync(HttpStatusCode.Forbidden, "forbidden");
        Assert.Equal(before, await app.Database.CountAsync("upflow_api_keys"));
    }

    [Fact]
    public async Task The_admin_key_is_not_an_organization_key()
    {
        var response = await app.Admin().GetAsync("/v1/organization");
        await response.AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }
}
