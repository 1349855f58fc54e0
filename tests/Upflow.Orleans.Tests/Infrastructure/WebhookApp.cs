using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Stripe;

namespace Upflow.Orleans.Tests.Infrastructure;

/// <summary>
/// The product and its Stripe emulator, with the emulator's webhooks delivered through the in-memory
/// server (real signed requests on the real pipeline, no TCP), and a drain that runs every second.
/// </summary>
public class WebhookApp : SyncApp
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
        [.. base.Settings(), new("Upflow:EventDrainInterval", "00:00:01"), new("Upflow:EventDrainGrace", "00:00:01")];

    protected override Task AfterStartAsync()
    {
        Stripe.UseWebhookTransport(ServerHandler());
        return Task.CompletedTask;
    }

    public static string WebhookUrl(string organizationId) => $"http://localhost/webhooks/stripe/{organizationId}";

    /// <summary>An organization connected to a fresh emulator account whose endpoint points at it; waits until live.</summary>
    public async Task<Tenant> ConnectAsync(Action<StripeEmulator.Store.StripeAccount>? seed = null, bool autoDeliver = true, bool waitLive = true)
    {
        var account = Stripe.CreateAccount();
        seed?.Invoke(account);
        var organization = await CreateOrganizationAsync();
        var secret = Stripe.ConfigureWebhook(account.Id, WebhookUrl(organization.Id), autoDeliver: autoDeliver);
        var client = Client(organization.ApiKey);
        var response = await client.PutAsJsonAsync("/v1/stripe/connection", new { secretKey = account.SecretKey, webhookSecret = secret });
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        if (waitLive) await WaitForSyncAsync(client);
        return new Tenant(organization.Id, account.Id, account.SecretKey, secret, client);
    }

    public sealed record Tenant(string OrganizationId, string AccountId, string SecretKey, string WebhookSecret, HttpClient Client);

    public async Task<long> CountEventsAsync(string organizationId, string? where = null)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM upflow_events WHERE organization_id = $1 {(where is null ? "" : "AND " + where)}", connection);
        command.Parameters.AddWithValue(organizationId);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    public async Task<Dictionary<string, string?>> EventOutcomesAsync(string organizationId)
    {
        await using var connection = new NpgsqlConnection(Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT event_id, outcome FROM upflow_events WHERE organization_id = $1", connection);
        command.Parameters.AddWithValue(organizationId);
        var outcomes = new Dictionary<string, string?>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) outcomes[reader.GetString(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
        return outcomes;
    }

    /// <summary>Posts <paramref name="body"/> to the tenant's endpoint, signed now with its webhook secret, as Stripe would.</summary>
    public async Task<HttpResponseMessage> PostSignedAsync(Tenant tenant, string body)
    {
        using var client = Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, WebhookUrl(tenant.OrganizationId))
        {
            Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Stripe-Signature",
            Upflow.StripeEmulator.Webhooks.WebhookSigner.Sign(body, tenant.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        return await client.SendAsync(request);
    }

    /// <summary>Waits until every recorded event of the organization is applied (or given up as ignored).</summary>
    public async Task WaitUntilAppliedAsync(string organizationId, long atLeast = 0, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            if (await CountEventsAsync(organizationId) >= atLeast && await CountEventsAsync(organizationId, "applied_at IS NULL") == 0) return;
            await Task.Delay(50);
        }
        Assert.Fail($"Events of {organizationId} were not all applied in time.");
    }

    /// <summary>
    /// Makes two changes that Stripe stamps with the same second (again, in the rare case a second
    /// ends between them), and answers their events' payloads, first change first.
    /// </summary>
    public async Task<(string First, string Second)> TwoChangesInOneSecondAsync(string acct, string eventType, Action first, Action second)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            first();
            second();
            var ids = Stripe.Events(acct).Where(e => e.Type == eventType).TakeLast(2).Select(e => e.Id).ToList();
            var secretKey = Stripe.Account(acct).SecretKey;
            var payloads = (First: await EventPayloadAsync(secretKey, ids[0]), Second: await EventPayloadAsync(secretKey, ids[1]));
            if (CreatedOf(payloads.First) == CreatedOf(payloads.Second)) return payloads;
        }

        throw new InvalidOperationException("Five pairs of changes in a row straddled a second.");

        static long CreatedOf(string payload) => JsonDocument.Parse(payload).RootElement.GetProperty("created").GetInt64();
    }

    /// <summary>Polls until the ledger holds exactly what Stripe (the emulator) holds, then asserts it field by field.</summary>
    public async Task AssertLedgerEqualsStripeAsync(Tenant tenant, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (true)
        {
            var (expected, actual) = (await StripeViewAsync(tenant), await LedgerViewAsync(tenant.Client));
            if (expected.SequenceEqual(actual)) return;
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail("The ledger differs from Stripe.\nOnly in Stripe:\n  " + string.Join("\n  ", expected.Except(actual))
                    + "\nOnly in the ledger:\n  " + string.Join("\n  ", actual.Except(expected)));
            }
            await Task.Delay(100);
        }
    }

    /// <summary>Every customer, non-draft invoice and paid invoice payment of the account, as comparable lines.</summary>
    private async Task<List<string>> StripeViewAsync(Tenant tenant)
    {
        var client = new StripeClient(tenant.SecretKey, apiBase: Stripe.BaseUrl);
        var lines = new List<string>();
        await foreach (var c in new CustomerService(client).ListAutoPagingAsync(new CustomerListOptions { Limit = 100 }))
            lines.Add($"customer {c.Id} name={c.Name} email={c.Email} balance={c.Balance}");
        await foreach (var i in new InvoiceService(client).ListAutoPagingAsync(new InvoiceListOptions { Limit = 100 }))
            if (i.Status != "draft")
                lines.Add($"invoice {i.Id} status={i.Status} total={i.Total} paid={i.AmountPaid} remaining={i.AmountRemaining}");
        await foreach (var p in new InvoicePaymentService(client).ListAutoPagingAsync(new InvoicePaymentListOptions
                     { Limit = 100, Expand = ["data.payment.payment_intent.payment_method", "data.payment.charge"] }))
            if (p.Status == "paid")
                lines.Add($"payment {p.Id} invoice={p.InvoiceId} amount={p.AmountPaid} method={p.Payment?.PaymentIntent?.PaymentMethod?.Type ?? p.Payment?.Charge?.PaymentMethodDetails?.Type}");
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static async Task<List<string>> LedgerViewAsync(HttpClient client)
    {
        var lines = new List<string>();
        foreach (var c in await ReadAllAsync(client, "/v1/customers"))
            lines.Add($"customer {Str(c, "id")} name={Str(c, "name")} email={Str(c, "email")} balance={c.GetProperty("balance").GetInt64()}");
        foreach (var i in await ReadAllAsync(client, "/v1/invoices"))
            lines.Add($"invoice {Str(i, "id")} status={Str(i, "stripeStatus")} total={i.GetProperty("total").GetInt64()} paid={i.GetProperty("amountPaid").GetInt64()} remaining={i.GetProperty("amountRemaining").GetInt64()}");
        foreach (var p in await ReadAllAsync(client, "/v1/payments"))
            lines.Add($"payment {Str(p, "id")} invoice={Str(p, "invoiceId")} amount={p.GetProperty("amount").GetInt64()} method={(p.GetProperty("paymentMethod").ValueKind == JsonValueKind.Object ? Str(p.GetProperty("paymentMethod"), "type") : null)}");
        lines.Sort(StringComparer.Ordinal);
        return lines;
    }

    private static string? Str(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
