using System.Text.Json;
using Upflow.Orleans.Tests.Infrastructure;
using Upflow.StripeEmulator.Generation;

namespace Upflow.Orleans.Tests.Backfill;

/// <summary>The product splitting a listing's remaining range after every page, so a small tenant is paged in many slices.</summary>
public sealed class SlicingSyncApp : SyncApp
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
        [.. base.Settings(), new("Upflow:Sync:SplitAfterPages", "1"), new("Upflow:Sync:MaxSlices", "16")];
}

public sealed class SlicedBackfillTests(SlicingSyncApp app) : IClassFixture<SlicingSyncApp>
{
    [Fact]
    public async Task A_backfill_paged_in_slices_of_created_time_imports_every_object_exactly_once()
    {
        var account = app.Stripe.CreateAccount();
        var expected = app.Stripe.Generate(account.Id, new GenerationSpec { Seed = 21, Customers = 400, InvoicesPerCustomer = 3, UnappliedPaymentRatio = 0.2 });
        var client = app.Client((await app.CreateOrganizationAsync()).ApiKey);

        var sync = await app.ConnectAndWaitAsync(client, account.SecretKey);

        SyncApp.AssertCounted(sync, expected);
        await AssertEachOnceAsync(client, "/v1/customers", expected.Customers);
        await AssertEachOnceAsync(client, "/v1/invoices", expected.NonDraftInvoices);
        await AssertEachOnceAsync(client, "/v1/payments", expected.PaidInvoicePayments);

        // Side by side, the slices still read each page of the data once: a slice costs at most its
        // last, partial page, and a probe of a range that turns out empty one request.
        static long Pages(int objects) => Math.Max(1, (objects + 99) / 100);
        var minimum = Pages(expected.Customers) + Pages(expected.Invoices) + Pages(expected.InvoicePayments) + Pages(expected.PaymentIntents);
        var lists = app.Stripe.RequestCounts(account.Id)
            .Where(endpoint => endpoint.Endpoint is "GET /v1/customers" or "GET /v1/invoices" or "GET /v1/invoice_payments" or "GET /v1/payment_intents")
            .Sum(endpoint => endpoint.Requests);
        Assert.InRange(lists, minimum + 1, minimum * 2);
    }

    private static async Task AssertEachOnceAsync(HttpClient client, string path, int expected)
    {
        var items = await SyncApp.ReadAllAsync(client, path);
        Assert.Equal(expected, items.Count);
        Assert.Equal(expected, items.Select(item => item.GetProperty("id").GetString()).Distinct().Count());
    }
}
