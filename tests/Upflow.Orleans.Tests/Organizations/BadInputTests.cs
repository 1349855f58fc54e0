using System.Net;
using System.Net.Http.Json;
using System.Text;
using Upflow.Orleans.Tests.Infrastructure;

namespace Upflow.Orleans.Tests.Organizations;

[Collection(ApiCollection.Name)]
public sealed class BadInputTests(UpflowApp app)
{
    [Theory]
    [InlineData("{\"name\": \"Acme\", \"timeZone\": ", "malformed_json")]
    [InlineData("not json at all", "malformed_json")]
    [InlineData("{\"name\": 42, \"timeZone\": \"UTC\"}", "malformed_json")]
    [InlineData("{\"name\": \"Acme\", \"timeZone\": \"UTC\", \"plan\": \"gold\"}", "malformed_json")]
    [InlineData("{\"timeZone\": \"UTC\"}", "malformed_json")]
    [InlineData("{\"name\": null, \"timeZone\": \"UTC\"}", "malformed_json")]
    [InlineData("{\"name\": \"  \", \"timeZone\": \"UTC\"}", "invalid_name")]
    public async Task A_bad_organization_body_is_400_problem_and_nothing_is_stored(string body, string code)
    {
        var before = await app.Database.CountAsync("upflow_api_keys");

        var response = await app.Admin().PostAsync("/v1/organizations", new StringContent(body, Encoding.UTF8, "application/json"));

        var detail = await response.AssertProblemAsync(HttpStatusCode.BadRequest, code);
        Assert.False(string.IsNullOrWhiteSpace(detail));
        Assert.Equal(before, await app.Database.CountAsync("upflow_api_keys"));
    }

    [Fact]
    public async Task A_body_over_1_MiB_is_413_problem_and_nothing_is_stored()
    {
        var before = await app.Database.CountAsync("upflow_api_keys");
        var body = $"{{\"name\": \"{new string('a', 1024 * 1024)}\", \"timeZone\": \"UTC\"}}";

        var response = await app.Admin().PostAsync("/v1/organizations", new StringContent(body, Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        Assert.Equal(before, await app.Database.CountAsync("upflow_api_keys"));
    }

    [Fact]
    public async Task An_unknown_query_parameter_is_400_problem()
    {
        var created = await app.CreateOrganizationAsync();

        var response = await app.Client(created.ApiKey).GetAsync("/v1/organization?verbose=true");

        var detail = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "unknown_query_parameter");
        Assert.Contains("verbose", detail);
    }

    [Theory]
    [InlineData("/v1/invoices?status=OVERDUE,PAID")]
    [InlineData("/v1/invoices?status=2")]
    [InlineData("/v1/invoices?status=overdue")]
    [InlineData("/v1/invoices?status=%20PAID")]
    [InlineData("/v1/payments?exportStatus=failed")]
    [InlineData("/v1/contacts?source=crm")]
    public async Task An_unknown_filter_value_is_400_problem_never_another_filter(string path)
    {
        var created = await app.CreateOrganizationAsync();

        var response = await app.Client(created.ApiKey).GetAsync(path);

        var detail = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_filter");
        Assert.Contains("must be", detail);
    }

    [Theory]
    [InlineData("{\"mode\": ", "malformed_json")]
    [InlineData("{\"mode\": \"full\", \"force\": true}", "malformed_json")]
    [InlineData("[\"full\"]", "malformed_json")]
    [InlineData("{\"mode\": \"weekly\"}", "invalid_mode")]
    public async Task A_bad_sync_request_body_is_400_problem(string body, string code)
    {
        var created = await app.CreateOrganizationAsync();

        var response = await app.Client(created.ApiKey).PostAsync("/v1/stripe/sync", new StringContent(body, Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, code);
    }

    [Fact]
    public async Task An_unknown_route_is_404_problem()
    {
        var created = await app.CreateOrganizationAsync();
        var response = await app.Client(created.ApiKey).GetAsync("/v1/nothing-here");
        await response.AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }
}
