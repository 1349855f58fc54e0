using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace Upflow.Bench;

/// <summary>The HTTP API as a user drives it.</summary>
public sealed class ProductClient(Uri baseAddress, string adminKey)
{
    private readonly HttpClient _admin = Client(baseAddress, adminKey);

    public async Task<HttpClient> CreateOrganizationAsync(string name)
    {
        var response = await _admin.PostAsJsonAsync("/v1/organizations", new { name, timeZone = "Europe/Paris" });
        response.EnsureSuccessStatusCode();
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        return Client(baseAddress, created.GetProperty("apiKey").GetString()!);
    }

    /// <summary>The signing secret every bench organization connects with: the bench signs its own webhooks with it.</summary>
    public const string WebhookSecret = "whsec_bench";

    public static async Task ConnectAsync(HttpClient organization, string secretKey)
    {
        var response = await organization.PutAsJsonAsync("/v1/stripe/connection", new { secretKey, webhookSecret = WebhookSecret });
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Connecting failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    public static async Task<SyncReading> ReadSyncAsync(HttpClient organization)
    {
        var sync = await organization.GetFromJsonAsync<JsonElement>("/v1/stripe/sync");
        var progress = sync.GetProperty("progress");
        return new SyncReading(
            sync.GetProperty("state").GetString()!,
            progress.GetProperty("customers").GetInt64(),
            progress.GetProperty("invoices").GetInt64(),
            progress.GetProperty("payments").GetInt64(),
            sync.GetProperty("lastError").GetString());
    }

    public static async Task<string> OrganizationIdAsync(HttpClient organization) =>
        (await organization.GetFromJsonAsync<JsonElement>("/v1/organization")).GetProperty("id").GetString()!;

    /// <summary>The same organization key against another silo (a restarted one).</summary>
    public static HttpClient OnSilo(HttpClient organization, Uri baseAddress) =>
        Client(baseAddress, organization.DefaultRequestHeaders.Authorization!.Parameter!);

    private static HttpClient Client(Uri baseAddress, string key)
    {
        var client = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }
}

public sealed record SyncReading(string State, long Customers, long Invoices, long Payments, string? LastError)
{
    public long Objects => Customers + Invoices + Payments;
}
