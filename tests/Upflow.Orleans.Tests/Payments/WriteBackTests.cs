using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Upflow.Orleans.Tests.Infrastructure;
using Upflow.StripeEmulator.Faults;
using Upflow.StripeEmulator.Generation;

namespace Upflow.Orleans.Tests.Payments;

public sealed class WriteBackTests(WriteBackApp app) : IClassFixture<WriteBackApp>
{
    private const string SynchronisationFailed = "Synchronisation failed. Please contact support.";
    private static readonly GenerationSpec Tenant = new() { Seed = 21, Customers = 40, InvoicesPerCustomer = 3 };

    [Fact]
    public async Task A_portal_payment_is_exported_once_and_its_invoice_turns_PAID_without_a_second_payment()
    {
        var (account, client) = await ConnectedAsync(Tenant);
        var invoice = await OpenInvoiceAsync(client, account.Id);

        var created = await PostPaymentAsync(client, "key-1", PaymentFor(invoice));

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var payment = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = payment.GetProperty("id").GetString()!;
        Assert.StartsWith("pay_", id);
        Assert.Equal($"/v1/payments/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("portal", payment.GetProperty("source").GetString());
        Assert.Equal("pending", payment.GetProperty("export").GetProperty("status").GetString());
        Assert.Equal("bank_transfer", payment.GetProperty("paymentMethod").GetProperty("type").GetString());

        var exported = await WaitForExportAsync(client, id, "exported");
        Assert.Equal(1, exported.GetProperty("export").GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, exported.GetProperty("export").GetProperty("error").ValueKind);
        var recorded = Assert.Single(app.Stripe.OutOfBandPayments(account.Id));
        Assert.Equal((invoice.Id, $"{id}-export"), (recorded.InvoiceId, recorded.IdempotencyKey));
        Assert.Equal("PAID", (await client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{invoice.Id}")).GetProperty("status").GetString());

        // Out-of-band pay creates no invoice payment in Stripe: a full re-sync finds only ours.
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/v1/stripe/sync", null)).StatusCode);
        await SyncApp.WaitForSyncAsync(client);
        var onInvoice = Assert.Single(await SyncApp.ReadAllAsync(client, $"/v1/payments?invoiceId={invoice.Id}"));
        Assert.Equal(id, onInvoice.GetProperty("id").GetString());
        Assert.Equal("PAID", (await client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{invoice.Id}")).GetProperty("status").GetString());

        // A replay after the invoice was paid is still the same payment, not a refusal.
        var replay = await PostPaymentAsync(client, "key-1", PaymentFor(invoice));
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal(id, (await replay.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString());

        var again = await client.PostAsync($"/v1/payments/{id}/export", null);
        var detail = await again.AssertProblemAsync(HttpStatusCode.Conflict, "already_exported");
        Assert.Contains("already exported", detail);
        Assert.Single(app.Stripe.OutOfBandPayments(account.Id));
    }

    [Fact]
    public async Task Concurrent_duplicate_posts_with_one_key_create_one_payment_and_another_body_is_409()
    {
        var (account, client) = await ConnectedAsync(Tenant with { Seed = 22 });
        var invoice = await OpenInvoiceAsync(client, account.Id);
        var body = PaymentFor(invoice);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => PostPaymentAsync(client, "same-key", body)));

        Assert.Single(responses, response => response.StatusCode == HttpStatusCode.Created);
        Assert.All(responses, response => Assert.Contains(response.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.OK }));
        var ids = await Task.WhenAll(responses.Select(async response => (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()));
        Assert.Single(ids.Distinct());
        Assert.Single(await SyncApp.ReadAllAsync(client, "/v1/payments?source=portal"));

        var other = await PostPaymentAsync(client, "same-key", body with { Amount = body.Amount - 1 });
        await other.AssertProblemAsync(HttpStatusCode.Conflict, "idempotency_key_reused");
        await WaitForExportAsync(client, ids[0]!, "exported");
        Assert.Single(app.Stripe.OutOfBandPayments(account.Id));
    }

    [Fact]
    public async Task Bad_payments_are_refused_with_a_clear_problem_and_change_nothing()
    {
        var (account, client) = await ConnectedAsync(Tenant with { Seed = 23 });
        var invoice = await OpenInvoiceAsync(client, account.Id);
        var valid = PaymentFor(invoice);

        var missingKey = await client.PostAsJsonAsync("/v1/payments", valid);
        await missingKey.AssertProblemAsync(HttpStatusCode.BadRequest, "missing_idempotency_key");
        await (await PostPaymentAsync(client, "k-zero", valid with { Amount = 0 })).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_amount");
        await (await PostPaymentAsync(client, "k-negative", valid with { Amount = -5 })).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_amount");
        await (await PostPaymentAsync(client, "k-method", valid with { Method = "bitcoin" })).AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_method");
        await (await PostPaymentAsync(client, "k-currency", valid with { Currency = invoice.Currency == "usd" ? "eur" : "usd" }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "currency_mismatch");
        await (await PostPaymentAsync(client, "k-too-much", valid with { Amount = invoice.AmountRemaining + 1 }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "amount_exceeds_remaining");
        await (await PostPaymentAsync(client, "k-future", valid with { PaidAt = DateTimeOffset.UtcNow.AddDays(2) }))
            .AssertProblemAsync(HttpStatusCode.BadRequest, "invalid_paid_at");
        await (await PostPaymentAsync(client, "k-unknown", valid with { InvoiceId = "in_does_not_exist" })).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
        var malformed = new HttpRequestMessage(HttpMethod.Post, "/v1/payments") { Content = JsonContent.Create(new { invoiceId = invoice.Id, amount = 100 }) };
        malformed.Headers.Add("Idempotency-Key", "k-malformed");
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(malformed)).StatusCode);

        Assert.Empty(await SyncApp.ReadAllAsync(client, "/v1/payments?source=portal"));
        Assert.Empty(app.Stripe.OutOfBandPayments(account.Id));
        Assert.Contains((await client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{invoice.Id}")).GetProperty("status").GetString(), new[] { "DUE", "OVERDUE" });

        // A refused key records nothing: fixed, the same key goes through.
        var fixedUp = await PostPaymentAsync(client, "k-zero", valid);
        Assert.Equal(HttpStatusCode.Created, fixedUp.StatusCode);
    }

    [Fact]
    public async Task Money_collected_against_a_paid_or_voided_invoice_is_recorded_and_its_export_shows_Stripes_refusal()
    {
        var (account, client) = await ConnectedAsync(Tenant with { Seed = 26 });
        var valid = PaymentFor(await OpenInvoiceAsync(client, account.Id));
        var cases = new[]
        {
            (InvoiceId: app.Stripe.InvoiceIds(account.Id, "void")[0], Refusal: "You cannot pay a void invoice."),
            (InvoiceId: app.Stripe.InvoiceIds(account.Id, "paid")[0], Refusal: "Invoice is already paid"),
        };

        foreach (var (invoiceId, refusal) in cases)
        {
            var created = await PostPaymentAsync(client, "k-" + invoiceId, valid with { InvoiceId = invoiceId });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var payment = await created.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal("pending", payment.GetProperty("export").GetProperty("status").GetString());

            var failed = await WaitForExportAsync(client, payment.GetProperty("id").GetString()!, "error");
            Assert.Equal(refusal, failed.GetProperty("export").GetProperty("error").GetString());
        }
        Assert.Equal(2, (await SyncApp.ReadAllAsync(client, "/v1/payments?exportStatus=error")).Count);
        Assert.Empty(app.Stripe.OutOfBandPayments(account.Id));
    }

    [Fact]
    public async Task A_refusal_by_Stripe_is_an_error_at_once_with_Stripes_message()
    {
        var (account, client) = await ConnectedAsync(Tenant with { Seed = 24 });
        var invoice = await OpenInvoiceAsync(client, account.Id);
        // Voided in Stripe after the ledger saw it open (no webhook in this test): only Stripe can refuse.
        app.Stripe.VoidInvoice(account.Id, invoice.Id);

        var created = await PostPaymentAsync(client, "refused", PaymentFor(invoice));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var failed = await WaitForExportAsync(client, id, "error");
        Assert.Equal("You cannot pay a void invoice.", failed.GetProperty("export").GetProperty("error").GetString());
        Assert.Equal(1, failed.GetProperty("export").GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("export").GetProperty("nextAttemptAt").ValueKind);
        Assert.Empty(app.Stripe.OutOfBandPayments(account.Id));
    }

    [Fact]
    public async Task Exhausted_retries_show_synchronisation_failed_in_the_error_filter_and_export_back_fixes_it()
    {
        var (account, client) = await ConnectedAsync(Tenant with { Seed = 25 });
        var invoice = await OpenInvoiceAsync(client, account.Id);
        app.Stripe.ConfigureFaults(account.Id, new FaultSettings { ServerErrorRate = 1 });

        var created = await PostPaymentAsync(client, "outage", PaymentFor(invoice));
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var failed = await WaitForExportAsync(client, id, "error");
        Assert.Equal(SynchronisationFailed, failed.GetProperty("export").GetProperty("error").GetString());
        Assert.Equal(WriteBackApp.MaxAttempts, failed.GetProperty("export").GetProperty("attempts").GetInt32());
        var inError = Assert.Single(await SyncApp.ReadAllAsync(client, "/v1/payments?exportStatus=error"));
        Assert.Equal(id, inError.GetProperty("id").GetString());
        Assert.Empty(app.Stripe.OutOfBandPayments(account.Id));

        app.Stripe.ConfigureFaults(account.Id, FaultSettings.None);
        var retry = await client.PostAsync($"/v1/payments/{id}/export", null);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        Assert.Equal("pending", (await retry.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("export").GetProperty("status").GetString());

        var exported = await WaitForExportAsync(client, id, "exported");
        Assert.Equal(WriteBackApp.MaxAttempts + 1, exported.GetProperty("export").GetProperty("attempts").GetInt32());
        Assert.Empty(await SyncApp.ReadAllAsync(client, "/v1/payments?exportStatus=error"));
        Assert.Single(await SyncApp.ReadAllAsync(client, "/v1/payments?exportStatus=exported"));
        var recorded = Assert.Single(app.Stripe.OutOfBandPayments(account.Id));
        Assert.Equal($"{id}-export-retry-1", recorded.IdempotencyKey);
        Assert.Equal("PAID", (await client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{invoice.Id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_Stripe_payment_is_not_exportable_and_an_unknown_one_is_404()
    {
        var (_, client) = await ConnectedAsync(Tenant with { Seed = 26 });
        var stripePayment = (await SyncApp.ReadAllAsync(client, "/v1/payments?source=stripe"))[0].GetProperty("id").GetString();

        await (await client.PostAsync($"/v1/payments/{stripePayment}/export", null)).AssertProblemAsync(HttpStatusCode.Conflict, "not_exportable");
        await (await client.PostAsync("/v1/payments/pay_unknown/export", null)).AssertProblemAsync(HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Payments_are_refused_while_Stripe_is_not_connected()
    {
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        var response = await PostPaymentAsync(client, "k", new PaymentBody("in_x", 100, "eur", DateTimeOffset.UtcNow.AddHours(-1), "cash"));
        await response.AssertProblemAsync(HttpStatusCode.Conflict, "not_connected");
    }

    // ---- helpers ------------------------------------------------------------------------------

    internal sealed record PaymentBody(string InvoiceId, long Amount, string Currency, DateTimeOffset PaidAt, string Method);

    private sealed record OpenInvoice(string Id, string Currency, long AmountRemaining);

    private static readonly DateTimeOffset PaidAt = DateTimeOffset.UtcNow.AddHours(-2);

    private static PaymentBody PaymentFor(OpenInvoice invoice) =>
        new(invoice.Id, invoice.AmountRemaining, invoice.Currency, PaidAt, "bank_transfer");

    private async Task<(StripeEmulator.Store.StripeAccount Account, HttpClient Client)> ConnectedAsync(GenerationSpec spec)
    {
        var account = app.Stripe.CreateAccount();
        app.Stripe.Generate(account.Id, spec);
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);
        await app.ConnectAndWaitAsync(client, account.SecretKey);
        return (account, client);
    }

    private async Task<OpenInvoice> OpenInvoiceAsync(HttpClient client, string accountId)
    {
        var id = app.Stripe.InvoiceIds(accountId, "open").First();
        var invoice = await client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{id}");
        return new OpenInvoice(id, invoice.GetProperty("currency").GetString()!, invoice.GetProperty("amountRemaining").GetInt64());
    }

    private static Task<HttpResponseMessage> PostPaymentAsync(HttpClient client, string idempotencyKey, PaymentBody body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payments") { Content = JsonContent.Create(body) };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        return client.SendAsync(request);
    }

    private static async Task<JsonElement> WaitForExportAsync(HttpClient client, string id, string status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        JsonElement payment;
        do
        {
            payment = await client.GetFromJsonAsync<JsonElement>($"/v1/payments/{id}");
            if (payment.GetProperty("export").GetProperty("status").GetString() == status) return payment;
            await Task.Delay(50);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"Payment {id} did not reach export status '{status}': {payment}");
        return payment;
    }
}
