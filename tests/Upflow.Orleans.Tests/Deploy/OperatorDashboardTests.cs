using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Upflow.Orleans.Tests.Infrastructure;

namespace Upflow.Orleans.Tests.Deploy;

/// <summary>The real host on real sockets (Kestrel, not the in-memory test server), dashboard on.</summary>
public sealed class DashboardHost : IAsyncLifetime
{
    private readonly TestDatabase _database = new();
    private WebApplicationFactory<Program> _factory = null!;

    public int ApiPort { get; } = FreePorts.Next();
    public int DashboardPort { get; } = FreePorts.Next();
    public HttpClient Http { get; } = new();

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Test");
            web.UseSetting("Urls", $"http://127.0.0.1:{ApiPort}");
            web.UseSetting("Orleans:Dashboard:Enabled", "true");
            web.UseSetting("Orleans:Dashboard:Port", DashboardPort.ToString());
            web.UseSetting("ConnectionStrings:Upflow", _database.ConnectionString);
            web.UseSetting("Upflow:AdminKey", UpflowApp.AdminKey);
            web.UseSetting("Upflow:EncryptionKey", UpflowApp.NewEncryptionKey());
            web.UseSetting("Orleans:ClusterId", "test-" + Guid.NewGuid().ToString("N")[..8]);
            web.UseSetting("Orleans:SiloPort", FreePorts.Next().ToString());
            web.UseSetting("Orleans:GatewayPort", FreePorts.Next().ToString());
        });
        _factory.UseKestrel();
        _factory.StartServer();
        (await Http.GetAsync(Api("/health/ready"))).EnsureSuccessStatusCode();
    }

    public string Api(string path) => $"http://127.0.0.1:{ApiPort}{path}";

    public string Dashboard(string path) => $"http://127.0.0.1:{DashboardPort}{path}";

    public async Task DisposeAsync()
    {
        Http.Dispose();
        await _factory.DisposeAsync();
        await _database.DisposeAsync();
    }
}

public sealed class OperatorDashboardTests(DashboardHost host) : IClassFixture<DashboardHost>
{
    [Fact]
    public async Task Dashboard_page_answers_on_the_operator_port()
    {
        var response = await host.Http.GetAsync(host.Dashboard("/"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Dashboard_reports_the_running_silo_without_an_API_key()
    {
        // The dashboard grain samples the cluster once a second: the first answer may predate a sample.
        var activeHosts = 0;
        for (var attempt = 0; attempt < 40 && activeHosts == 0; attempt++)
        {
            if (attempt > 0) await Task.Delay(250);
            var response = await host.Http.GetAsync(host.Dashboard("/DashboardCounters"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var counters = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            activeHosts = counters.RootElement.GetProperty("totalActiveHostCount").GetInt32();
        }
        Assert.Equal(1, activeHosts);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/index.html")]
    [InlineData("/DashboardCounters")]
    [InlineData("/version")]
    public async Task Dashboard_is_not_served_on_the_API_port(string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, host.Api(path));
        // Routing by connection, not by Host header: claiming the operator port does not help.
        request.Headers.Host = $"127.0.0.1:{host.DashboardPort}";
        request.Headers.Authorization = new("Bearer", UpflowApp.AdminKey);
        var response = await host.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/health/ready")]
    [InlineData("/openapi/v1.json")]
    [InlineData("/v1/organizations")]
    public async Task API_is_not_served_on_the_operator_port(string path)
    {
        // Every path there answers as an unknown path does (the API's fallback policy makes that a 401).
        var unknown = await host.Http.GetAsync(host.Api("/no-such-path"));
        var response = await host.Http.GetAsync(host.Dashboard(path));
        Assert.NotEqual(HttpStatusCode.OK, unknown.StatusCode);
        Assert.Equal(unknown.StatusCode, response.StatusCode);
    }

    [Fact]
    public async Task OpenAPI_document_does_not_describe_the_dashboard()
    {
        var document = await host.Http.GetStringAsync(host.Api("/openapi/v1.json"));
        Assert.DoesNotContain("DashboardCounters", document);
    }
}
