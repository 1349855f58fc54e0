using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Npgsql;
using Upflow.Orleans.Tests.Infrastructure;
using Upflow.Orleans.Tests.Stripe;
using Upflow.StripeEmulator.Faults;
using Upflow.StripeEmulator.Generation;
using Upflow.StripeEmulator.Mutations;
using Upflow.StripeEmulator.Webhooks;

namespace Upflow.Orleans.Tests.Webhooks;

public sealed class WebhookTests(WebhookApp app) : IClassFixture<WebhookApp>
{
    private StripeEmulator.StripeEmulator Stripe => app.Stripe;

    [Fact]
    public async Task Every_handled_webhook_event_type_reaches_the_ledger_and_sync_reports_live_with_lag()
    {
        var tenant = await app.ConnectAsync();
        var acct = tenant.AccountId;
        var customer = Stripe.CreateCustomer(acct, new NewCustomer { Email = "ap@acme.test", Name = "Acme" });
        var gone = Stripe.CreateCustomer(acct, new NewCustomer { Email = "gone@acme.test", Name = "Gone" });
        Stripe.UpdateCustomer(acct, customer, new CustomerUpdate { Name = "Acme SAS" });
        Stripe.DeleteCustomer(acct, gone);
        var paid = Stripe.CreateInvoice(acct, new NewInvoice { Customer = customer, Total = 12_000 });
        var voided = Stripe.CreateInvoice(acct, new NewInvoice { Customer = customer });
        var uncollectible = Stripe.CreateInvoice(acct, new NewInvoice { Customer = customer });
        var outOfBand = Stripe.CreateInvoice(acct, new NewInvoice { Customer = customer });
        var draft = Stripe.CreateInvoice(acct, new NewInvoice { Customer = customer });
        var deletedDraft = Stripe.CreateInvoice(acct, new NewInvoice { Customer = customer });
        foreach (var id in new[] { paid, voided, uncollectible, outOfBand }) Stripe.FinalizeInvoice(acct, id);
        Stripe.UpdateInvoiceMetadata(acct, paid, new Dictionary<string, string> { ["Stage"] = "dunning" });
        var payment = Stripe.CreatePayment(acct, new NewPayment { Customer = customer, Invoice = paid, NewMethod = NewPaymentMethod.ForSepaDebit() });
        Stripe.VoidInvoice(acct, voided);
        Stripe.MarkInvoiceUncollectible(acct, uncollectible);
        Stripe.PayInvoiceOutOfBand(acct, outOfBand);
        Stripe.DeleteDraftInvoice(acct, deletedDraft);
        Stripe.AttachPaymentMethod(acct, customer, NewPaymentMethod.ForCard());
        Stripe.CreatePayment(acct, new NewPayment { Customer = customer, Amount = 500 }); // unapplied: never imported

        await Stripe.WaitForWebhooksAsync();
        var types = Stripe.Events(acct).Select(e => e.Type).ToHashSet();
        Assert.Superset(new HashSet<string>
        {
            "customer.created", "customer.updated", "customer.deleted", "invoice.created", "invoice.finalized", "invoice.updated",
            "invoice.paid", "invoice.voided", "invoice.marked_uncollectible", "invoice.deleted", "invoice_payment.paid",
            "payment_intent.succeeded", "payment_method.attached",
        }, types);
        // Stripe sends payment_method.updated on edits the emulator does not model: send one, signed, by hand.
        var updated = await app.PostSignedAsync(tenant, EventJson("evt_pm_updated", "payment_method.updated", """{"id":"pm_x","object":"payment_method","type":"card"}"""));
        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);

        await app.WaitUntilAppliedAsync(tenant.OrganizationId, Stripe.Events(acct).Count + 1);
        await app.AssertLedgerEqualsStripeAsync(tenant);
        Assert.All(Stripe.WebhookDeliveries(acct), delivery => Assert.Equal(200, delivery.StatusCode));

        var client = tenant.Client;
        Assert.Equal("Acme SAS", (await client.GetFromJsonAsync<JsonElement>($"/v1/customers/{customer}")).GetProperty("name").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/customers/{gone}")).StatusCode);
        Assert.Equal("PAID", await StatusAsync(client, paid));
        Assert.Equal("VOIDED", await StatusAsync(client, voided));
        Assert.Equal("PAID", await StatusAsync(client, uncollectible));
        Assert.Equal("PAID", await StatusAsync(client, outOfBand));
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/invoices/{draft}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/v1/invoices/{deletedDraft}")).StatusCode);
        var imported = await client.GetFromJsonAsync<JsonElement>($"/v1/payments/{payment.InvoicePaymentId}");
        Assert.Equal("sepa_debit", imported.GetProperty("paymentMethod").GetProperty("type").GetString());
        Assert.Equal(customer, imported.GetProperty("customerId").GetString());

        var outcomes = await app.EventOutcomesAsync(tenant.OrganizationId);
        Assert.Equal("no_change", outcomes["evt_pm_updated"]);
        Assert.DoesNotContain(outcomes.Values, outcome => outcome is null or "unreadable");

        var sync = await client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync");
        Assert.Equal("live", sync.GetProperty("state").GetString());
        Assert.NotEqual(JsonValueKind.Null, sync.GetProperty("lastEventAt").ValueKind);
        Assert.InRange(sync.GetProperty("lagSeconds").GetDouble(), 0, 60);
        Assert.Equal(0, sync.GetProperty("pendingEvents").GetInt64());
    }

    [Fact]
    public async Task Duplicate_and_shuffled_deliveries_are_recorded_and_applied_once_and_end_in_Stripe_state()
    {
        var tenant = await app.ConnectAsync(autoDeliver: false);
        var acct = tenant.AccountId;
        // Stripe stamps events to the second: the same object changed twice within one second cannot be
        // ordered from its events alone, so each change here is a second apart on Stripe's clock.
        void Tick() => Stripe.Clock.Advance(TimeSpan.FromSeconds(1));
        var customers = Enumerable.Range(0, 5).Select(i => Stripe.CreateCustomer(acct, new NewCustomer { Email = $"c{i}@shuffle.test", Name = $"C{i}" })).ToList();
        Tick();
        foreach (var c in customers) Stripe.UpdateCustomer(acct, c, new CustomerUpdate { Name = c + " renamed" });
        Tick();
        var invoices = customers.Select(c => Stripe.CreateInvoice(acct, new NewInvoice { Customer = c })).ToList();
        Tick();
        foreach (var i in invoices) Stripe.FinalizeInvoice(acct, i);
        Tick();
        Stripe.CreatePayment(acct, new NewPayment { Customer = customers[0], Invoice = invoices[0] });
        Stripe.VoidInvoice(acct, invoices[1]);
        Stripe.MarkInvoiceUncollectible(acct, invoices[2]);
        Tick();
        Stripe.PayInvoiceOutOfBand(acct, invoices[2]);

        await Stripe.DeliverEventsAsync(acct, null, new WebhookDeliveryOptions { Duplicates = 2, Shuffle = true, ShuffleSeed = 6 });

        var events = Stripe.Events(acct).Count;
        Assert.Equal(events * 3, Stripe.WebhookDeliveries(acct).Count(d => d.StatusCode == 200));
        await app.WaitUntilAppliedAsync(tenant.OrganizationId, events);
        Assert.Equal(events, await app.CountEventsAsync(tenant.OrganizationId));
        await app.AssertLedgerEqualsStripeAsync(tenant);
    }

    [Fact]
    public async Task Two_changes_within_one_second_delivered_newest_first_end_in_the_state_Stripe_holds()
    {
        string customer = "", invoice = "";
        var tenant = await app.ConnectAsync(account =>
        {
            customer = Stripe.CreateCustomer(account.Id, new NewCustomer { Email = "before@tie.test", Name = "Tie" });
            invoice = Stripe.CreateInvoice(account.Id, new NewInvoice { Customer = customer });
            Stripe.FinalizeInvoice(account.Id, invoice);
        }, autoDeliver: false);
        var acct = tenant.AccountId;
        await app.WaitForFirstCatchUpAsync(tenant.Client, acct);
        var fields = await tenant.Client.PutAsJsonAsync("/v1/settings/custom-fields", new { invoice = new { metadata = new[] { "Stage" } } });
        Assert.True(fields.IsSuccessStatusCode, await fields.Content.ReadAsStringAsync());
        await Eventually.Until(async () => (await tenant.Client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync"))
            .GetProperty("settings").GetProperty("state").GetString() == "applied", "the invoice custom field applied");
        Stripe.Clock.Advance(TimeSpan.FromSeconds(1)); // the changes are newer than what the backfill read

        // Stripe stamps events to the second: these pairs cannot be ordered from their events.
        var customerChanges = await app.TwoChangesInOneSecondAsync(acct, "customer.updated",
            () => Stripe.UpdateCustomer(acct, customer, new CustomerUpdate { Email = "first@tie.test" }),
            () => Stripe.UpdateCustomer(acct, customer, new CustomerUpdate { Email = "second@tie.test" }));
        var invoiceChanges = await app.TwoChangesInOneSecondAsync(acct, "invoice.updated",
            () => Stripe.UpdateInvoiceMetadata(acct, invoice, new Dictionary<string, string> { ["Stage"] = "first" }),
            () => Stripe.UpdateInvoiceMetadata(acct, invoice, new Dictionary<string, string> { ["Stage"] = "second" }));

        // Delivered newest first: arrival order alone would keep the older change.
        using var readAgain = new CounterProbe("upflow.events.read_again", tenant.OrganizationId);
        foreach (var payload in new[] { customerChanges.Second, customerChanges.First, invoiceChanges.Second, invoiceChanges.First })
        {
            Assert.Equal(HttpStatusCode.OK, (await app.PostSignedAsync(tenant, payload)).StatusCode);
            await app.WaitUntilAppliedAsync(tenant.OrganizationId);
        }

        Assert.Equal("second@tie.test", (await tenant.Client.GetFromJsonAsync<JsonElement>($"/v1/customers/{customer}")).GetProperty("email").GetString());
        Assert.Equal("second", (await tenant.Client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{invoice}")).GetProperty("customFields").GetProperty("Stage").GetString());
        await app.AssertLedgerEqualsStripeAsync(tenant);
        // Each object was read again once, when its older change arrived second.
        Assert.Equal(1, Stripe.RequestCount(acct, "GET /v1/customers/{id}"));
        Assert.Equal(1, Stripe.RequestCount(acct, "GET /v1/invoices/{id}"));
        Assert.Equal(2, readAgain.Total);
    }

    [Fact]
    public async Task Dropped_deliveries_are_recovered_by_catching_up_from_the_events_api()
    {
        var tenant = await app.ConnectAsync(autoDeliver: false);
        var acct = tenant.AccountId;
        await app.WaitForFirstCatchUpAsync(tenant.Client, tenant.AccountId);
        var customer = Stripe.CreateCustomer(acct, new NewCustomer { Email = "late@drop.test", Name = "Late" });
        var invoice = Stripe.CreateInvoice(acct, new NewInvoice { Customer = customer });
        Stripe.FinalizeInvoice(acct, invoice);
        Stripe.CreatePayment(acct, new NewPayment { Customer = customer, Invoice = invoice });
        var delivered = Stripe.CreateCustomer(acct, new NewCustomer { Email = "on-time@drop.test", Name = "On time" });
        var deliveredEvents = Stripe.Events(acct).Where(e => e.Type == "customer.created").Select(e => e.Id).TakeLast(1).ToList();
        await Stripe.DeliverEventsAsync(acct, null, new WebhookDeliveryOptions { Drop = true });
        await Stripe.DeliverEventsAsync(acct, deliveredEvents, new WebhookDeliveryOptions());
        await app.WaitUntilAppliedAsync(tenant.OrganizationId, 1);
        Assert.Equal(HttpStatusCode.OK, (await tenant.Client.GetAsync($"/v1/customers/{delivered}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Client.GetAsync($"/v1/customers/{customer}")).StatusCode);

        var response = await tenant.Client.PostAsJsonAsync("/v1/stripe/sync", new { mode = "events" });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);

        await app.AssertLedgerEqualsStripeAsync(tenant);
        await app.WaitUntilAppliedAsync(tenant.OrganizationId, Stripe.Events(acct).Count);
        Assert.Equal(Stripe.Events(acct).Count, await app.CountEventsAsync(tenant.OrganizationId));
        Assert.Equal(Stripe.Events(acct).Count - 1, await app.CountEventsAsync(tenant.OrganizationId, "source = 'catch_up'"));
    }

    [Fact]
    public async Task A_webhook_storm_during_a_backfill_ends_in_exactly_the_state_Stripe_holds()
    {
        var spec = new GenerationSpec { Seed = 23, Customers = 150, InvoicesPerCustomer = 4, UnappliedPaymentRatio = 0.1 };
        var tenant = await app.ConnectAsync(account =>
        {
            Stripe.Generate(account.Id, spec);
            // Slow Stripe down so that the storm lands while pages are still being read.
            Stripe.ConfigureFaults(account.Id, new FaultSettings { Latency = TimeSpan.FromMilliseconds(150) });
        }, waitLive: false);
        var acct = tenant.AccountId;
        var open = Stripe.InvoiceIds(acct, "open");
        var drafts = Stripe.InvoiceIds(acct, "draft");
        var customers = (await SyncApp.ReadAllAsync(tenant.Client, "/v1/customers")).Count;
        Assert.Equal("backfilling", (await tenant.Client.GetFromJsonAsync<JsonElement>("/v1/stripe/sync")).GetProperty("state").GetString());

        var rng = new Random(5);
        var stormed = 0;
        foreach (var (invoice, i) in open.Select((id, i) => (id, i)))
        {
            switch (i % 4)
            {
                case 0: Stripe.PayInvoiceOutOfBand(acct, invoice); break;
                case 1: Stripe.VoidInvoice(acct, invoice); break;
                case 2: Stripe.MarkInvoiceUncollectible(acct, invoice); break;
            }
            if (++stormed % 10 == 0) await Task.Delay(rng.Next(20, 60));
        }
        foreach (var draft in drafts.Take(drafts.Count / 2)) Stripe.FinalizeInvoice(acct, draft);
        var created = Enumerable.Range(0, 20).Select(i => Stripe.CreateCustomer(acct, new NewCustomer { Email = $"storm{i}@acme.test", Name = $"Storm {i}" })).ToList();
        // Stripe stamps events to the second; a same-second create and update of one customer tie (see docs/decisions.md).
        Stripe.Clock.Advance(TimeSpan.FromSeconds(1));
        foreach (var c in created.Take(5)) Stripe.DeleteCustomer(acct, c);
        foreach (var c in created.Skip(5).Take(5)) Stripe.UpdateCustomer(acct, c, new CustomerUpdate { Email = $"renamed-{c}@acme.test" });
        Stripe.ConfigureFaults(acct, FaultSettings.None);

        await SyncApp.WaitForSyncAsync(tenant.Client);
        await Stripe.WaitForWebhooksAsync(TimeSpan.FromSeconds(30));
        Assert.True(Stripe.WebhookDeliveries(acct).Count > 100, "the storm delivered webhooks");
        await app.WaitUntilAppliedAsync(tenant.OrganizationId, Stripe.Events(acct).Count, TimeSpan.FromSeconds(30));
        await app.AssertLedgerEqualsStripeAsync(tenant, TimeSpan.FromSeconds(30));
        Assert.True(customers < spec.Customers, "the storm started before the backfill had read every customer");
    }

    [Fact]
    public async Task An_acknowledged_event_that_no_grain_applied_is_applied_by_the_drain()
    {
        var tenant = await app.ConnectAsync(autoDeliver: false);
        var customer = Stripe.CreateCustomer(tenant.AccountId, new NewCustomer { Email = "crash@acme.test", Name = "Before the crash" });
        var (eventId, _) = Stripe.Events(tenant.AccountId).Single(e => e.Type == "customer.created");

        // The silo died after committing the row and answering 200, before any grain saw the event.
        var payload = await app.EventPayloadAsync(tenant.SecretKey, eventId);
        await using (var connection = new NpgsqlConnection(app.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var insert = new NpgsqlCommand("""
                INSERT INTO upflow_events (organization_id, event_id, type, created, source, payload)
                VALUES ($1, $2, 'customer.created', now(), 'webhook', $3)
                """, connection);
            insert.Parameters.AddWithValue(tenant.OrganizationId);
            insert.Parameters.AddWithValue(eventId);
            insert.Parameters.AddWithValue(payload);
            await insert.ExecuteNonQueryAsync();
        }

        await app.WaitUntilAppliedAsync(tenant.OrganizationId, 1);
        var stored = await tenant.Client.GetFromJsonAsync<JsonElement>($"/v1/customers/{customer}");
        Assert.Equal("Before the crash", stored.GetProperty("name").GetString());
        Assert.Equal("applied", (await app.EventOutcomesAsync(tenant.OrganizationId))[eventId]);
    }

    [Fact]
    public async Task Unknown_event_types_are_acknowledged_recorded_as_ignored_and_duplicates_answered_200()
    {
        var tenant = await app.ConnectAsync(autoDeliver: false);
        var body = EventJson("evt_unknown_1", "billing_portal.session.created", """{"id":"bps_1","object":"billing_portal.session"}""");
        var first = await app.PostSignedAsync(tenant, body);
        var again = await app.PostSignedAsync(tenant, body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("ignored", (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        Assert.Equal("duplicate", (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());
        Assert.Equal("ignored", (await app.EventOutcomesAsync(tenant.OrganizationId))["evt_unknown_1"]);
    }

    [Fact]
    public async Task Bad_signatures_replays_wrong_organizations_oversized_and_malformed_bodies_change_nothing()
    {
        var tenant = await app.ConnectAsync(autoDeliver: false);
        var other = await app.ConnectAsync(autoDeliver: false);
        var unconnected = await app.CreateOrganizationAsync();
        var customer = Stripe.CreateCustomer(tenant.AccountId, new NewCustomer { Email = "x@acme.test", Name = "Forged" });
        var events = await EventsTotalAsync();
        var body = EventJson("evt_forged", "customer.created",
            $$"""{"id":"{{customer}}","object":"customer","name":"Forged","email":"x@acme.test","created":1700000000}""");
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        await Stripe.DeliverEventsAsync(tenant.AccountId, null, new WebhookDeliveryOptions { BadSignature = true });
        Assert.All(Stripe.WebhookDeliveries(tenant.AccountId), d => Assert.Equal(400, d.StatusCode));

        await (await PostAsync(WebhookApp.WebhookUrl(tenant.OrganizationId), body, signature: null)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_signature");
        await (await PostAsync(WebhookApp.WebhookUrl(tenant.OrganizationId), body, "t=abc,v1=zz")).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_signature");
        await (await PostAsync(WebhookApp.WebhookUrl(tenant.OrganizationId), body, WebhookSigner.Sign(body, tenant.WebhookSecret, now - 301)))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_signature");
        await (await PostAsync(WebhookApp.WebhookUrl(other.OrganizationId), body, WebhookSigner.Sign(body, tenant.WebhookSecret, now)))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_signature");
        await (await PostAsync(WebhookApp.WebhookUrl(unconnected.Id), body, WebhookSigner.Sign(body, tenant.WebhookSecret, now)))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_signature");
        await (await PostAsync(WebhookApp.WebhookUrl("org_does_not_exist"), body, WebhookSigner.Sign(body, tenant.WebhookSecret, now)))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_signature");
        // Bytes that are not UTF-8 are not what Stripe signed, even under a signature of their lenient decoding.
        byte[] notUtf8Bytes = [.. "{\"id\":\"evt_"u8, 0xC3, 0x28, .. "\"}"u8];
        using (var notUtf8 = new ByteArrayContent(notUtf8Bytes))
        {
            using var client = app.Client();
            using var request = new HttpRequestMessage(HttpMethod.Post, WebhookApp.WebhookUrl(tenant.OrganizationId)) { Content = notUtf8 };
            request.Headers.TryAddWithoutValidation("Stripe-Signature", WebhookSigner.Sign(Encoding.UTF8.GetString(notUtf8Bytes), tenant.WebhookSecret, now));
            await (await client.SendAsync(request)).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_signature");
        }

        const string malformed = """{"id":"evt_bad","type":"customer.created","created":""";
        await (await PostAsync(WebhookApp.WebhookUrl(tenant.OrganizationId), malformed, WebhookSigner.Sign(malformed, tenant.WebhookSecret, now)))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "malformed_json");
        var huge = EventJson("evt_huge", "customer.updated", $$"""{"id":"{{customer}}","object":"customer","description":"{{new string('x', 1024 * 1024)}}"}""");
        await (await PostAsync(WebhookApp.WebhookUrl(tenant.OrganizationId), huge, WebhookSigner.Sign(huge, tenant.WebhookSecret, now)))
            .AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");
        await (await PostAsync(WebhookApp.WebhookUrl(tenant.OrganizationId), huge, WebhookSigner.Sign(huge, tenant.WebhookSecret, now), chunked: true))
            .AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "payload_too_large");

        Assert.Equal(events, await EventsTotalAsync());
        await Task.Delay(1500); // a drain tick
        Assert.Equal(HttpStatusCode.NotFound, (await tenant.Client.GetAsync($"/v1/customers/{customer}")).StatusCode);

        // The same event, correctly signed, is accepted: the refusals above were about the signature alone.
        // Its body is kept byte for byte as Stripe signed it, spacing included.
        var asSigned = "{\n  " + body[1..].Replace("\",\"", "\", \"", StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await app.PostSignedAsync(tenant, asSigned)).StatusCode);
        Assert.Equal(events + 1, await EventsTotalAsync());
        Assert.Equal(asSigned, await app.Database.EventPayloadAsync(tenant.OrganizationId, "evt_forged"));
    }

    private async Task<long> EventsTotalAsync() => await app.Database.CountAsync("upflow_events");

    private static async Task<string?> StatusAsync(HttpClient client, string invoiceId) =>
        (await client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{invoiceId}")).GetProperty("status").GetString();

    private static string EventJson(string id, string type, string objectJson) =>
        $$"""{"id":"{{id}}","object":"event","api_version":"2026-10-28.endive","created":{{DateTimeOffset.UtcNow.ToUnixTimeSeconds()}},"data":{"object":{{objectJson}}},"livemode":false,"pending_webhooks":1,"request":{"id":null,"idempotency_key":null},"type":"{{type}}"}""";

    private async Task<HttpResponseMessage> PostAsync(string url, string body, string? signature, bool chunked = false)
    {
        using var client = app.Client();
        HttpContent content = chunked
            ? new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)))
            : new StringContent(body, Encoding.UTF8, "application/json");
        if (chunked) content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = content };
        if (chunked) request.Headers.TransferEncodingChunked = true;
        if (signature is not null) request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        return await client.SendAsync(request);
    }
}
