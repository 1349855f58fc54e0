using System.Net;
using System.Text;
using Stripe;
using Upflow.StripeEmulator.Faults;
using Upflow.StripeEmulator.Mutations;
using Upflow.StripeEmulator.Webhooks;

namespace Upflow.StripeEmulator.Tests;

public sealed class WriteAndFaultTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private (string Account, string Key, string Invoice) OpenInvoice(long total = 12_345)
    {
        var account = fixture.Emulator.CreateAccount();
        var customer = fixture.Emulator.CreateCustomer(account.Id, new NewCustomer { Email = "ap@example.com", Name = "Acme" });
        var invoice = fixture.Emulator.CreateInvoice(account.Id, new NewInvoice { Customer = customer, Total = total });
        fixture.Emulator.FinalizeInvoice(account.Id, invoice);
        return (account.Id, account.SecretKey, invoice);
    }

    [Fact]
    public async Task Paying_out_of_band_marks_the_invoice_paid_and_records_the_idempotency_key()
    {
        var (account, key, invoiceId) = OpenInvoice();
        var invoice = await new InvoiceService(fixture.Client(key)).PayAsync(invoiceId, new InvoicePayOptions { PaidOutOfBand = true },
            new RequestOptions { IdempotencyKey = "pay_123" });
        Assert.Equal("paid", invoice.Status);
        Assert.Equal(invoice.Total, invoice.AmountPaid);
        Assert.Equal(0, invoice.AmountRemaining);
        Assert.NotNull(invoice.StatusTransitions.PaidAt);
        var recorded = Assert.Single(fixture.Emulator.OutOfBandPayments(account));
        Assert.Equal((invoiceId, "pay_123", 12_345L), (recorded.InvoiceId, recorded.IdempotencyKey, recorded.Amount));
        var events = await new EventService(fixture.Client(key)).ListAsync(new EventListOptions { Types = ["invoice.paid", "invoice.updated"] });
        Assert.Contains(events.Data, e => e.Type == "invoice.paid" && ((Invoice)e.Data.Object).Id == invoiceId && e.Request.IdempotencyKey == "pay_123");
    }

    [Fact]
    public async Task Same_idempotency_key_replays_and_other_params_are_refused()
    {
        var (account, key, invoiceId) = OpenInvoice();
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        async Task<HttpResponseMessage> Pay(string body)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"{fixture.Emulator.BaseUrl}/v1/invoices/{invoiceId}/pay")
            { Content = new StringContent(body, Encoding.UTF8, "application/x-www-form-urlencoded") };
            request.Headers.Add("Idempotency-Key", "k1");
            return await http.SendAsync(request);
        }
        var first = await Pay("paid_out_of_band=true");
        var replay = await Pay("paid_out_of_band=true");
        var other = await Pay("paid_out_of_band=true&expand[]=customer");
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(await first.Content.ReadAsStringAsync(), await replay.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, other.StatusCode);
        Assert.Contains("idempotency_error", await other.Content.ReadAsStringAsync());
        Assert.Single(fixture.Emulator.OutOfBandPayments(account));
    }

    [Theory]
    [InlineData("paid", "Invoice is already paid")]
    [InlineData("void", "You cannot pay a void invoice.")]
    [InlineData("draft", "This invoice is in draft status; you must finalize it before it can be paid.")]
    public async Task Paying_an_unpayable_invoice_is_refused_with_Stripe_message(string status, string message)
    {
        var account = fixture.Emulator.CreateAccount();
        var customer = fixture.Emulator.CreateCustomer(account.Id, new NewCustomer());
        var invoice = fixture.Emulator.CreateInvoice(account.Id, new NewInvoice { Customer = customer });
        if (status != "draft") fixture.Emulator.FinalizeInvoice(account.Id, invoice);
        if (status == "paid") fixture.Emulator.PayInvoiceOutOfBand(account.Id, invoice);
        if (status == "void") fixture.Emulator.VoidInvoice(account.Id, invoice);
        var error = await Assert.ThrowsAsync<StripeException>(() =>
            new InvoiceService(fixture.Client(account.SecretKey)).PayAsync(invoice, new InvoicePayOptions { PaidOutOfBand = true }));
        Assert.Equal(HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal(("invalid_request_error", message), (error.StripeError.Type, error.StripeError.Message));
    }

    [Fact]
    public async Task Rate_limit_answers_429_with_Stripe_Should_Retry()
    {
        var account = fixture.Emulator.CreateAccount();
        fixture.Emulator.ConfigureFaults(account.Id, new FaultSettings { RequestsPerSecond = 3 });
        var service = new CustomerService(fixture.Client(account.SecretKey));
        var results = await Task.WhenAll(Enumerable.Range(0, 10).Select(async _ =>
        {
            try { await service.ListAsync(); return 200; }
            catch (StripeException e) { return (int)e.HttpStatusCode; }
        }));
        Assert.Contains(429, results);
        Assert.Contains(200, results);
        var counts = fixture.Emulator.RequestCounts(account.Id).Single(c => c.Endpoint == "GET /v1/customers");
        Assert.Equal(10, counts.Requests);
        Assert.Equal(results.Count(r => r == 429), counts.RateLimited);
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", account.SecretKey);
        HttpResponseMessage limited;
        do limited = await http.GetAsync(fixture.Emulator.BaseUrl + "/v1/customers"); while (limited.StatusCode != HttpStatusCode.TooManyRequests);
        Assert.Equal("true", limited.Headers.GetValues("Stripe-Should-Retry").Single());
        Assert.Equal("global-rate", limited.Headers.GetValues("Stripe-Rate-Limited-Reason").Single());
    }

    [Fact]
    public async Task A_lock_timeout_is_a_429_that_names_no_rate_limit()
    {
        var account = fixture.Emulator.CreateAccount();
        fixture.Emulator.ConfigureFaults(account.Id, new FaultSettings { LockTimeoutRate = 1 });
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", account.SecretKey);

        var response = await http.GetAsync(fixture.Emulator.BaseUrl + "/v1/customers");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("true", response.Headers.GetValues("Stripe-Should-Retry").Single());
        Assert.False(response.Headers.Contains("Stripe-Rate-Limited-Reason"));
        var error = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("lock_timeout", error.GetProperty("code").GetString());
        Assert.Equal(0, fixture.Emulator.RequestCounts(account.Id).Single().RateLimited);
    }

    [Fact]
    public async Task An_endpoint_limit_refuses_that_endpoint_only_and_says_so()
    {
        var account = fixture.Emulator.CreateAccount();
        fixture.Emulator.ConfigureFaults(account.Id, new FaultSettings { RequestsPerSecond = 100, EndpointRequestsPerSecond = 2 });
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", account.SecretKey);

        var customers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => http.GetAsync(fixture.Emulator.BaseUrl + "/v1/customers")));
        var invoices = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => http.GetAsync(fixture.Emulator.BaseUrl + "/v1/invoices")));

        var limited = customers.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(limited.Count, 3, 4);
        Assert.All(limited, r => Assert.Equal("endpoint-rate", r.Headers.GetValues("Stripe-Rate-Limited-Reason").Single()));
        Assert.All(invoices, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
    }

    [Fact]
    public async Task Server_errors_are_injected_and_Stripe_net_retries_through_them()
    {
        var account = fixture.Emulator.CreateAccount();
        fixture.Emulator.ConfigureFaults(account.Id, new FaultSettings { ServerErrorRate = 0.5, Seed = 3 });
        var statuses = new List<int>();
        for (var i = 0; i < 20; i++)
        {
            try { await new CustomerService(fixture.Client(account.SecretKey)).ListAsync(); statuses.Add(200); }
            catch (StripeException e) { statuses.Add((int)e.HttpStatusCode); }
        }
        Assert.Contains(500, statuses);
        Assert.Contains(200, statuses);
    }

    [Fact]
    public async Task Paging_stays_exhaustive_while_customers_are_created_concurrently()
    {
        var account = fixture.Emulator.CreateAccount();
        fixture.Emulator.Generate(account.Id, new Generation.GenerationSpec { Seed = 11, Customers = 300, InvoicesPerCustomer = 0 });
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                fixture.Emulator.CreateCustomer(account.Id, new NewCustomer { Email = "new@example.com" });
                await Task.Delay(1);
            }
        });
        var seen = await ListingTests.ListAll(o => new CustomerService(fixture.Client(account.SecretKey)).ListAsync(o), new CustomerListOptions());
        await stop.CancelAsync();
        await writer;
        var generated = seen.Where(c => c.Email != "new@example.com").ToList();
        Assert.Equal(300, generated.Count);
        Assert.Equal(seen.Count, seen.Select(c => c.Id).Distinct().Count());
    }

    [Fact]
    public async Task Events_filter_by_created_and_type_and_expire_after_30_days()
    {
        var (account, key, invoiceId) = OpenInvoice();
        var service = new EventService(fixture.Client(key));
        var finalized = await service.ListAsync(new EventListOptions { Type = "invoice.finalized" });
        var ev = Assert.Single(finalized.Data);
        Assert.Equal(invoiceId, ((Invoice)ev.Data.Object).Id);
        Assert.Equal(StripeApi.Version, ev.ApiVersion);
        var since = await service.ListAsync(new EventListOptions { Created = new DateRangeOptions { GreaterThan = ev.Created } });
        Assert.DoesNotContain(since.Data, e => e.Created <= ev.Created);
        Assert.NotEmpty((await service.ListAsync(new EventListOptions { Types = ["invoice.*"] })).Data);

        var clock = fixture.Emulator.Clock;
        clock.Advance(TimeSpan.FromDays(31));
        try
        {
            Assert.Empty((await service.ListAsync()).Data);
            var gone = await Assert.ThrowsAsync<StripeException>(() => service.GetAsync(ev.Id));
            Assert.Equal(HttpStatusCode.NotFound, gone.HttpStatusCode);
        }
        finally { clock.Advance(TimeSpan.FromDays(-31)); }
    }

    [Fact]
    public async Task Webhooks_are_signed_so_Stripe_net_validates_them_and_misbehave_on_demand()
    {
        var received = new System.Collections.Concurrent.ConcurrentQueue<(string Payload, string Signature)>();
        await using var receiver = await WebhookReceiver.StartAsync(received);
        var (account, _, invoiceId) = OpenInvoice();
        var secret = fixture.Emulator.ConfigureWebhook(account, receiver.Url, autoDeliver: true);
        fixture.Emulator.VoidInvoice(account, invoiceId);
        await fixture.Emulator.WaitForWebhooksAsync();
        Assert.Equal(2, received.Count);
        foreach (var (payload, signature) in received)
        {
            var ev = EventUtility.ConstructEvent(payload, signature, secret, throwOnApiVersionMismatch: true);
            Assert.StartsWith("invoice.", ev.Type);
        }

        received.Clear();
        var voided = fixture.Emulator.Events(account).Where(e => e.Type == "invoice.voided").Select(e => e.Id).ToList();
        await fixture.Emulator.DeliverEventsAsync(account, voided, new WebhookDeliveryOptions { Duplicates = 2, BadSignature = true });
        Assert.Equal(3, received.Count);
        Assert.All(received, r => Assert.Throws<StripeException>(() => EventUtility.ValidateSignature(r.Payload, r.Signature, secret)));

        received.Clear();
        await fixture.Emulator.DeliverEventsAsync(account, voided, new WebhookDeliveryOptions { Drop = true });
        Assert.Empty(received);
        Assert.Contains(fixture.Emulator.WebhookDeliveries(account), d => d.Dropped && d.EventId == voided[0]);
    }

    [Fact]
    public async Task Applied_payment_pays_the_invoice_and_unapplied_payment_stays_unlinked()
    {
        var (account, key, invoiceId) = OpenInvoice(5_000);
        var customer = (await new InvoiceService(fixture.Client(key)).GetAsync(invoiceId)).CustomerId;
        var applied = fixture.Emulator.CreatePayment(account, new NewPayment { Customer = customer, Invoice = invoiceId, NewMethod = NewPaymentMethod.ForSepaDebit() });
        var unapplied = fixture.Emulator.CreatePayment(account, new NewPayment { Customer = customer, Amount = 700 });
        var payments = await new InvoicePaymentService(fixture.Client(key)).ListAsync(new InvoicePaymentListOptions { Invoice = invoiceId, Expand = ["data.payment.payment_intent.payment_method"] });
        var payment = Assert.Single(payments.Data);
        Assert.Equal(applied.InvoicePaymentId, payment.Id);
        Assert.Equal("sepa_debit", payment.Payment.PaymentIntent.PaymentMethod.Type);
        Assert.Null(unapplied.InvoicePaymentId);
        Assert.Equal("paid", (await new InvoiceService(fixture.Client(key)).GetAsync(invoiceId)).Status);
        var types = fixture.Emulator.Events(account).Select(e => e.Type).ToList();
        Assert.Contains("invoice_payment.paid", types);
        Assert.Contains("payment_intent.succeeded", types);
    }
}
