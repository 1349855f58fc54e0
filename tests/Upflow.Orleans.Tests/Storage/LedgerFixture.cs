using System.Collections;
using System.Reflection;
using Npgsql;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;
using Upflow.Orleans.Tests.Infrastructure;

namespace Upflow.Orleans.Tests.Storage;

/// <summary>One database for a test class; each test works in organizations of its own.</summary>
public sealed class LedgerFixture : IAsyncLifetime
{
    private readonly TestDatabase _database = new();

    public NpgsqlDataSource DataSource { get; private set; } = null!;
    public LedgerStore Store { get; private set; } = null!;
    public LedgerQueries Queries { get; private set; } = null!;
    public TestDatabase Database => _database;

    public async Task InitializeAsync()
    {
        await _database.InitializeAsync();
        DataSource = NpgsqlDataSource.Create(_database.ConnectionString);
        Store = new LedgerStore(DataSource);
        Queries = new LedgerQueries(DataSource, Store);
    }

    public async Task DisposeAsync()
    {
        await Store.DisposeAsync();
        await DataSource.DisposeAsync();
        await _database.DisposeAsync();
    }

    public static string NewOrganization() => "org_" + Guid.NewGuid().ToString("N")[..16];
}

/// <summary>Records as the grains build them, with every field set unless a test says otherwise.</summary>
internal static class LedgerSamples
{
    // Offsets and sub-microsecond ticks on purpose: the document must give back exactly what was saved.
    public static readonly DateTimeOffset Moment = new DateTimeOffset(2025, 3, 14, 9, 26, 53, TimeSpan.FromHours(2)).AddTicks(5_897_931);

    public static IReadOnlyDictionary<string, CustomFieldValue> EveryKindOfCustomField() => new Dictionary<string, CustomFieldValue>
    {
        ["Region"] = CustomFieldValue.Of("EMEA"),
        ["delinquent"] = CustomFieldValue.Of(true),
        ["taxExempt"] = CustomFieldValue.Of(false),
        ["subscriptions"] = CustomFieldValue.Of(["sub_1", "sub_2"]),
        ["sources"] = CustomFieldValue.Of(Array.Empty<string>()),
        ["Account manager"] = CustomFieldValue.Null,
        ["Empty text"] = CustomFieldValue.Of(""),
    };

    public static CustomerRecord Customer(string organizationId, string id, params Contact[] contacts) => new(
        organizationId,
        new CustomerSnapshot(
            id, "Acme Corp ✓", "billing@acme.test", "eur", -1250, true, Moment.AddDays(-30),
            new Dictionary<string, string> { ["Region"] = "EMEA", ["Additional emails to"] = "a@acme.test; b@acme.test" },
            new CustomerNativeFields("billing@acme.test", true, "Key account", "coupon_10", "pm_123",
                ["card_1"], ["sub_1", "sub_2"], "FR", "none", ["tax"]),
            Moment, Deleted: false),
        contacts.Length > 0 ? contacts : [new Contact("billing@acme.test", Contact.Sources.Stripe, Contact.Roles.Main)],
        InvalidContactAddresses: 2,
        EveryKindOfCustomField(),
        Moment.AddMinutes(1));

    public static InvoiceRecord Invoice(string organizationId, string id, string status = StripeInvoiceStatus.Open,
        DateTimeOffset? dueDate = null, string? customerId = "cus_1") => new(
        organizationId,
        new InvoiceSnapshot(
            id, "INV-" + id, customerId, "eur", 12_000, 12_000, status == StripeInvoiceStatus.Paid ? 12_000 : 0,
            status == StripeInvoiceStatus.Paid ? 0 : 12_000, status, Moment.AddDays(-10), Moment.AddDays(-9), Moment.AddDays(-9).AddHours(1),
            status == StripeInvoiceStatus.Paid ? Moment : null, dueDate,
            new Dictionary<string, string> { ["PO"] = "4711" }, Moment, Deleted: false),
        new Dictionary<string, CustomFieldValue> { ["PO"] = CustomFieldValue.Of("4711"), ["Cost center"] = CustomFieldValue.Null },
        Moment.AddSeconds(5));

    public static PaymentRecord StripePayment(string organizationId, string id, string invoiceId = "in_1") => new(
        organizationId, id, PaymentRecord.Sources.Stripe, invoiceId, "cus_1", 12_000, "eur", Moment,
        new PaymentMethodDetails("card", "visa", "4242", null, "FR"),
        PaymentExport.NotApplicable,
        new Dictionary<string, CustomFieldValue> { ["Channel"] = CustomFieldValue.Of(["web", "phone"]) },
        new PaymentSnapshot(id, invoiceId, "cus_1", 12_000, "eur", "paid", Moment,
            new PaymentMethodDetails("card", "visa", "4242", null, "FR"),
            new Dictionary<string, string> { ["Channel"] = "web,phone" }, Moment),
        Moment.AddSeconds(7));

    public static PaymentRecord PortalPayment(string organizationId, string id, string exportStatus = ExportStatuses.Pending, string invoiceId = "in_1") => new(
        organizationId, id, PaymentRecord.Sources.Portal, invoiceId, "cus_1", 5_000, "eur", Moment,
        new PaymentMethodDetails("sepa_debit", null, "3000", "Deutsche Bank", "DE"),
        new PaymentExport(exportStatus, exportStatus == ExportStatuses.Error ? "This invoice is already paid." : null, 3, Moment, Moment.AddMinutes(4)),
        new Dictionary<string, CustomFieldValue>(),
        null,
        Moment.AddSeconds(9));
}

/// <summary>
/// Field-by-field equality that does not go through the serializer under test: records by their
/// public properties, lists in order, dictionaries by key, instants with their offsets.
/// </summary>
internal static class DeepAssert
{
    public static void Equal(object? expected, object? actual, string path = "record")
    {
        if (expected is null || actual is null)
        {
            Assert.True(expected is null && actual is null, $"{path}: expected {expected ?? "null"}, got {actual ?? "null"}");
            return;
        }

        switch (expected)
        {
            case DateTimeOffset instant:
                var other = Assert.IsType<DateTimeOffset>(actual);
                Assert.True(instant.UtcTicks == other.UtcTicks && instant.Offset == other.Offset, $"{path}: expected {instant:O}, got {other:O}");
                return;
            case string or bool or int or long or Enum:
                Assert.True(expected.Equals(actual), $"{path}: expected {expected}, got {actual}");
                return;
            case IDictionary dictionary:
                var actualDictionary = Assert.IsAssignableFrom<IDictionary>(actual);
                Assert.True(dictionary.Count == actualDictionary.Count, $"{path}: expected {dictionary.Count} entries, got {actualDictionary.Count}");
                foreach (DictionaryEntry entry in dictionary)
                {
                    Assert.True(actualDictionary.Contains(entry.Key), $"{path}: missing key {entry.Key}");
                    Equal(entry.Value, actualDictionary[entry.Key], $"{path}[{entry.Key}]");
                }

                return;
            case IEnumerable sequence:
                var expectedItems = sequence.Cast<object?>().ToList();
                var actualItems = Assert.IsAssignableFrom<IEnumerable>(actual).Cast<object?>().ToList();
                Assert.True(expectedItems.Count == actualItems.Count, $"{path}: expected {expectedItems.Count} items, got {actualItems.Count}");
                for (var i = 0; i < expectedItems.Count; i++)
                {
                    Equal(expectedItems[i], actualItems[i], $"{path}[{i}]");
                }

                return;
        }

        Assert.Equal(expected.GetType(), actual.GetType());
        foreach (var property in expected.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0 && property.Name != "EqualityContract")
            {
                Equal(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}");
            }
        }
    }
}
