using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Upflow.Orleans.Tests.Infrastructure;
using Upflow.StripeEmulator.Faults;
using Upflow.StripeEmulator.Generation;
using Upflow.StripeEmulator.Mutations;

namespace Upflow.Orleans.Tests.Settings;

public sealed class SettingsTests(SyncApp app) : IClassFixture<SyncApp>
{
    private static readonly string[] NativeFields =
        ["accountEmail", "delinquent", "description", "discount", "defaultPaymentMethod", "sources", "subscriptions", "taxLocationCountry", "taxExempt"];

    private static readonly GenerationSpec Tenant = new() { Seed = 21, Customers = 150, InvoicesPerCustomer = 2, UnappliedPaymentRatio = 0.1 };

    [Fact]
    public async Task New_organizations_have_the_default_contact_fields_and_no_custom_fields()
    {
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);

        var contacts = await client.GetFromJsonAsync<JsonElement>("/v1/settings/contact-fields");
        Assert.Equal("""{"to":["Additional emails to"],"cc":["Additional emails cc"]}""", contacts.GetRawText());
        var fields = await client.GetFromJsonAsync<JsonElement>("/v1/settings/custom-fields");
        Assert.Equal("""{"customer":{"metadata":[],"native":[]},"invoice":{"metadata":[]},"payment":{"metadata":[]}}""", fields.GetRawText());
        var sync = await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync");
        Assert.Equal("applied", sync.GetProperty("settings").GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, sync.GetProperty("settings").GetProperty("startedAt").ValueKind);
    }

    [Fact]
    public async Task Every_native_customer_field_shows_Stripes_value_with_a_stable_type()
    {
        var account = app.Stripe.CreateAccount();
        app.Stripe.Generate(account.Id, Tenant);
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        // Configured before connecting: the backfill derives with them.
        await PutAsync(client, "/v1/settings/custom-fields", new { customer = new { metadata = new[] { "Region" }, native = NativeFields } });
        await app.ConnectAndWaitAsync(client, account.SecretKey);

        var stripe = await StripeCustomersAsync(account.SecretKey);
        var customers = await SyncApp.ReadAllAsync(client, "/v1/customers");
        Assert.Equal(stripe.Count, customers.Count);
        foreach (var customer in customers)
            AssertNativeFields(stripe[customer.GetProperty("id").GetString()!], customer.GetProperty("customFields"));
        // The generated data exercises every shape: present and absent, empty and non-empty lists.
        foreach (var name in new[] { "discount", "description", "defaultPaymentMethod", "taxLocationCountry" })
        {
            Assert.Contains(customers, c => c.GetProperty("customFields").GetProperty(name).ValueKind == JsonValueKind.String);
            Assert.Contains(customers, c => c.GetProperty("customFields").GetProperty(name).ValueKind == JsonValueKind.Null);
        }
        foreach (var name in new[] { "sources", "subscriptions" })
        {
            Assert.Contains(customers, c => c.GetProperty("customFields").GetProperty(name).GetArrayLength() > 0);
            Assert.Contains(customers, c => c.GetProperty("customFields").GetProperty(name).GetArrayLength() == 0);
        }
        Assert.Contains(customers, c => c.GetProperty("customFields").GetProperty("delinquent").GetBoolean());
        Assert.Equal(["Region", .. NativeFields], customers[0].GetProperty("customFields").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task Metadata_of_customers_invoices_and_payments_becomes_custom_fields_and_a_missing_key_is_null()
    {
        var account = app.Stripe.CreateAccount();
        var customer = app.Stripe.CreateCustomer(account.Id, new NewCustomer
        {
            Email = "ap@acme.test", Metadata = new Dictionary<string, string> { ["Region"] = "EMEA", ["Segment"] = "" },
        });
        var bare = app.Stripe.CreateCustomer(account.Id, new NewCustomer { Email = "bare@acme.test" });
        var invoice = app.Stripe.CreateInvoice(account.Id, new NewInvoice { Customer = customer, Metadata = new Dictionary<string, string> { ["PO Number"] = "PO-1" } });
        app.Stripe.FinalizeInvoice(account.Id, invoice);
        var payment = app.Stripe.CreatePayment(account.Id, new NewPayment
        {
            Customer = customer, Invoice = invoice, Metadata = new Dictionary<string, string> { ["Channel"] = "phone" },
        });
        var open = app.Stripe.CreateInvoice(account.Id, new NewInvoice { Customer = customer, Currency = "eur", Total = 5_000 });
        app.Stripe.FinalizeInvoice(account.Id, open);
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        await app.ConnectAndWaitAsync(client, account.SecretKey);
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payments")
        {
            Content = JsonContent.Create(new { invoiceId = open, amount = 5_000, currency = "eur", paidAt = DateTimeOffset.UtcNow.AddMinutes(-1), method = "check" }),
        };
        request.Headers.Add("Idempotency-Key", "settings-portal-1");
        var portal = await client.SendAsync(request);
        Assert.True(portal.StatusCode == HttpStatusCode.Created, await portal.Content.ReadAsStringAsync());
        var portalId = (await portal.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();

        await PutAsync(client, "/v1/settings/custom-fields", new
        {
            customer = new { metadata = new[] { "Region", "Segment" } },
            invoice = new { metadata = new[] { "PO Number", "Project" } },
            payment = new { metadata = new[] { "Channel" } },
        });
        await WaitForSettingsAsync(client);

        Assert.Equal("""{"Region":"EMEA","Segment":""}""", (await GetAsync(client, $"/v1/customers/{customer}")).GetProperty("customFields").GetRawText());
        Assert.Equal("""{"Region":null,"Segment":null}""", (await GetAsync(client, $"/v1/customers/{bare}")).GetProperty("customFields").GetRawText());
        Assert.Equal("""{"PO Number":"PO-1","Project":null}""", (await GetAsync(client, $"/v1/invoices/{invoice}")).GetProperty("customFields").GetRawText());
        Assert.Equal("""{"Channel":"phone"}""", (await GetAsync(client, $"/v1/payments/{payment.InvoicePaymentId}")).GetProperty("customFields").GetRawText());
        // A portal payment has no Stripe metadata, but shows every configured field.
        Assert.Equal("""{"Channel":null}""", (await GetAsync(client, $"/v1/payments/{portalId}")).GetProperty("customFields").GetRawText());
    }

    [Fact]
    public async Task A_settings_change_reaches_every_synced_object_with_progress_and_contacts_follow()
    {
        var account = app.Stripe.CreateAccount();
        var expected = app.Stripe.Generate(account.Id, Tenant with { Seed = 22 });
        var special = app.Stripe.CreateCustomer(account.Id, new NewCustomer
        {
            Email = "main@acme.test",
            Metadata = new Dictionary<string, string>
            {
                ["Additional emails to"] = "to@acme.test; nobody@",
                ["Additional emails cc"] = "cc@acme.test",
                ["Billing contacts"] = "billing@acme.test; MAIN@acme.test",
            },
        });
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        await app.ConnectAndWaitAsync(client, account.SecretKey);
        Assert.Equal([("cc@acme.test", "cc"), ("main@acme.test", "main"), ("to@acme.test", "to")], await ContactsAsync(client, special));
        // The address that is not one is skipped, and counted where it can be fixed: on its customer.
        Assert.Equal(1, (await GetAsync(client, $"/v1/customers/{special}")).GetProperty("invalidContactAddresses").GetInt32());
        var before = await SyncApp.ReadAllAsync(client, "/v1/contacts?source=custom_field");
        Assert.Contains(before, c => c.GetProperty("role").GetString() == "cc");
        var stripeRequests = app.Stripe.RequestCounts(account.Id).Sum(r => r.Requests);

        var put = await PutAsync(client, "/v1/settings/contact-fields", new { to = new[] { "Billing contacts" }, cc = new[] { "Additional emails to" } });
        Assert.Equal("""{"to":["Billing contacts"],"cc":["Additional emails to"]}""", put.GetRawText());
        var started = await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync");
        Assert.NotEqual(JsonValueKind.Null, started.GetProperty("settings").GetProperty("startedAt").ValueKind);
        Assert.Equal(expected.Customers + 1, started.GetProperty("settings").GetProperty("total").GetInt64());
        var done = await WaitForSettingsAsync(client);
        Assert.Equal(expected.Customers + 1, done.GetProperty("applied").GetInt64());

        // main wins over the "to" spelling of the same address; cc is now what was "to"; the old cc is gone.
        Assert.Equal([("billing@acme.test", "to"), ("main@acme.test", "main"), ("to@acme.test", "cc")], await ContactsAsync(client, special));
        var after = await SyncApp.ReadAllAsync(client, "/v1/contacts?source=custom_field");
        Assert.Equal(["billing@acme.test"], after.Where(c => c.GetProperty("role").GetString() == "to").Select(c => c.GetProperty("email").GetString()));
        var stripe = await StripeCustomersAsync(account.SecretKey);
        var withCc = after.Where(c => c.GetProperty("role").GetString() == "cc").Select(c => c.GetProperty("customerId").GetString()!).ToHashSet();
        Assert.All(withCc, id => Assert.True(stripe[id].GetProperty("metadata").TryGetProperty("Additional emails to", out _)));
        Assert.DoesNotContain(before.Where(c => c.GetProperty("role").GetString() == "cc").Select(c => c.GetProperty("id").GetString()),
            id => after.Any(c => c.GetProperty("id").GetString() == id && c.GetProperty("role").GetString() == "cc"
                && !stripe[c.GetProperty("customerId").GetString()!].GetProperty("metadata").TryGetProperty("Additional emails to", out _)));
        var customer = await GetAsync(client, $"/v1/customers/{special}");
        Assert.Equal(3, customer.GetProperty("contacts").GetArrayLength());

        // Custom fields of all three entities, then back to none: every object follows each time.
        await PutAsync(client, "/v1/settings/custom-fields", new
        {
            customer = new { metadata = new[] { "Region" }, native = new[] { "taxExempt", "subscriptions" } },
            invoice = new { metadata = new[] { "PO Number" } },
            payment = new { metadata = new[] { "Reference", "Channel" } },
        });
        var second = await WaitForSettingsAsync(client);
        Assert.Equal(expected.Customers + 1 + expected.NonDraftInvoices + expected.PaidInvoicePayments, second.GetProperty("total").GetInt64());
        var customers = await SyncApp.ReadAllAsync(client, "/v1/customers");
        Assert.All(customers, c =>
        {
            var fields = c.GetProperty("customFields");
            var stripeCustomer = stripe[c.GetProperty("id").GetString()!];
            Assert.Equal(Metadata(stripeCustomer, "Region"), fields.GetProperty("Region").GetString());
            Assert.Equal(stripeCustomer.GetProperty("tax_exempt").GetString(), fields.GetProperty("taxExempt").GetString());
            Assert.Equal(JsonValueKind.Array, fields.GetProperty("subscriptions").ValueKind);
        });
        var invoices = await SyncApp.ReadAllAsync(client, "/v1/invoices");
        Assert.All(invoices, i => Assert.Equal(["PO Number"], i.GetProperty("customFields").EnumerateObject().Select(p => p.Name)));
        Assert.Contains(invoices, i => i.GetProperty("customFields").GetProperty("PO Number").ValueKind == JsonValueKind.String);
        var payments = await SyncApp.ReadAllAsync(client, "/v1/payments");
        Assert.All(payments, p => Assert.Equal(["Reference", "Channel"], p.GetProperty("customFields").EnumerateObject().Select(f => f.Name)));
        Assert.Contains(payments, p => p.GetProperty("customFields").GetProperty("Channel").ValueKind == JsonValueKind.String);

        await PutAsync(client, "/v1/settings/custom-fields", new { });
        await WaitForSettingsAsync(client);
        Assert.All(await SyncApp.ReadAllAsync(client, "/v1/invoices"), i => Assert.Equal("{}", i.GetProperty("customFields").GetRawText()));
        Assert.All(await SyncApp.ReadAllAsync(client, "/v1/customers"), c => Assert.Equal("{}", c.GetProperty("customFields").GetRawText()));
        // Nothing of it asked Stripe (the reads above went to the emulator's own listing, counted before).
        Assert.Equal(stripeRequests + (long)Math.Ceiling(stripe.Count / 100.0), app.Stripe.RequestCounts(account.Id).Sum(r => r.Requests));
    }

    [Fact]
    public async Task Settings_changed_during_a_backfill_reach_every_object_and_events_after_it_use_them()
    {
        var account = app.Stripe.CreateAccount();
        var expected = app.Stripe.Generate(account.Id, Tenant with { Seed = 23, Customers = 400, InvoicesPerCustomer = 1 });
        app.Stripe.ConfigureFaults(account.Id, new FaultSettings { Latency = TimeSpan.FromMilliseconds(100) });
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        (await client.PutAsJsonAsync("/v1/stripe/connection", new { secretKey = account.SecretKey, webhookSecret = "whsec_x" })).EnsureSuccessStatusCode();
        JsonElement sync;
        do
        {
            await Task.Delay(50);
            sync = await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync");
        } while (sync.GetProperty("progress").GetProperty("customers").GetInt64() == 0);
        Assert.Equal("backfilling", sync.GetProperty("state").GetString());

        await PutAsync(client, "/v1/settings/custom-fields", new { customer = new { metadata = new[] { "Region" }, native = new[] { "delinquent" } } });
        await SyncApp.WaitForSyncAsync(client, timeout: TimeSpan.FromSeconds(60));
        await WaitForSettingsAsync(client);

        app.Stripe.ConfigureFaults(account.Id, new FaultSettings());
        var stripe = await StripeCustomersAsync(account.SecretKey);
        var customers = await SyncApp.ReadAllAsync(client, "/v1/customers");
        Assert.Equal(expected.Customers, customers.Count);
        Assert.All(customers, c =>
        {
            var stripeCustomer = stripe[c.GetProperty("id").GetString()!];
            Assert.Equal(Metadata(stripeCustomer, "Region"), c.GetProperty("customFields").GetProperty("Region").GetString());
            Assert.Equal(stripeCustomer.GetProperty("delinquent").GetBoolean(), c.GetProperty("customFields").GetProperty("delinquent").GetBoolean());
        });

        // An event after the change derives with the new settings (catch-up path; webhooks share it).
        var id = customers[0].GetProperty("id").GetString()!;
        app.Stripe.UpdateCustomer(account.Id, id, new CustomerUpdate { Metadata = new Dictionary<string, string> { ["Region"] = "Moon" } });
        (await client.PostAsJsonAsync("/v1/stripe/sync", new { mode = "events" })).EnsureSuccessStatusCode();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await GetAsync(client, $"/v1/customers/{id}")).GetProperty("customFields").GetProperty("Region").GetString() != "Moon")
        {
            Assert.True(DateTime.UtcNow < deadline, "The event was not applied with the new settings.");
            await Task.Delay(100);
        }
    }

    [Theory]
    [InlineData("""{"customer":{"native":["colour"]}}""", "unknown_native_field")]
    [InlineData("""{"customer":{"native":["delinquent","Delinquent"]}}""", "unknown_native_field")]
    [InlineData("""{"subscription":{"metadata":["Region"]}}""", "malformed_json")]
    [InlineData("""{"invoice":{"metadata":[],"native":["delinquent"]}}""", "malformed_json")]
    [InlineData("""{"customer":{"metadata":"Region"}}""", "malformed_json")]
    [InlineData("""{"customer":{"metadata":[1]}}""", "malformed_json")]
    [InlineData("""[]""", "malformed_json")]
    [InlineData("""{"customer":{"metadata":["Region","Region"]}}""", "invalid_custom_fields")]
    [InlineData("""{"customer":{"native":["delinquent","delinquent"]}}""", "invalid_custom_fields")]
    [InlineData("""{"invoice":{"metadata":[""]}}""", "invalid_custom_fields")]
    [InlineData("""{"payment":{"metadata":["   "]}}""", "invalid_custom_fields")]
    [InlineData("""{"payment":{"metadata":[null]}}""", "invalid_custom_fields")]
    [InlineData("""{"invoice":{"metadata":["a key much longer than forty characters, Stripe's limit"]}}""", "invalid_custom_fields")]
    public async Task Bad_custom_field_settings_are_400_and_change_nothing(string body, string code)
    {
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        var valid = await PutAsync(client, "/v1/settings/custom-fields", new { customer = new { metadata = new[] { "Region" }, native = new[] { "discount" } } });
        var started = (await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync")).GetProperty("settings").GetProperty("startedAt").GetString();

        var response = await client.PutAsync("/v1/settings/custom-fields", new StringContent(body, MediaTypeHeaderValue.Parse("application/json")));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, code);
        Assert.Equal(valid.GetRawText(), (await client.GetFromJsonAsync<JsonElement>("/v1/settings/custom-fields")).GetRawText());
        Assert.Equal(started, (await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync")).GetProperty("settings").GetProperty("startedAt").GetString());
    }

    [Theory]
    [InlineData("""{"to":["A"]}""", "malformed_json")]
    [InlineData("""{"to":"A","cc":[]}""", "malformed_json")]
    [InlineData("""{"to":["A"],"cc":[],"bcc":[]}""", "malformed_json")]
    [InlineData("""{"to":["A"],"cc":["A"]}""", "invalid_contact_fields")]
    [InlineData("""{"to":["A","A"],"cc":[]}""", "invalid_contact_fields")]
    [InlineData("""{"to":[""],"cc":[]}""", "invalid_contact_fields")]
    [InlineData("""{"to":[null],"cc":[]}""", "invalid_contact_fields")]
    [InlineData("""{"to":[],"cc":["a key much longer than forty characters, Stripe's limit"]}""", "invalid_contact_fields")]
    public async Task Bad_contact_field_settings_are_400_and_change_nothing(string body, string code)
    {
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);

        var response = await client.PutAsync("/v1/settings/contact-fields", new StringContent(body, MediaTypeHeaderValue.Parse("application/json")));

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, code);
        Assert.Equal("""{"to":["Additional emails to"],"cc":["Additional emails cc"]}""",
            (await client.GetFromJsonAsync<JsonElement>("/v1/settings/contact-fields")).GetRawText());
        var sync = await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync");
        Assert.Equal(JsonValueKind.Null, sync.GetProperty("settings").GetProperty("startedAt").ValueKind);
    }

    [Fact]
    public async Task Settings_are_per_organization_and_need_an_organization_key()
    {
        var first = app.Client((await app.CreateOrganizationAsync("First")).ApiKey);
        var second = app.Client((await app.CreateOrganizationAsync("Second")).ApiKey);
        await PutAsync(first, "/v1/settings/contact-fields", new { to = new[] { "AP" }, cc = Array.Empty<string>() });

        Assert.Equal("""{"to":["Additional emails to"],"cc":["Additional emails cc"]}""",
            (await second.GetFromJsonAsync<JsonElement>("/v1/settings/contact-fields")).GetRawText());
        await (await app.Client().GetAsync("/v1/settings/custom-fields")).AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
        await (await app.Admin().PutAsJsonAsync("/v1/settings/contact-fields", new { to = new[] { "X" }, cc = new[] { "Y" } }))
            .AssertProblemAsync(HttpStatusCode.Unauthorized, "unauthorized");
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static async Task<JsonElement> PutAsync(HttpClient client, string path, object body)
    {
        var response = await client.PutAsJsonAsync(path, body);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private static Task<JsonElement> GetAsync(HttpClient client, string path) => client.GetFromJsonAsync<JsonElement>(path);

    /// <summary>Waits until the latest settings change is applied everywhere; returns GET /v1/stripe/sync's settings.</summary>
    internal static async Task<JsonElement> WaitForSettingsAsync(HttpClient client)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var settings = (await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync")).GetProperty("settings");
            if (settings.GetProperty("state").GetString() == "applied")
            {
                Assert.Equal(settings.GetProperty("total").GetInt64(), settings.GetProperty("applied").GetInt64());
                Assert.NotEqual(JsonValueKind.Null, settings.GetProperty("completedAt").ValueKind);
                return settings;
            }
            Assert.Equal("applying", settings.GetProperty("state").GetString());
            Assert.InRange(settings.GetProperty("applied").GetInt64(), 0, settings.GetProperty("total").GetInt64());
            Assert.True(DateTime.UtcNow < deadline, $"Settings not applied: {settings}");
            await Task.Delay(50);
        }
    }

    private static async Task<List<(string Email, string Role)>> ContactsAsync(HttpClient client, string customerId) =>
        (await SyncApp.ReadAllAsync(client, $"/v1/contacts?customerId={customerId}"))
            .Select(c => (c.GetProperty("email").GetString()!.ToLowerInvariant(), c.GetProperty("role").GetString()!))
            .OrderBy(c => c.Item1, StringComparer.Ordinal).ToList();

    private static string? Metadata(JsonElement stripeObject, string key) =>
        stripeObject.GetProperty("metadata").TryGetProperty(key, out var value) ? value.GetString() : null;

    /// <summary>Stripe's own JSON of every customer, with what the native fields need expanded.</summary>
    private async Task<Dictionary<string, JsonElement>> StripeCustomersAsync(string secretKey)
    {
        using var stripe = new HttpClient { BaseAddress = new Uri(app.Stripe.BaseUrl) };
        stripe.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secretKey);
        var customers = new Dictionary<string, JsonElement>();
        string? after = null;
        JsonElement page;
        do
        {
            page = await stripe.GetFromJsonAsync<JsonElement>(
                "/v1/customers?limit=100&expand[]=data.sources&expand[]=data.subscriptions&expand[]=data.tax" + (after is null ? "" : $"&starting_after={after}"));
            foreach (var customer in page.GetProperty("data").EnumerateArray())
            {
                customers[customer.GetProperty("id").GetString()!] = customer.Clone();
                after = customer.GetProperty("id").GetString();
            }
        } while (page.GetProperty("has_more").GetBoolean());
        return customers;
    }

    /// <summary>The contract's meaning of each native field, read off Stripe's JSON.</summary>
    private static void AssertNativeFields(JsonElement stripe, JsonElement fields)
    {
        Assert.Equal(Metadata(stripe, "Region"), fields.GetProperty("Region").GetString());
        AssertString(stripe.GetProperty("email"), fields.GetProperty("accountEmail"));
        Assert.Equal(stripe.GetProperty("delinquent").GetBoolean(), fields.GetProperty("delinquent").GetBoolean());
        AssertString(stripe.GetProperty("description"), fields.GetProperty("description"));
        var discount = stripe.GetProperty("discount");
        var coupon = discount.ValueKind == JsonValueKind.Null ? (string?)null
            : discount.GetProperty("source").GetProperty("coupon") is { ValueKind: JsonValueKind.Object } expanded ? expanded.GetProperty("id").GetString()
            : discount.GetProperty("source").GetProperty("coupon").GetString();
        Assert.Equal(coupon, Text(fields.GetProperty("discount")));
        var method = stripe.GetProperty("invoice_settings").GetProperty("default_payment_method");
        var defaultMethod = method.ValueKind == JsonValueKind.Null ? stripe.GetProperty("default_source").GetString()
            : method.ValueKind == JsonValueKind.Object ? method.GetProperty("id").GetString() : method.GetString();
        Assert.Equal(defaultMethod, Text(fields.GetProperty("defaultPaymentMethod")));
        Assert.Equal(Ids(stripe.GetProperty("sources")), Strings(fields.GetProperty("sources")));
        Assert.Equal(Ids(stripe.GetProperty("subscriptions")), Strings(fields.GetProperty("subscriptions")));
        var location = stripe.GetProperty("tax").GetProperty("location");
        Assert.Equal(location.ValueKind == JsonValueKind.Null ? null : location.GetProperty("country").GetString(), Text(fields.GetProperty("taxLocationCountry")));
        AssertString(stripe.GetProperty("tax_exempt"), fields.GetProperty("taxExempt"));

        static void AssertString(JsonElement stripeValue, JsonElement field) => Assert.Equal(stripeValue.GetString(), Text(field));
        static string? Text(JsonElement field)
        {
            Assert.True(field.ValueKind is JsonValueKind.String or JsonValueKind.Null, $"{field} is not a string or null");
            return field.GetString();
        }
        static List<string> Ids(JsonElement list) => [.. list.GetProperty("data").EnumerateArray().Select(item => item.GetProperty("id").GetString()!)];
        static List<string> Strings(JsonElement field)
        {
            Assert.Equal(JsonValueKind.Array, field.ValueKind);
            return [.. field.EnumerateArray().Select(item => item.GetString()!)];
        }
    }
}
