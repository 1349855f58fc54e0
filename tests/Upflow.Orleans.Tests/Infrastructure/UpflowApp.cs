using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Upflow.Orleans.Tests.Infrastructure;

/// <summary>The real host (silo + API) on a fresh database, served in memory.</summary>
public class UpflowApp : IAsyncLifetime
{
    public const string AdminKey = "test-admin-key-0123456789";

    private readonly TestDatabase _database = new();
    private WebApplicationFactory<Program> _factory = null!;

    public TestDatabase Database => _database;

    public static string NewEncryptionKey() => Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    /// <summary>Configuration beyond the database, ports and keys, e.g. Stripe:ApiBase.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings() => [];

    protected virtual Task BeforeStartAsync() => Task.CompletedTask;

    /// <summary>Service overrides, e.g. Orleans' ReminderOptions for reminders faster than a minute.</summary>
    protected virtual void ConfigureServices(IServiceCollection services) { }

    protected virtual Task AfterStopAsync() => Task.CompletedTask;

    /// <summary>Factory options before the host starts, e.g. Kestrel on a TCP port for a real browser.</summary>
    protected virtual void ConfigureFactory(WebApplicationFactory<Program> factory) { }

    protected virtual Task AfterStartAsync() => Task.CompletedTask;

    /// <summary>The in-memory server's handler: what an in-process caller (the Stripe emulator's webhooks) sends through.</summary>
    public HttpMessageHandler ServerHandler() => _factory.Server.CreateHandler();

    /// <summary>The running host's services.</summary>
    public IServiceProvider Services => _factory.Services;

    public async Task InitializeAsync()
    {
        await BeforeStartAsync();
        await _database.InitializeAsync();
        await StartAsync();
    }

    /// <summary>Starts the host on the fixture's database: again after <see cref="StopAsync"/>, a silo restart.</summary>
    public async Task StartAsync()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Test");
            web.UseSetting("ConnectionStrings:Upflow", _database.ConnectionString);
            web.UseSetting("Upflow:AdminKey", AdminKey);
            web.UseSetting("Orleans:ClusterId", "test-" + Guid.NewGuid().ToString("N")[..8]);
            web.UseSetting("Orleans:SiloPort", FreePorts.Next().ToString());
            web.UseSetting("Orleans:GatewayPort", FreePorts.Next().ToString());
            web.UseSetting("Upflow:EncryptionKey", NewEncryptionKey());
            foreach (var (key, value) in Settings()) web.UseSetting(key, value);
            web.ConfigureServices(ConfigureServices);
        });
        ConfigureFactory(_factory);
        using var client = _factory.CreateClient();
        (await client.GetAsync("/health/ready")).EnsureSuccessStatusCode();
        await AfterStartAsync();
    }

    /// <summary>Stops the host the way SIGTERM does (a graceful host stop), keeping the database.</summary>
    public async Task StopAsync() => await _factory.DisposeAsync();

    public async Task DisposeAsync()
    {
        await _factory.DisposeAsync();
        await _database.DisposeAsync();
        await AfterStopAsync();
    }

    public HttpClient Client(string? key = null)
    {
        var client = _factory.CreateClient();
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    public HttpClient Admin() => Client(AdminKey);

    public async Task<CreatedOrganization> CreateOrganizationAsync(string name = "Acme", string timeZone = "Europe/Paris")
    {
        var response = await Admin().PostAsJsonAsync("/v1/organizations", new { name, timeZone });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedOrganization>())!;
    }

    public sealed record CreatedOrganization(string Id, string Name, string TimeZone, string ApiKey);
}
