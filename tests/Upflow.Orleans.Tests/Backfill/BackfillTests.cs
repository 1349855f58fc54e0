using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Upflow.Orleans.Ledger;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;
using Upflow.Orleans.Tests.Infrastructure;
using Upflow.Orleans.Tests.Storage;
using Upflow.StripeEmulator.Faults;
using Upflow.StripeEmulator.Generation;
using Upflow.StripeEmulator.Mutations;

namespace Upflow.Orleans.Tests.Backfill;

public sealed class BackfillTests(SyncApp app) : IClassFixture<SyncApp>
{
    private static readonly GenerationSpec SmallTenant = new() { Seed = 11, Customers = 120, InvoicesPerCustomer = 3, UnappliedPaymentRatio = 0.2 };

    [Fact]
    public async Task Connecting_backfills_every_customer_invoice_and_applied_payment_and_counts_what_it_skips()
    {
        var account = app.Stripe.CreateAccount();
        var expected = app.Stripe.Generate(account.Id, SmallTenant);
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);

        var sync = await app.ConnectAndWaitAsync(client, account.SecretKey);

        SyncApp.AssertCounted(sync, expected);
        Assert.NotEqual(JsonValueKind.Null, sync.GetProperty("completedAt").ValueKind);

        Assert.Equal(expected.Customers, (await SyncApp.ReadAllAsync(client, "/v1/customers")).Count);
        Assert.Equal(expected.PaidInvoicePayments, (await SyncApp.ReadAllAsync(client, "/v1/payments")).Count);
        var invoices = await SyncApp.ReadAllAsync(client, "/v1/invoices");
        Assert.Equal(expected.NonDraftInvoices, invoices.Count);
        Assert.Equal(invoices.Count, invoices.Select(invoice => invoice.GetProperty("id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Invoice_statuses_follow_the_rules_drafts_never_voided_VOIDED_uncollectible_PAID()
    {
        var account = app.Stripe.CreateAccount();
        var expected = app.Stripe.Generate(account.Id, SmallTenant);
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        await app.ConnectAndWaitAsync(client, account.SecretKey);

        var invoices = await SyncApp.ReadAllAsync(client, "/v1/invoices");
        int Count(string status) => invoices.Count(invoice => invoice.GetProperty("status").GetString() == status);
        Assert.Equal(expected.VoidInvoices, Count("VOIDED"));
        Assert.Equal(expected.PaidInvoices + expected.UncollectibleInvoices, Count("PAID"));
        Assert.Equal(expected.OpenInvoices, Count("DUE") + Count("OVERDUE"));
        Assert.DoesNotContain(invoices, invoice => invoice.GetProperty("stripeStatus").GetString() == "draft");
        foreach (var draft in app.Stripe.InvoiceIds(account.Id, "draft"))
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/invoices/{draft}")).StatusCode);
        foreach (var uncollectible in app.Stripe.InvoiceIds(account.Id, "uncollectible"))
            Assert.Equal("PAID", (await client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{uncollectible}")).GetProperty("status").GetString());

        Assert.Equal(expected.OpenInvoices, (await SyncApp.ReadAllAsync(client, "/v1/invoices?status=DUE")).Count
            + (await SyncApp.ReadAllAsync(client, "/v1/invoices?status=OVERDUE")).Count);
        Assert.Equal(expected.VoidInvoices, (await SyncApp.ReadAllAsync(client, "/v1/invoices?status=VOIDED")).Count);
    }

    [Fact]
    public async Task The_customer_email_is_the_main_contact_and_additional_emails_become_custom_field_contacts()
    {
        var account = app.Stripe.CreateAccount();
        var customerId = app.Stripe.CreateCustomer(account.Id, new NewCustomer
        {
            Email = "billing@acme.test",
            Name = "Acme",
            Metadata = new Dictionary<string, string>
            {
                ["Additional emails to"] = "ap@acme.test; cfo@acme.test,not-an-address  BILLING@acme.test",
                ["Additional emails cc"] = "AP@acme.test ceo@acme.test",
            },
        });
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        await app.ConnectAndWaitAsync(client, account.SecretKey);

        var contacts = (await SyncApp.ReadAllAsync(client, $"/v1/contacts?customerId={customerId}"))
            .Select(contact => (Email: contact.GetProperty("email").GetString()!.ToLowerInvariant(),
                Source: contact.GetProperty("source").GetString(), Role: contact.GetProperty("role").GetString()))
            .OrderBy(contact => contact.Email).ToList();
        Assert.Equal(
            [("ap@acme.test", "custom_field", "to"), ("billing@acme.test", "stripe", "main"),
             ("ceo@acme.test", "custom_field", "cc"), ("cfo@acme.test", "custom_field", "to")],
            contacts);
        var fromCustomFields = await SyncApp.ReadAllAsync(client, "/v1/contacts?source=custom_field");
        Assert.Equal(3, fromCustomFields.Count);
        var customer = await client.GetFromJsonAsync<JsonElement>($"/v1/customers/{customerId}");
        Assert.Equal(4, customer.GetProperty("contacts").GetArrayLength());
    }

    [Fact]
    public async Task Payments_carry_their_payment_method()
    {
        var account = app.Stripe.CreateAccount();
        app.Stripe.Generate(account.Id, SmallTenant);
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        await app.ConnectAndWaitAsync(client, account.SecretKey);

        var payments = await SyncApp.ReadAllAsync(client, "/v1/payments");
        Assert.NotEmpty(payments);
        Assert.All(payments, payment =>
        {
            Assert.StartsWith("inpay_", payment.GetProperty("id").GetString());
            Assert.Equal("stripe", payment.GetProperty("source").GetString());
            Assert.Equal("not_applicable", payment.GetProperty("export").GetProperty("status").GetString());
        });
        var cards = payments.Where(payment => payment.GetProperty("paymentMethod").GetProperty("type").GetString() == "card").ToList();
        Assert.NotEmpty(cards);
        Assert.All(cards, card => Assert.Equal(4, card.GetProperty("paymentMethod").GetProperty("last4").GetString()!.Length));
        Assert.Contains(payments, payment => payment.GetProperty("paymentMethod").GetProperty("type").GetString() is "sepa_debit" or "us_bank_account");
    }

    [Fact]
    public async Task A_key_Stripe_refuses_is_400_with_Stripes_message_and_stores_nothing()
    {
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);

        var response = await client.PutAsJsonAsync("/v1/stripe/connection", new { secretKey = "sk_test_unknown_key_123", webhookSecret = "whsec_x" });

        var detail = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "stripe_key_rejected");
        Assert.Contains("Invalid API Key", detail, StringComparison.OrdinalIgnoreCase);
        var sync = await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync");
        Assert.Equal("not_connected", sync.GetProperty("state").GetString());
        var organization = await client.GetFromJsonAsync<JsonElement>("/v1/organization");
        Assert.False(organization.GetProperty("stripe").GetProperty("connected").GetBoolean());
    }

    [Fact]
    public async Task Connecting_while_Stripe_cannot_answer_is_502_changes_nothing_and_the_same_key_connects_later()
    {
        var account = app.Stripe.CreateAccount();
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        app.Stripe.ConfigureFaults(account.Id, new FaultSettings { ServerErrorRate = 1.0, Seed = 5 });

        var response = await client.PutAsJsonAsync("/v1/stripe/connection", new { secretKey = account.SecretKey, webhookSecret = "whsec_x" });

        var detail = await response.AssertProblemAsync(HttpStatusCode.BadGateway, "stripe_unavailable");
        Assert.Contains("Nothing was changed", detail);
        Assert.DoesNotContain(account.SecretKey, detail);
        Assert.Equal("not_connected", (await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync")).GetProperty("state").GetString());

        app.Stripe.ConfigureFaults(account.Id, new FaultSettings());
        var retried = await client.PutAsJsonAsync("/v1/stripe/connection", new { secretKey = account.SecretKey, webhookSecret = "whsec_x" });
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
    }

    [Fact]
    public async Task Stripe_secrets_are_stored_encrypted_and_never_returned()
    {
        var account = app.Stripe.CreateAccount();
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        var response = await client.PutAsJsonAsync("/v1/stripe/connection", new { secretKey = account.SecretKey, webhookSecret = "whsec_super_secret_value" });
        var body = await response.Content.ReadAsStringAsync();
        await SyncApp.WaitForSyncAsync(client);

        Assert.DoesNotContain(account.SecretKey, body);
        Assert.DoesNotContain(account.SecretKey, await client.GetStringAsync("/v1/organization"));
        Assert.DoesNotContain(account.SecretKey, await client.GetStringAsync("/v1/stripe/sync"));
        var dump = await app.Database.DumpAsync();
        Assert.DoesNotContain(account.SecretKey, dump);
        Assert.DoesNotContain("whsec_super_secret_value", dump);
        // Grain state is binary (shown as hex by PostgreSQL): look for the key in that form too.
        Assert.DoesNotContain(Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes(account.SecretKey)), dump);
        Assert.DoesNotContain(Convert.ToHexStringLower(System.Text.Encoding.UTF8.GetBytes("whsec_super_secret_value")), dump);
    }

    [Fact]
    public async Task Two_tenants_backfill_at_once_and_each_sees_only_its_own_ledger()
    {
        var firstAccount = app.Stripe.CreateAccount();
        var secondAccount = app.Stripe.CreateAccount();
        var first = app.Stripe.Generate(firstAccount.Id, SmallTenant with { Seed = 1, Customers = 80 });
        var second = app.Stripe.Generate(secondAccount.Id, SmallTenant with { Seed = 2, Customers = 50 });
        var firstClient = app.Client((await app.CreateOrganizationAsync("First")).ApiKey);
        var secondClient = app.Client((await app.CreateOrganizationAsync("Second")).ApiKey);

        await Task.WhenAll(
            app.ConnectAndWaitAsync(firstClient, firstAccount.SecretKey),
            app.ConnectAndWaitAsync(secondClient, secondAccount.SecretKey));

        var firstCustomers = await SyncApp.ReadAllAsync(firstClient, "/v1/customers");
        var secondCustomers = await SyncApp.ReadAllAsync(secondClient, "/v1/customers");
        Assert.Equal(first.Customers, firstCustomers.Count);
        Assert.Equal(second.Customers, secondCustomers.Count);
        var foreign = secondCustomers[0].GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NotFound, (await firstClient.GetAsync($"/v1/customers/{foreign}")).StatusCode);
        Assert.Equal(first.NonDraftInvoices, (await SyncApp.ReadAllAsync(firstClient, "/v1/invoices")).Count);
        Assert.Equal(second.NonDraftInvoices, (await SyncApp.ReadAllAsync(secondClient, "/v1/invoices")).Count);
    }

    [Fact]
    public async Task A_storm_of_429s_and_500s_during_the_backfill_loses_nothing()
    {
        var account = app.Stripe.CreateAccount();
        var expected = app.Stripe.Generate(account.Id, SmallTenant with { Seed = 3 });
        app.Stripe.ConfigureFaults(account.Id, new FaultSettings { RequestsPerSecond = 3, ServerErrorRate = 0.2, Seed = 5 });
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);

        var sync = await app.ConnectAndWaitAsync(client, account.SecretKey, timeout: TimeSpan.FromSeconds(90));

        Assert.Equal(expected.Customers, sync.GetProperty("progress").GetProperty("customers").GetInt64());
        Assert.Equal(expected.NonDraftInvoices, sync.GetProperty("progress").GetProperty("invoices").GetInt64());
        Assert.Equal(expected.PaidInvoicePayments, sync.GetProperty("progress").GetProperty("payments").GetInt64());
        Assert.Contains(app.Stripe.RequestCounts(account.Id), endpoint => endpoint.RateLimited > 0);
        Assert.Equal(expected.NonDraftInvoices, (await SyncApp.ReadAllAsync(client, "/v1/invoices")).Count);
    }

    [Fact]
    public async Task Progress_is_visible_while_the_backfill_runs()
    {
        var account = app.Stripe.CreateAccount();
        // Pages arrive one Stripe round trip apart (200 ms): fifteen customer pages leave seconds of partial progress to see.
        var expected = app.Stripe.Generate(account.Id, SmallTenant with { Seed = 4, Customers = 1500 });
        app.Stripe.ConfigureFaults(account.Id, new FaultSettings { Latency = TimeSpan.FromMilliseconds(200) });
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        await client.PutAsJsonAsync("/v1/stripe/connection", new { secretKey = account.SecretKey, webhookSecret = "whsec_x" });

        var sawPartial = false;
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            var sync = await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync");
            var customers = sync.GetProperty("progress").GetProperty("customers").GetInt64();
            if (sync.GetProperty("state").GetString() == "live") break;
            Assert.Equal("backfilling", sync.GetProperty("state").GetString());
            sawPartial |= customers > 0 && customers < expected.Customers;
            await Task.Delay(50);
        }
        Assert.True(sawPartial, "GET /v1/stripe/sync never showed partial progress.");
        Assert.Equal("live", (await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync")).GetProperty("state").GetString());
    }

    [Fact]
    public async Task Reconnecting_the_same_account_duplicates_nothing()
    {
        var account = app.Stripe.CreateAccount();
        var expected = app.Stripe.Generate(account.Id, SmallTenant with { Seed = 6, Customers = 40 });
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        await app.ConnectAndWaitAsync(client, account.SecretKey);

        var sync = await app.ConnectAndWaitAsync(client, account.SecretKey);

        Assert.Equal(expected.Customers, sync.GetProperty("progress").GetProperty("customers").GetInt64());
        Assert.Equal(expected.Customers, (await SyncApp.ReadAllAsync(client, "/v1/customers")).Count);
        Assert.Equal(expected.NonDraftInvoices, (await SyncApp.ReadAllAsync(client, "/v1/invoices")).Count);
        Assert.Equal(expected.PaidInvoicePayments, (await SyncApp.ReadAllAsync(client, "/v1/payments")).Count);
    }

    [Fact]
    public async Task An_invoice_a_backfill_page_stored_meanwhile_is_not_overwritten_by_an_older_event()
    {
        var (organization, grains, ledger, settings) = await NewOrganizationAsync();
        var invoice = grains.GetGrain<IInvoiceGrain>(new LedgerKey(organization, "in_race").ToString());
        var open = LedgerSamples.Invoice(organization, "in_race").Snapshot;

        // The grain wakes for a draft (never stored): it holds no row.
        Assert.Equal(ApplyOutcome.NotImported,
            await invoice.Apply(open with { StripeStatus = StripeInvoiceStatus.Draft, AsOf = open.AsOf.AddMinutes(-1) }, settings, SnapshotOrigin.Event));
        // A backfill page, listed later, finds the invoice paid and stores it without the grain.
        var paid = LedgerSamples.Invoice(organization, "in_race", StripeInvoiceStatus.Paid).Snapshot with { AsOf = open.AsOf.AddMinutes(1) };
        Assert.True(await ledger.InsertInvoiceAsync(RecordDerivation.Invoice(organization, paid, settings, DateTimeOffset.UtcNow)));

        // The invoice.finalized event, older than the page, reaches the grain only now.
        Assert.Equal(ApplyOutcome.Stale, await invoice.Apply(open, settings, SnapshotOrigin.Event));

        Assert.Equal(StripeInvoiceStatus.Paid, (await ledger.FindInvoiceAsync(organization, "in_race"))!.Snapshot.StripeStatus);
    }

    [Fact]
    public async Task A_run_of_events_applied_in_one_call_ends_where_applying_them_one_by_one_does()
    {
        var (organization, grains, ledger, settings) = await NewOrganizationAsync();
        var open = LedgerSamples.Invoice(organization, "in_run").Snapshot;
        // As a webhook burst delivers them: finalized, an update, paid, a late update of the open
        // invoice (older than paid), a draft's event, and a paid update a second later.
        InvoiceSnapshot[] run =
        [
            open,
            open with { AsOf = open.AsOf.AddSeconds(1), Metadata = new Dictionary<string, string> { ["Stage"] = "dunning" } },
            open with { StripeStatus = StripeInvoiceStatus.Paid, AsOf = open.AsOf.AddSeconds(2) },
            open with { AsOf = open.AsOf.AddSeconds(3) },
            open with { StripeStatus = StripeInvoiceStatus.Draft, AsOf = open.AsOf.AddSeconds(4) },
            open with { StripeStatus = StripeInvoiceStatus.Paid, AsOf = open.AsOf.AddSeconds(5), Metadata = new Dictionary<string, string> { ["Stage"] = "done" } },
        ];

        var together = await grains.GetGrain<IInvoiceGrain>(new LedgerKey(organization, "in_run").ToString()).ApplyEvents(run, settings);
        var alone = grains.GetGrain<IInvoiceGrain>(new LedgerKey(organization, "in_alone").ToString());
        var oneByOne = new List<ApplyOutcome>();
        foreach (var snapshot in run) oneByOne.Add(await alone.Apply(snapshot with { Id = "in_alone" }, settings, SnapshotOrigin.Event));

        Assert.Equal([ApplyOutcome.Applied, ApplyOutcome.Applied, ApplyOutcome.Applied, ApplyOutcome.Stale, ApplyOutcome.NotImported, ApplyOutcome.Applied], together);
        Assert.Equal(oneByOne, together);
        var stored = (await ledger.FindInvoiceAsync(organization, "in_run"))!.Snapshot;
        Assert.Equal(StripeInvoiceStatus.Paid, stored.StripeStatus);
        Assert.Equal("done", stored.Metadata["Stage"]);
        Assert.Equal(JsonSerializer.Serialize((await ledger.FindInvoiceAsync(organization, "in_alone"))!.Snapshot with { Id = "in_run" }), JsonSerializer.Serialize(stored));
    }

    /// <summary>A new organization, with what the grain-level tests call: the grain factory, the ledger and its settings.</summary>
    private async Task<(string Organization, IGrainFactory Grains, LedgerStore Ledger, SyncSettings Settings)> NewOrganizationAsync()
    {
        var organization = (await app.CreateOrganizationAsync()).Id;
        var grains = app.Services.GetRequiredService<IGrainFactory>();
        return (organization, grains, app.Services.GetRequiredService<LedgerStore>(), await grains.GetGrain<IOrganizationGrain>(organization).GetSyncSettings());
    }

    [Fact]
    public async Task The_backfill_needs_no_more_list_pages_than_the_data()
    {
        var account = app.Stripe.CreateAccount();
        var expected = app.Stripe.Generate(account.Id, SmallTenant with { Seed = 8, Customers = 250 });
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        await app.ConnectAndWaitAsync(client, account.SecretKey);

        static long Pages(int objects) => Math.Max(1, (objects + 99) / 100);
        var minimum = Pages(expected.Customers) + Pages(expected.Invoices) + Pages(expected.InvoicePayments) + Pages(expected.PaymentIntents);
        var lists = app.Stripe.RequestCounts(account.Id)
            .Where(endpoint => endpoint.Endpoint is "GET /v1/customers" or "GET /v1/invoices" or "GET /v1/invoice_payments" or "GET /v1/payment_intents")
            .Sum(endpoint => endpoint.Requests);
        Assert.InRange(lists, minimum, (long)Math.Ceiling(minimum * 1.05));
        Assert.Equal(0, app.Stripe.RequestCount(account.Id, "GET /v1/customers/{id}") + app.Stripe.RequestCount(account.Id, "GET /v1/invoices/{id}"));
    }
}
