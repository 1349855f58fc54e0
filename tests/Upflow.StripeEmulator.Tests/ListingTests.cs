using System.Net;
using Stripe;

namespace Upflow.StripeEmulator.Tests;

public sealed class ListingTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    [Fact]
    public async Task Api_version_is_the_one_Stripe_net_pins_and_is_echoed()
    {
        Assert.Equal(StripeApi.Version, StripeConfiguration.ApiVersion);
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", fixture.Account.SecretKey);
        using var response = await http.GetAsync(fixture.Emulator.BaseUrl + "/v1/account");
        Assert.Equal(StripeApi.Version, response.Headers.GetValues("Stripe-Version").Single());
    }

    [Fact]
    public async Task Account_is_retrieved_with_its_dashboard_timezone()
    {
        var account = await new AccountService(fixture.Client()).GetSelfAsync();
        Assert.Equal(fixture.Account.Id, account.Id);
        Assert.Equal("Europe/Paris", account.Settings.Dashboard.Timezone);
        Assert.Equal(fixture.Account.Email, account.Email);
    }

    [Fact]
    public async Task An_account_is_older_than_its_oldest_generated_object()
    {
        var account = await new AccountService(fixture.Client()).GetSelfAsync();
        var oldest = DateTime.MaxValue;
        var service = new CustomerService(fixture.Client());
        string? cursor = null;
        do
        {
            var page = await service.ListAsync(new CustomerListOptions { Limit = 100, StartingAfter = cursor });
            oldest = page.Data.Select(c => c.Created).Append(oldest).Min();
            cursor = page.HasMore ? page.Data[^1].Id : null;
        } while (cursor is not null);

        Assert.True(account.Created <= oldest, $"account created {account.Created:O}, oldest customer {oldest:O}");
        Assert.True(account.Created > DateTime.UnixEpoch);
    }

    [Fact]
    public async Task Unknown_api_key_is_401_in_Stripe_error_shape()
    {
        var error = await Assert.ThrowsAsync<StripeException>(() => new CustomerService(fixture.Client("sk_test_unknown_key_1234")).ListAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, error.HttpStatusCode);
        Assert.Equal("invalid_request_error", error.StripeError.Type);
        Assert.StartsWith("Invalid API Key provided", error.StripeError.Message);
    }

    [Fact]
    public async Task Listing_customers_pages_newest_first_with_starting_after_and_is_exhaustive()
    {
        var service = new CustomerService(fixture.Client());
        var seen = new List<Customer>();
        string? cursor = null;
        while (true)
        {
            var page = await service.ListAsync(new CustomerListOptions { Limit = 40, StartingAfter = cursor });
            seen.AddRange(page.Data);
            if (!page.HasMore) break;
            cursor = page.Data[^1].Id;
        }
        Assert.Equal(fixture.Counts.Customers, seen.Count);
        Assert.Equal(seen.Count, seen.Select(c => c.Id).Distinct().Count());
        Assert.True(seen.Zip(seen.Skip(1)).All(p => p.First.Created >= p.Second.Created));
    }

    [Fact]
    public async Task Ending_before_returns_the_page_just_newer_than_the_cursor()
    {
        var service = new CustomerService(fixture.Client());
        var first = await service.ListAsync(new CustomerListOptions { Limit = 10 });
        var second = await service.ListAsync(new CustomerListOptions { Limit = 10, StartingAfter = first.Data[^1].Id });
        var back = await service.ListAsync(new CustomerListOptions { Limit = 10, EndingBefore = second.Data[0].Id });
        Assert.Equal(first.Data.Select(c => c.Id), back.Data.Select(c => c.Id));
        Assert.False(back.HasMore);
    }

    [Fact]
    public async Task Customer_tax_sources_and_subscriptions_appear_only_when_expanded()
    {
        var service = new CustomerService(fixture.Client());
        var plain = await service.ListAsync(new CustomerListOptions { Limit = 100 });
        Assert.All(plain.Data, c => { Assert.Null(c.Tax); Assert.Null(c.Sources); Assert.Null(c.Subscriptions); });
        var expanded = await service.ListAsync(new CustomerListOptions
        {
            Limit = 100,
            Expand = ["data.tax", "data.sources", "data.subscriptions", "data.invoice_settings.default_payment_method"],
        });
        Assert.All(expanded.Data, c => { Assert.NotNull(c.Tax); Assert.NotNull(c.Sources); Assert.NotNull(c.Subscriptions); });
        Assert.Contains(expanded.Data, c => c.Tax.Location?.Country is { Length: 2 });
        Assert.Contains(expanded.Data, c => c.InvoiceSettings.DefaultPaymentMethod?.Type is not null);
        Assert.Contains(expanded.Data, c => c.Metadata.ContainsKey("Additional emails to"));
        Assert.Contains(expanded.Data, c => c.Discount?.Source.CouponId is not null);
    }

    [Fact]
    public async Task Invoices_filter_by_status_and_customer()
    {
        var service = new InvoiceService(fixture.Client());
        var drafts = await ListAll(o => service.ListAsync(o), new InvoiceListOptions { Status = "draft" });
        Assert.Equal(fixture.Counts.DraftInvoices, drafts.Count);
        Assert.All(drafts, i => Assert.Null(i.Number));
        var one = drafts[0].CustomerId;
        var forCustomer = await service.ListAsync(new InvoiceListOptions { Customer = one, Limit = 100 });
        Assert.All(forCustomer.Data, i => Assert.Equal(one, i.CustomerId));
        Assert.Contains(forCustomer.Data, i => i.Id == drafts[0].Id);
    }

    [Fact]
    public async Task Invoice_payments_expand_four_levels_to_the_payment_method()
    {
        var service = new InvoicePaymentService(fixture.Client());
        var page = await service.ListAsync(new InvoicePaymentListOptions
        {
            Status = "paid",
            Limit = 100,
            Expand = ["data.payment.payment_intent.payment_method", "data.payment.charge"],
        });
        Assert.NotEmpty(page.Data);
        Assert.All(page.Data, p => { Assert.Equal("invoice_payment", p.Object); Assert.StartsWith("inpay_", p.Id); Assert.Equal(p.AmountRequested, p.AmountPaid); });
        var viaIntent = page.Data.First(p => p.Payment.Type == "payment_intent");
        Assert.NotNull(viaIntent.Payment.PaymentIntent.PaymentMethod.Type);
        var viaCharge = page.Data.FirstOrDefault(p => p.Payment.Type == "charge");
        if (viaCharge is not null) Assert.NotNull(viaCharge.Payment.Charge.PaymentMethodDetails.Type);
    }

    [Fact]
    public async Task Invoice_payments_list_all_and_by_invoice()
    {
        var service = new InvoicePaymentService(fixture.Client());
        var all = await ListAll(o => service.ListAsync(o), new InvoicePaymentListOptions());
        Assert.Equal(fixture.Counts.InvoicePayments, all.Count);
        var paid = all.Where(p => p.Status == "paid").ToList();
        Assert.Equal(fixture.Counts.PaidInvoicePayments, paid.Count);
        var byInvoice = await service.ListAsync(new InvoicePaymentListOptions { Invoice = paid[0].InvoiceId });
        Assert.Contains(byInvoice.Data, p => p.Id == paid[0].Id);
        var invoice = await new InvoiceService(fixture.Client()).GetAsync(paid[0].InvoiceId, new InvoiceGetOptions { Expand = ["payments"] });
        Assert.Equal("paid", invoice.Status);
        Assert.Contains(invoice.Payments.Data, p => p.Id == paid[0].Id);
        Assert.NotNull(invoice.StatusTransitions.PaidAt);
        Assert.Equal(0, invoice.AmountRemaining);
    }

    [Fact]
    public async Task Unapplied_payment_intents_have_no_invoice_payment()
    {
        var client = fixture.Client();
        var intents = await ListAll(o => new PaymentIntentService(client).ListAsync(o), new PaymentIntentListOptions());
        var applied = (await ListAll(o => new InvoicePaymentService(client).ListAsync(o), new InvoicePaymentListOptions()))
            .Select(p => p.Payment.PaymentIntentId).Where(id => id is not null).ToHashSet();
        Assert.Equal(fixture.Counts.UnappliedPayments, intents.Count(pi => !applied.Contains(pi.Id)));
        var unapplied = intents.First(pi => !applied.Contains(pi.Id));
        var charge = await new ChargeService(client).GetAsync(unapplied.LatestChargeId, new ChargeGetOptions { Expand = ["payment_intent"] });
        Assert.Equal(unapplied.Id, charge.PaymentIntent.Id);
        Assert.NotNull(charge.PaymentMethodDetails.Type);
        var charges = await new ChargeService(client).ListAsync(new ChargeListOptions { PaymentIntent = unapplied.Id });
        Assert.Equal(charge.Id, Assert.Single(charges.Data).Id);
    }

    [Fact]
    public async Task Payment_methods_carry_card_sepa_and_us_bank_details()
    {
        var methods = await ListAll(o => new PaymentMethodService(fixture.Client()).ListAsync(o), new PaymentMethodListOptions());
        Assert.Equal(fixture.Counts.PaymentMethods, methods.Count);
        Assert.Contains(methods, m => m.Type == "card" && m.Card.Brand is not null && m.Card.Last4.Length == 4);
        Assert.Contains(methods, m => m.Type == "sepa_debit" && m.SepaDebit.BankCode is not null);
        Assert.Contains(methods, m => m.Type == "us_bank_account" && m.UsBankAccount.BankName is not null);
        var one = await new PaymentMethodService(fixture.Client()).GetAsync(methods[0].Id);
        Assert.Equal(methods[0].Type, one.Type);
    }

    [Theory]
    [InlineData("/v1/invoices?foo=bar", 400, "Received unknown parameter: foo")]
    [InlineData("/v1/invoices?limit=0", 400, "This value must be greater than or equal to 1.")]
    [InlineData("/v1/invoices?limit=101", 400, "This value must be less than or equal to 100.")]
    [InlineData("/v1/invoices?starting_after=in_missing", 400, "No such invoice: 'in_missing'")]
    [InlineData("/v1/invoices/in_missing", 404, "No such invoice: 'in_missing'")]
    [InlineData("/v1/customers?expand[]=data.nope", 400, "This property cannot be expanded (data.nope).")]
    public async Task Bad_requests_get_Stripe_errors(string path, int status, string message)
    {
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", fixture.Account.SecretKey);
        using var response = await http.GetAsync(fixture.Emulator.BaseUrl + path);
        Assert.Equal(status, (int)response.StatusCode);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(message, error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Deleted_customer_is_retrievable_as_deleted_and_no_longer_listed()
    {
        var account = fixture.Emulator.CreateAccount();
        var id = fixture.Emulator.CreateCustomer(account.Id, new Mutations.NewCustomer { Email = "gone@example.com" });
        fixture.Emulator.DeleteCustomer(account.Id, id);
        var service = new CustomerService(fixture.Client(account.SecretKey));
        var customer = await service.GetAsync(id);
        Assert.True(customer.Deleted);
        Assert.Empty((await service.ListAsync()).Data);
    }

    internal static async Task<List<T>> ListAll<T, TOptions>(Func<TOptions, Task<StripeList<T>>> list, TOptions options)
        where T : IStripeEntity, IHasId where TOptions : ListOptions
    {
        var all = new List<T>();
        options.Limit = 100;
        while (true)
        {
            var page = await list(options);
            all.AddRange(page.Data);
            if (!page.HasMore) return all;
            options.StartingAfter = page.Data[^1].Id;
        }
    }
}
