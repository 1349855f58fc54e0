using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Upflow.Orleans.Tests.Infrastructure;

namespace Upflow.Orleans.Tests.Organizations;

[Collection(ApiCollection.Name)]
public sealed class OrganizationApiTests(UpflowApp app)
{
    [Fact]
    public async Task Creating_an_organization_returns_its_key_once_and_the_key_reads_it()
    {
        var response = await app.Admin().PostAsJsonAsync("/v1/organizations", new { name = "Acme SAS", timeZone = "Europe/Paris" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var created = (await response.Content.ReadFromJsonAsync<UpflowApp.CreatedOrganization>())!;
        Assert.StartsWith("org_", created.Id);
        Assert.StartsWith("upf_", created.ApiKey);
        Assert.Equal("Acme SAS", created.Name);

        using var read = JsonDocument.Parse(await app.Client(created.ApiKey).GetStringAsync("/v1/organization"));
        var organization = read.RootElement;
        Assert.Equal(created.Id, organization.GetProperty("id").GetString());
        Assert.Equal("Europe/Paris", organization.GetProperty("timeZone").GetString());
        Assert.False(organization.GetProperty("stripe").GetProperty("connected").GetBoolean());
        Assert.False(organization.TryGetProperty("apiKey", out _), "The key is shown only at creation.");
    }

    [Fact]
    public async Task The_key_is_stored_hashed_never_in_clear()
    {
        var created = await app.CreateOrganizationAsync();
        var secret = created.ApiKey.Split('_')[2];

        await using var connection = new Npgsql.NpgsqlConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            "SELECT count(*) FROM upflow_api_keys WHERE organization_id = $1 AND position(convert_to($2, 'UTF8') in hash) = 0", connection);
        command.Parameters.Add(new() { Value = created.Id });
        command.Parameters.Add(new() { Value = secret });
        Assert.Equal(1L, (long)(await command.ExecuteScalarAsync())!);
        await using var dump = new Npgsql.NpgsqlCommand("SELECT string_agg(t::text, '') FROM upflow_api_keys t", connection);
        Assert.DoesNotContain(secret, (string)(await dump.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task Changing_the_time_zone_renders_times_in_the_new_zone()
    {
        var created = await app.CreateOrganizationAsync(timeZone: "UTC");
        var client = app.Client(created.ApiKey);

        var response = await client.PatchAsJsonAsync("/v1/organization", new { timeZone = "Asia/Tokyo" });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("Asia/Tokyo", json.RootElement.GetProperty("timeZone").GetString());
        Assert.EndsWith("+09:00", json.RootElement.GetProperty("createdAt").GetString());
        using var again = JsonDocument.Parse(await client.GetStringAsync("/v1/organization"));
        Assert.Equal("Asia/Tokyo", again.RootElement.GetProperty("timeZone").GetString());
    }

    [Fact]
    public async Task Each_key_sees_only_its_own_organization()
    {
        var first = await app.CreateOrganizationAsync("First", "Europe/Paris");
        var second = await app.CreateOrganizationAsync("Second", "America/New_York");

        await app.Client(second.ApiKey).PatchAsJsonAsync("/v1/organization", new { timeZone = "Asia/Tokyo" });

        using var firstView = JsonDocument.Parse(await app.Client(first.ApiKey).GetStringAsync("/v1/organization"));
        Assert.Equal(first.Id, firstView.RootElement.GetProperty("id").GetString());
        Assert.Equal("Europe/Paris", firstView.RootElement.GetProperty("timeZone").GetString());
        using var secondView = JsonDocument.Parse(await app.Client(second.ApiKey).GetStringAsync("/v1/organization"));
        Assert.Equal(second.Id, secondView.RootElement.GetProperty("id").GetString());
        Assert.Equal("Asia/Tokyo", secondView.RootElement.GetProperty("timeZone").GetString());
    }

    [Theory]
    [InlineData("Paris")]
    [InlineData("Romance Standard Time")]
    [InlineData("+02:00")]
    [InlineData("")]
    public async Task A_time_zone_that_is_not_IANA_is_refused_and_nothing_is_created(string timeZone)
    {
        var before = await app.Database.CountAsync("upflow_api_keys");

        var response = await app.Admin().PostAsJsonAsync("/v1/organizations", new { name = "Acme", timeZone });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_time_zone");
        Assert.Equal(before, await app.Database.CountAsync("upflow_api_keys"));
    }

    [Fact]
    public async Task A_bad_time_zone_change_is_refused_and_the_zone_stays()
    {
        var created = await app.CreateOrganizationAsync(timeZone: "Europe/Paris");
        var client = app.Client(created.ApiKey);

        var response = await client.PatchAsJsonAsync("/v1/organization", new { timeZone = "Mars/Olympus" });

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_time_zone");
        using var json = JsonDocument.Parse(await client.GetStringAsync("/v1/organization"));
        Assert.Equal("Europe/Paris", json.RootElement.GetProperty("timeZone").GetString());
    }
}
