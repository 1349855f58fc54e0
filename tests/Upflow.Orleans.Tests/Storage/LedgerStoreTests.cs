using Npgsql;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;
using static Upflow.Orleans.Tests.Storage.LedgerSamples;

namespace Upflow.Orleans.Tests.Storage;

public sealed class LedgerStoreTests(LedgerFixture ledger) : IClassFixture<LedgerFixture>
{
    private readonly string _organization = LedgerFixture.NewOrganization();

    [Fact]
    public async Task Customer_comes_back_exactly_as_saved_with_contacts_native_fields_and_every_kind_of_custom_field()
    {
        var customer = Customer(_organization, "cus_roundtrip",
            new Contact("billing@acme.test", Contact.Sources.Stripe, Contact.Roles.Main),
            new Contact("A@acme.test", Contact.Sources.CustomField, Contact.Roles.To),
            new Contact("b@acme.test", Contact.Sources.CustomField, Contact.Roles.Cc));

        await ledger.Store.SaveCustomerAsync(customer);

        DeepAssert.Equal(customer, await ledger.Store.FindCustomerAsync(_organization, "cus_roundtrip"));
    }

    [Fact]
    public async Task An_exported_payment_stays_exported_whatever_an_older_writer_saves_after_it()
    {
        var exported = PortalPayment(_organization, "pay_final", ExportStatuses.Exported);
        await ledger.Store.SavePaymentAsync(exported);

        // What an activation on a silo declared dead could still flush: the same payment, pending.
        await ledger.Store.SavePaymentAsync(PortalPayment(_organization, "pay_final", ExportStatuses.Pending));
        await ledger.Store.SavePaymentAsync(PortalPayment(_organization, "pay_final", ExportStatuses.Error));

        DeepAssert.Equal(exported, await ledger.Store.FindPaymentAsync(_organization, "pay_final"));
    }

    [Fact]
    public async Task A_paid_invoice_stays_paid_whatever_an_older_writer_saves_after_it()
    {
        var paid = Invoice(_organization, "in_final", StripeInvoiceStatus.Paid);
        var voided = Invoice(_organization, "in_void", StripeInvoiceStatus.Void);
        var uncollectible = Invoice(_organization, "in_uncollectible", StripeInvoiceStatus.Uncollectible);
        foreach (var invoice in new[] { paid, voided, uncollectible }) await ledger.Store.SaveInvoiceAsync(invoice);

        // What an activation on a silo declared dead could still flush: an earlier status.
        await ledger.Store.SaveInvoiceAsync(Invoice(_organization, "in_final", StripeInvoiceStatus.Open));
        await ledger.Store.SaveInvoiceAsync(Invoice(_organization, "in_final", StripeInvoiceStatus.Void));
        await ledger.Store.SaveInvoiceAsync(Invoice(_organization, "in_void", StripeInvoiceStatus.Uncollectible));
        await ledger.Store.SaveInvoiceAsync(Invoice(_organization, "in_uncollectible", StripeInvoiceStatus.Open));

        DeepAssert.Equal(paid, await ledger.Store.FindInvoiceAsync(_organization, "in_final"));
        DeepAssert.Equal(voided, await ledger.Store.FindInvoiceAsync(_organization, "in_void"));
        DeepAssert.Equal(uncollectible, await ledger.Store.FindInvoiceAsync(_organization, "in_uncollectible"));
        // Forward still moves: uncollectible → paid.
        var settled = Invoice(_organization, "in_uncollectible", StripeInvoiceStatus.Paid);
        await ledger.Store.SaveInvoiceAsync(settled);
        DeepAssert.Equal(settled, await ledger.Store.FindInvoiceAsync(_organization, "in_uncollectible"));
    }

    [Fact]
    public async Task A_deleted_customer_stays_deleted_without_contacts_whatever_an_older_writer_saves_after_it()
    {
        var customer = Customer(_organization, "cus_gone", new Contact("gone@acme.test", Contact.Sources.Stripe, Contact.Roles.Main));
        await ledger.Store.SaveCustomerAsync(customer);
        var deleted = customer with { Snapshot = customer.Snapshot with { Deleted = true }, Contacts = [], UpdatedAt = customer.UpdatedAt.AddSeconds(1) };
        await ledger.Store.SaveCustomerAsync(deleted);

        await ledger.Store.SaveCustomerAsync(customer);

        DeepAssert.Equal(deleted, await ledger.Store.FindCustomerAsync(_organization, "cus_gone"));
        Assert.Empty((await ledger.Queries.ListContactsAsync(_organization, "cus_gone", null, 50, null)).Items);
        Assert.Empty((await ledger.Queries.ListCustomersAsync(_organization, 50, null)).Items);
    }

    [Fact]
    public async Task A_customer_keeps_its_newest_snapshot_and_contacts_whatever_an_older_writer_saves_after_it()
    {
        var older = Customer(_organization, "cus_edited", new Contact("old@acme.test", Contact.Sources.Stripe, Contact.Roles.Main));
        var newer = Customer(_organization, "cus_edited", new Contact("new@acme.test", Contact.Sources.Stripe, Contact.Roles.Main));
        newer = newer with
        {
            Snapshot = newer.Snapshot with { Email = "new@acme.test", AsOf = older.Snapshot.AsOf.AddSeconds(3) },
            UpdatedAt = older.UpdatedAt.AddSeconds(3),
        };
        await ledger.Store.SaveCustomerAsync(newer);

        // What an activation on a silo declared dead could still flush: the state Stripe had before.
        await ledger.Store.SaveCustomerAsync(older);

        DeepAssert.Equal(newer, await ledger.Store.FindCustomerAsync(_organization, "cus_edited"));
        Assert.Equal(["new@acme.test"], (await ledger.Queries.ListContactsAsync(_organization, "cus_edited", null, 50, null)).Items.Select(c => c.Email));
        // A snapshot as of the same moment still lands (Stripe's events carry whole seconds).
        var sameMoment = newer with { InvalidContactAddresses = 0 };
        await ledger.Store.SaveCustomerAsync(sameMoment);
        DeepAssert.Equal(sameMoment, await ledger.Store.FindCustomerAsync(_organization, "cus_edited"));
    }

    [Fact]
    public async Task A_save_that_waited_for_another_writer_of_the_customer_replaces_the_contacts_that_writer_added()
    {
        var customer = Customer(_organization, "cus_overlap", new Contact("main@acme.test", Contact.Sources.Stripe, Contact.Roles.Main));
        await ledger.Store.SaveCustomerAsync(customer);

        // Another writer (a dying silo's activation) holds the customer's row and adds a contact.
        await using var other = await ledger.DataSource.OpenConnectionAsync();
        await using var transaction = await other.BeginTransactionAsync();
        foreach (var sql in new[]
                 {
                     "UPDATE upflow_customers SET updated_at = now() WHERE organization_id = $1 AND id = 'cus_overlap'",
                     "INSERT INTO upflow_contacts (organization_id, id, customer_id, email, source, role) VALUES ($1, 'cont_stale', 'cus_overlap', 'stale@acme.test', 'custom_field', 'cc')",
                 })
        {
            await using var hold = new NpgsqlCommand(sql, other, transaction);
            hold.Parameters.AddWithValue(_organization);
            await hold.ExecuteNonQueryAsync();
        }

        // The newer save waits for that row, then must still see (and remove) what the other writer added.
        var newer = customer with { Snapshot = customer.Snapshot with { AsOf = customer.Snapshot.AsOf.AddSeconds(1) }, UpdatedAt = customer.UpdatedAt.AddSeconds(1) };
        var save = ledger.Store.SaveCustomerAsync(newer);
        await Task.Delay(300);
        Assert.False(save.IsCompleted, "the save waits for the other writer's row lock");
        await transaction.CommitAsync();
        await save;

        Assert.Equal(["main@acme.test"], (await ledger.Queries.ListContactsAsync(_organization, "cus_overlap", null, 50, null)).Items.Select(c => c.Email));
    }

    [Fact]
    public async Task An_invoice_keeps_its_newest_snapshot_of_a_status_whatever_an_older_writer_saves_after_it()
    {
        var older = Invoice(_organization, "in_edited");
        var newer = older with { Snapshot = older.Snapshot with { AmountDue = 9_000, AmountRemaining = 9_000, AsOf = older.Snapshot.AsOf.AddSeconds(3) } };
        await ledger.Store.SaveInvoiceAsync(newer);

        await ledger.Store.SaveInvoiceAsync(older);

        DeepAssert.Equal(newer, await ledger.Store.FindInvoiceAsync(_organization, "in_edited"));
        // A later status still moves the invoice forward, whatever its "as of" (the grain's rule).
        var paid = Invoice(_organization, "in_edited", StripeInvoiceStatus.Paid);
        await ledger.Store.SaveInvoiceAsync(paid);
        DeepAssert.Equal(paid, await ledger.Store.FindInvoiceAsync(_organization, "in_edited"));
    }

    [Fact]
    public async Task Inserting_an_object_the_ledger_already_holds_changes_nothing()
    {
        var paid = Invoice(_organization, "in_held", StripeInvoiceStatus.Paid);
        await ledger.Store.SaveInvoiceAsync(paid);
        var customer = Customer(_organization, "cus_held", new Contact("held@acme.test", Contact.Sources.Stripe, Contact.Roles.Main));
        await ledger.Store.SaveCustomerAsync(customer);

        Assert.False(await ledger.Store.InsertInvoiceAsync(Invoice(_organization, "in_held")));
        Assert.False(await ledger.Store.InsertCustomerAsync(Customer(_organization, "cus_held",
            new Contact("other@acme.test", Contact.Sources.Stripe, Contact.Roles.Main))));

        DeepAssert.Equal(paid, await ledger.Store.FindInvoiceAsync(_organization, "in_held"));
        DeepAssert.Equal(customer, await ledger.Store.FindCustomerAsync(_organization, "cus_held"));
        var contacts = (await ledger.Queries.ListContactsAsync(_organization, "cus_held", null, 50, null)).Items;
        Assert.Equal(["held@acme.test"], contacts.Select(c => c.Email));
    }

    [Fact]
    public async Task A_new_object_inserted_twice_at_once_is_stored_once_with_its_contacts()
    {
        var first = Customer(_organization, "cus_new",
            new Contact("main@acme.test", Contact.Sources.Stripe, Contact.Roles.Main),
            new Contact("to@acme.test", Contact.Sources.CustomField, Contact.Roles.To));
        var second = Customer(_organization, "cus_new", new Contact("late@acme.test", Contact.Sources.Stripe, Contact.Roles.Main));
        var payment = StripePayment(_organization, "inpay_new");

        var inserted = await Task.WhenAll(
            ledger.Store.InsertCustomerAsync(first), ledger.Store.InsertCustomerAsync(second),
            ledger.Store.InsertPaymentAsync(payment), ledger.Store.InsertPaymentAsync(payment with { Amount = 1 }));

        Assert.Equal([true, false, true, false], inserted);
        DeepAssert.Equal(first, await ledger.Store.FindCustomerAsync(_organization, "cus_new"));
        DeepAssert.Equal(payment, await ledger.Store.FindPaymentAsync(_organization, "inpay_new"));
        var contacts = (await ledger.Queries.ListContactsAsync(_organization, "cus_new", null, 50, null)).Items;
        Assert.Equal(["main@acme.test", "to@acme.test"], contacts.Select(c => c.Email).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Custom_fields_come_back_in_the_order_they_were_saved()
    {
        var customer = Customer(_organization, "cus_order");

        await ledger.Store.SaveCustomerAsync(customer);

        var found = await ledger.Store.FindCustomerAsync(_organization, "cus_order");
        Assert.Equal(customer.CustomFields.Keys, found!.CustomFields.Keys);
        Assert.All(customer.CustomFields, field => Assert.Equal(field.Value, found.CustomFields[field.Key]));
        Assert.Equal(CustomFieldKind.StringList, found.CustomFields["sources"].Kind);
        Assert.Empty(found.CustomFields["sources"].Strings);
        Assert.Equal(CustomFieldKind.Null, found.CustomFields["Account manager"].Kind);
        Assert.Equal(CustomFieldKind.Boolean, found.CustomFields["taxExempt"].Kind);
    }

    [Fact]
    public async Task Invoice_comes_back_exactly_as_saved()
    {
        var invoice = Invoice(_organization, "in_roundtrip", dueDate: Moment.AddDays(20));

        await ledger.Store.SaveInvoiceAsync(invoice);

        DeepAssert.Equal(invoice, await ledger.Store.FindInvoiceAsync(_organization, "in_roundtrip"));
    }

    [Fact]
    public async Task Stripe_and_portal_payments_come_back_exactly_as_saved_with_their_payment_methods_and_export()
    {
        var stripe = StripePayment(_organization, "inpay_roundtrip");
        var portal = PortalPayment(_organization, "pay_roundtrip", ExportStatuses.Error);

        await Task.WhenAll(ledger.Store.SavePaymentAsync(stripe), ledger.Store.SavePaymentAsync(portal));

        DeepAssert.Equal(stripe, await ledger.Store.FindPaymentAsync(_organization, "inpay_roundtrip"));
        DeepAssert.Equal(portal, await ledger.Store.FindPaymentAsync(_organization, "pay_roundtrip"));
    }

    [Fact]
    public async Task Unknown_object_is_not_found()
    {
        Assert.Null(await ledger.Store.FindInvoiceAsync(_organization, "in_missing"));
        Assert.Null(await ledger.Store.FindCustomerAsync(_organization, "cus_missing"));
        Assert.Null(await ledger.Store.FindPaymentAsync(_organization, "inpay_missing"));
    }

    [Fact]
    public async Task Another_organization_never_finds_the_row_of_the_same_stripe_id()
    {
        var other = LedgerFixture.NewOrganization();
        await ledger.Store.SaveInvoiceAsync(Invoice(_organization, "in_shared", customerId: "cus_mine"));
        await ledger.Store.SaveInvoiceAsync(Invoice(other, "in_shared", customerId: "cus_theirs"));

        Assert.Equal("cus_mine", (await ledger.Store.FindInvoiceAsync(_organization, "in_shared"))!.Snapshot.CustomerId);
        Assert.Equal("cus_theirs", (await ledger.Store.FindInvoiceAsync(other, "in_shared"))!.Snapshot.CustomerId);
        Assert.Null(await ledger.Store.FindInvoiceAsync(LedgerFixture.NewOrganization(), "in_shared"));
    }

    [Fact]
    public async Task Hundreds_of_concurrent_saves_are_all_durable_once_acknowledged()
    {
        var invoices = Enumerable.Range(0, 400).Select(i => Invoice(_organization, $"in_{i:D4}", dueDate: Moment.AddDays(i % 7))).ToList();
        var customers = Enumerable.Range(0, 300).Select(i => Customer(_organization, $"cus_{i:D4}",
            new Contact($"c{i}@acme.test", Contact.Sources.Stripe, Contact.Roles.Main))).ToList();
        var payments = Enumerable.Range(0, 300).Select(i => StripePayment(_organization, $"inpay_{i:D4}")).ToList();

        await Task.WhenAll(
            invoices.Select(ledger.Store.SaveInvoiceAsync)
                .Concat(customers.Select(ledger.Store.SaveCustomerAsync))
                .Concat(payments.Select(ledger.Store.SavePaymentAsync)));

        // Counted on a connection of its own: what was acknowledged is committed, not merely queued.
        Assert.Equal(400, await CountAsync("upflow_invoices"));
        Assert.Equal(300, await CountAsync("upflow_customers"));
        Assert.Equal(300, await CountAsync("upflow_contacts"));
        Assert.Equal(300, await CountAsync("upflow_payments"));
        var reloaded = await Task.WhenAll(invoices.Select(i => ledger.Store.FindInvoiceAsync(_organization, i.Id)));
        Assert.Equal(invoices.Select(i => i.Id), reloaded.Select(i => i!.Id));
    }

    [Fact]
    public async Task Saving_the_same_object_twice_in_one_batch_keeps_the_last_save()
    {
        var first = Invoice(_organization, "in_twice");
        var second = Invoice(_organization, "in_twice", StripeInvoiceStatus.Paid);

        await Task.WhenAll(ledger.Store.SaveInvoiceAsync(first), ledger.Store.SaveInvoiceAsync(second));

        Assert.Equal(StripeInvoiceStatus.Paid, (await ledger.Store.FindInvoiceAsync(_organization, "in_twice"))!.Snapshot.StripeStatus);
    }

    [Fact]
    public async Task Saving_a_customer_replaces_its_contacts()
    {
        await ledger.Store.SaveCustomerAsync(Customer(_organization, "cus_contacts",
            new Contact("main@acme.test", Contact.Sources.Stripe, Contact.Roles.Main),
            new Contact("removed@acme.test", Contact.Sources.CustomField, Contact.Roles.To),
            new Contact("moved@acme.test", Contact.Sources.CustomField, Contact.Roles.Cc)));
        await ledger.Store.SaveCustomerAsync(Customer(_organization, "cus_other",
            new Contact("other@acme.test", Contact.Sources.Stripe, Contact.Roles.Main)));

        await ledger.Store.SaveCustomerAsync(Customer(_organization, "cus_contacts",
            new Contact("main@acme.test", Contact.Sources.Stripe, Contact.Roles.Main),
            new Contact("MOVED@acme.test", Contact.Sources.CustomField, Contact.Roles.To),
            new Contact("added@acme.test", Contact.Sources.CustomField, Contact.Roles.Cc)));

        var contacts = (await ledger.Queries.ListContactsAsync(_organization, "cus_contacts", null, 50, null)).Items;
        Assert.Equal(
            ["MOVED@acme.test to", "added@acme.test cc", "main@acme.test main"],
            contacts.Select(c => $"{c.Email} {c.Role}").Order(StringComparer.Ordinal));
        Assert.Single((await ledger.Queries.ListContactsAsync(_organization, "cus_other", null, 50, null)).Items);
        // Same address, same customer: the contact keeps its id when its role or spelling changes.
        Assert.Contains(contacts, c => c.Id == ContactRecord.IdFor("cus_contacts", "moved@acme.test"));
    }

    [Fact]
    public async Task Deleted_customer_leaves_the_lists_and_its_contacts_but_its_grain_still_finds_the_tombstone()
    {
        var customer = Customer(_organization, "cus_deleted");
        await ledger.Store.SaveCustomerAsync(customer);

        await ledger.Store.SaveCustomerAsync(customer with { Snapshot = customer.Snapshot with { Deleted = true }, Contacts = [] });

        Assert.Empty((await ledger.Queries.ListCustomersAsync(_organization, 50, null)).Items);
        Assert.Empty((await ledger.Queries.ListContactsAsync(_organization, null, null, 50, null)).Items);
        Assert.True((await ledger.Store.FindCustomerAsync(_organization, "cus_deleted"))!.Snapshot.Deleted);
    }

    [Fact]
    public async Task Draft_invoice_is_refused_because_drafts_are_never_imported()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => ledger.Store.SaveInvoiceAsync(Invoice(_organization, "in_draft", StripeInvoiceStatus.Draft)));
        Assert.Null(await ledger.Store.FindInvoiceAsync(_organization, "in_draft"));
    }

    [Fact]
    public async Task A_row_the_database_refuses_fails_only_its_own_save()
    {
        var good = Enumerable.Range(0, 20).Select(i => Invoice(_organization, $"in_good_{i}")).ToList();
        // PostgreSQL text cannot hold NUL: this one row fails, the others of its batch still commit.
        var bad = Invoice(_organization, "in_bad\0");

        var saves = good.Select(ledger.Store.SaveInvoiceAsync).Append(ledger.Store.SaveInvoiceAsync(bad)).ToList();

        await Assert.ThrowsAnyAsync<Exception>(() => saves[^1]);
        await Task.WhenAll(saves.Take(good.Count));
        Assert.All(await Task.WhenAll(good.Select(i => ledger.Store.FindInvoiceAsync(_organization, i.Id))), Assert.NotNull);
    }

    private async Task<long> CountAsync(string table)
    {
        await using var connection = new NpgsqlConnection(ledger.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table} WHERE organization_id = $1", connection);
        command.Parameters.Add(new NpgsqlParameter { Value = _organization });
        return (long)(await command.ExecuteScalarAsync())!;
    }
}
