using System.Buffers.Text;
using System.Text;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;
using static Upflow.Orleans.Tests.Storage.LedgerSamples;

namespace Upflow.Orleans.Tests.Storage;

public sealed class LedgerQueriesTests(LedgerFixture ledger) : IClassFixture<LedgerFixture>
{
    private static readonly DateTimeOffset StartOfToday = new(2025, 6, 10, 0, 0, 0, TimeSpan.FromHours(2)); // Europe/Paris midnight

    private readonly string _organization = LedgerFixture.NewOrganization();
    private LedgerStore Store => ledger.Store;
    private LedgerQueries Queries => ledger.Queries;

    [Fact]
    public async Task Paging_through_customers_returns_each_exactly_once_in_id_order()
    {
        var ids = Enumerable.Range(0, 203).Select(i => $"cus_{i:D5}").ToList();
        await Task.WhenAll(ids.Select(id => Store.SaveCustomerAsync(Customer(_organization, id))));

        var seen = await ReadAllAsync((limit, cursor) => Queries.ListCustomersAsync(_organization, limit, cursor), 10, c => c.Id);

        Assert.Equal(ids, seen);
    }

    [Fact]
    public async Task Last_page_has_no_next_cursor_even_when_it_is_exactly_full()
    {
        await Task.WhenAll(Enumerable.Range(0, 4).Select(i => Store.SavePaymentAsync(StripePayment(_organization, $"inpay_{i}"))));

        var first = await Queries.ListPaymentsAsync(_organization, null, null, null, 2, null);
        var second = await Queries.ListPaymentsAsync(_organization, null, null, null, 2, first.NextCursor);

        Assert.NotNull(first.NextCursor);
        Assert.Equal(2, second.Items.Count);
        Assert.Null(second.NextCursor);
    }

    [Fact]
    public async Task Invoice_statuses_follow_stripe_status_and_the_start_of_today_passed_in()
    {
        await Task.WhenAll(
            Store.SaveInvoiceAsync(Invoice(_organization, "in_overdue_long_ago", dueDate: StartOfToday.AddDays(-40))),
            Store.SaveInvoiceAsync(Invoice(_organization, "in_overdue_by_a_second", dueDate: StartOfToday.AddSeconds(-1))),
            Store.SaveInvoiceAsync(Invoice(_organization, "in_due_at_midnight", dueDate: StartOfToday)),
            Store.SaveInvoiceAsync(Invoice(_organization, "in_due_later", dueDate: StartOfToday.AddDays(3))),
            Store.SaveInvoiceAsync(Invoice(_organization, "in_due_without_date", dueDate: null)),
            Store.SaveInvoiceAsync(Invoice(_organization, "in_paid", StripeInvoiceStatus.Paid, StartOfToday.AddDays(-40))),
            Store.SaveInvoiceAsync(Invoice(_organization, "in_uncollectible", StripeInvoiceStatus.Uncollectible, StartOfToday.AddDays(-40))),
            Store.SaveInvoiceAsync(Invoice(_organization, "in_void", StripeInvoiceStatus.Void, StartOfToday.AddDays(-40))));

        // OVERDUE and DUE come oldest due date first, invoices without a due date last.
        Assert.Equal(["in_overdue_long_ago", "in_overdue_by_a_second"], await InvoiceIdsAsync(LedgerInvoiceStatus.OVERDUE));
        Assert.Equal(["in_due_at_midnight", "in_due_later", "in_due_without_date"], await InvoiceIdsAsync(LedgerInvoiceStatus.DUE));
        Assert.Equal(["in_paid", "in_uncollectible"], await InvoiceIdsAsync(LedgerInvoiceStatus.PAID));
        Assert.Equal(["in_void"], await InvoiceIdsAsync(LedgerInvoiceStatus.VOIDED));
        Assert.Equal(8, (await InvoiceIdsAsync(null)).Count);
    }

    [Fact]
    public async Task An_invoice_becomes_OVERDUE_when_the_day_after_its_due_date_begins()
    {
        await Store.SaveInvoiceAsync(Invoice(_organization, "in_due_today", dueDate: StartOfToday.AddHours(15)));

        Assert.Equal(["in_due_today"], await InvoiceIdsAsync(LedgerInvoiceStatus.DUE));
        Assert.Empty(await InvoiceIdsAsync(LedgerInvoiceStatus.OVERDUE));
        Assert.Equal(["in_due_today"], await InvoiceIdsAsync(LedgerInvoiceStatus.OVERDUE, StartOfToday.AddDays(1)));
        Assert.Empty(await InvoiceIdsAsync(LedgerInvoiceStatus.DUE, StartOfToday.AddDays(1)));
    }

    [Fact]
    public async Task Paging_through_DUE_and_OVERDUE_invoices_returns_each_exactly_once_including_those_without_due_date()
    {
        var invoices = Enumerable.Range(0, 90).Select(i => Invoice(_organization, $"in_{i:D3}",
            // Shared due dates, some before and some after today, every fifth without one.
            dueDate: i % 5 == 0 ? null : StartOfToday.AddDays(i % 9 - 4))).ToList();
        await Task.WhenAll(invoices.Select(Store.SaveInvoiceAsync));

        var overdue = await ReadAllAsync((limit, cursor) => Queries.ListInvoicesAsync(_organization, LedgerInvoiceStatus.OVERDUE, null, StartOfToday, limit, cursor), 4, i => i.Id);
        var due = await ReadAllAsync((limit, cursor) => Queries.ListInvoicesAsync(_organization, LedgerInvoiceStatus.DUE, null, StartOfToday, limit, cursor), 4, i => i.Id);

        Assert.Equal(invoices.Where(i => i.Snapshot.DueDate < StartOfToday).Select(i => i.Id).Order(), overdue.Order());
        Assert.Equal(invoices.Where(i => !(i.Snapshot.DueDate < StartOfToday)).Select(i => i.Id).Order(), due.Order());
        Assert.Equal(invoices.Count, overdue.Concat(due).Distinct().Count());
    }

    [Fact]
    public async Task Invoices_filter_by_customer_alone_and_with_a_status()
    {
        await Task.WhenAll(
            Store.SaveInvoiceAsync(Invoice(_organization, "in_a1", customerId: "cus_a", dueDate: StartOfToday.AddDays(-1))),
            Store.SaveInvoiceAsync(Invoice(_organization, "in_a2", StripeInvoiceStatus.Paid, customerId: "cus_a")),
            Store.SaveInvoiceAsync(Invoice(_organization, "in_b1", customerId: "cus_b", dueDate: StartOfToday.AddDays(-1))));

        Assert.Equal(["in_a1", "in_a2"], await InvoiceIdsAsync(null, customerId: "cus_a"));
        Assert.Equal(["in_a1"], await InvoiceIdsAsync(LedgerInvoiceStatus.OVERDUE, customerId: "cus_a"));
        Assert.Equal(["in_b1"], await InvoiceIdsAsync(LedgerInvoiceStatus.OVERDUE, customerId: "cus_b"));
    }

    [Fact]
    public async Task Contacts_filter_by_customer_and_by_custom_field_source()
    {
        await Store.SaveCustomerAsync(Customer(_organization, "cus_a",
            new Contact("main@a.test", Contact.Sources.Stripe, Contact.Roles.Main),
            new Contact("to@a.test", Contact.Sources.CustomField, Contact.Roles.To),
            new Contact("cc@a.test", Contact.Sources.CustomField, Contact.Roles.Cc)));
        await Store.SaveCustomerAsync(Customer(_organization, "cus_b",
            new Contact("main@b.test", Contact.Sources.Stripe, Contact.Roles.Main)));

        var customField = (await Queries.ListContactsAsync(_organization, null, Contact.Sources.CustomField, 50, null)).Items;
        var ofB = (await Queries.ListContactsAsync(_organization, "cus_b", null, 50, null)).Items;
        var all = await ReadAllAsync((limit, cursor) => Queries.ListContactsAsync(_organization, null, null, limit, cursor), 1, c => c.Id);

        Assert.Equal(["cc@a.test", "to@a.test"], customField.Select(c => c.Email).Order());
        Assert.All(customField, c => Assert.Equal("cus_a", c.CustomerId));
        var b = Assert.Single(ofB);
        Assert.Equal(("main@b.test", "stripe", "main", "cus_b"), (b.Email, b.Source, b.Role, b.CustomerId));
        Assert.Equal(4, all.Distinct().Count());
    }

    [Fact]
    public async Task Payments_filter_by_export_status_invoice_and_source()
    {
        await Task.WhenAll(
            Store.SavePaymentAsync(StripePayment(_organization, "inpay_1", invoiceId: "in_1")),
            Store.SavePaymentAsync(StripePayment(_organization, "inpay_2", invoiceId: "in_2")),
            Store.SavePaymentAsync(PortalPayment(_organization, "pay_error", ExportStatuses.Error, invoiceId: "in_2")),
            Store.SavePaymentAsync(PortalPayment(_organization, "pay_pending", ExportStatuses.Pending, invoiceId: "in_3")),
            Store.SavePaymentAsync(PortalPayment(_organization, "pay_exported", ExportStatuses.Exported, invoiceId: "in_1")));

        Assert.Equal(["pay_error"], await PaymentIdsAsync(ExportStatuses.Error));
        Assert.Equal(["pay_pending"], await PaymentIdsAsync(ExportStatuses.Pending));
        Assert.Equal(["inpay_1", "inpay_2"], await PaymentIdsAsync(ExportStatuses.NotApplicable));
        Assert.Equal(["inpay_2", "pay_error"], await PaymentIdsAsync(invoiceId: "in_2"));
        Assert.Equal(["pay_error", "pay_exported", "pay_pending"], await PaymentIdsAsync(source: PaymentRecord.Sources.Portal));
        Assert.Equal(["inpay_1", "inpay_2"], await PaymentIdsAsync(source: PaymentRecord.Sources.Stripe));
        Assert.Equal(["pay_exported"], await PaymentIdsAsync(ExportStatuses.Exported, "in_1", PaymentRecord.Sources.Portal));
    }

    [Fact]
    public async Task An_organization_never_lists_another_organizations_rows()
    {
        var other = LedgerFixture.NewOrganization();
        foreach (var organization in new[] { _organization, other })
        {
            await Store.SaveCustomerAsync(Customer(organization, "cus_" + organization));
            await Store.SaveInvoiceAsync(Invoice(organization, "in_" + organization, customerId: "cus_shared", dueDate: StartOfToday.AddDays(-1)));
            await Store.SavePaymentAsync(PortalPayment(organization, "pay_" + organization, ExportStatuses.Error, invoiceId: "in_shared"));
        }

        Assert.Equal(["cus_" + _organization], (await Queries.ListCustomersAsync(_organization, 50, null)).Items.Select(c => c.Id));
        Assert.All((await Queries.ListContactsAsync(_organization, null, null, 50, null)).Items, c => Assert.Equal(_organization, c.OrganizationId));
        Assert.Single((await Queries.ListContactsAsync(_organization, null, null, 50, null)).Items);
        foreach (LedgerInvoiceStatus? status in new LedgerInvoiceStatus?[] { null, LedgerInvoiceStatus.OVERDUE })
        {
            Assert.Equal(["in_" + _organization], await InvoiceIdsAsync(status, customerId: "cus_shared"));
        }

        Assert.Equal(["pay_" + _organization], await PaymentIdsAsync(ExportStatuses.Error, "in_shared"));
    }

    [Theory]
    [InlineData("not a cursor!")]
    [InlineData("")]
    [InlineData("Zm9v")] // "foo"
    [InlineData("bm9wZXxpbl8x")] // "nope|in_1"
    public async Task A_malformed_cursor_is_refused(string cursor)
    {
        await Assert.ThrowsAsync<InvalidCursorException>(() => Queries.ListCustomersAsync(_organization, 10, cursor));
        await Assert.ThrowsAsync<InvalidCursorException>(() => Queries.ListContactsAsync(_organization, null, null, 10, cursor));
        await Assert.ThrowsAsync<InvalidCursorException>(() => Queries.ListInvoicesAsync(_organization, null, null, StartOfToday, 10, cursor));
        await Assert.ThrowsAsync<InvalidCursorException>(() => Queries.ListInvoicesAsync(_organization, LedgerInvoiceStatus.OVERDUE, null, StartOfToday, 10, cursor));
        await Assert.ThrowsAsync<InvalidCursorException>(() => Queries.ListPaymentsAsync(_organization, null, null, null, 10, cursor));
    }

    [Fact]
    public async Task A_cursor_from_another_list_is_refused()
    {
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => Store.SaveInvoiceAsync(Invoice(_organization, $"in_{i}", dueDate: StartOfToday.AddDays(-i - 1)))));
        var byId = (await Queries.ListInvoicesAsync(_organization, null, null, StartOfToday, 1, null)).NextCursor;
        var byDue = (await Queries.ListInvoicesAsync(_organization, LedgerInvoiceStatus.OVERDUE, null, StartOfToday, 1, null)).NextCursor;

        await Assert.ThrowsAsync<InvalidCursorException>(() => Queries.ListInvoicesAsync(_organization, LedgerInvoiceStatus.OVERDUE, null, StartOfToday, 1, byId));
        await Assert.ThrowsAsync<InvalidCursorException>(() => Queries.ListInvoicesAsync(_organization, LedgerInvoiceStatus.PAID, null, StartOfToday, 1, byDue));
        await Assert.ThrowsAsync<InvalidCursorException>(() => Queries.ListPaymentsAsync(_organization, null, null, null, 1, byId));
        await Assert.ThrowsAsync<InvalidCursorException>(() => Queries.ListInvoicesAsync(_organization, LedgerInvoiceStatus.DUE, null, StartOfToday, 1,
            Base64Url.EncodeToString(Encoding.UTF8.GetBytes("due|yesterday|in_1"))));
    }

    [Fact]
    public async Task Cursors_are_opaque_to_clients()
    {
        await Task.WhenAll(Enumerable.Range(0, 3).Select(i => Store.SaveCustomerAsync(Customer(_organization, $"cus_{i}"))));

        var cursor = (await Queries.ListCustomersAsync(_organization, 1, null)).NextCursor!;

        Assert.DoesNotContain("cus_", cursor);
        Assert.Matches("^[A-Za-z0-9_-]+$", cursor);
    }

    private async Task<List<string>> InvoiceIdsAsync(LedgerInvoiceStatus? status, DateTimeOffset? startOfToday = null, string? customerId = null) =>
        await ReadAllAsync((limit, cursor) => Queries.ListInvoicesAsync(_organization, status, customerId, startOfToday ?? StartOfToday, limit, cursor), 2, i => i.Id);

    private async Task<List<string>> PaymentIdsAsync(string? exportStatus = null, string? invoiceId = null, string? source = null) =>
        await ReadAllAsync((limit, cursor) => Queries.ListPaymentsAsync(_organization, exportStatus, invoiceId, source, limit, cursor), 2, p => p.Id);

    /// <summary>Follows the cursors to the end, failing on a repeated row or a page that never ends.</summary>
    private static async Task<List<string>> ReadAllAsync<T>(Func<int, string?, Task<Page<T>>> list, int limit, Func<T, string> id)
    {
        var ids = new List<string>();
        string? cursor = null;
        for (var pages = 0; pages < 10_000; pages++)
        {
            var page = await list(limit, cursor);
            Assert.True(page.Items.Count <= limit);
            ids.AddRange(page.Items.Select(id));
            if (page.NextCursor is null)
            {
                Assert.Equal(ids.Count, ids.Distinct().Count());
                return ids;
            }

            Assert.NotEmpty(page.Items);
            cursor = page.NextCursor;
        }

        throw new InvalidOperationException("Paging never ended.");
    }
}
