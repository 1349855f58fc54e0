using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Upflow.Sync.Tests;

/// <summary>The snapshots travel between grains and into grain state: Orleans must carry every member.</summary>
public class SerializationTests
{
    private static readonly Serializer Serializer = new ServiceCollection()
        .AddSerializer(builder => builder.AddAssembly(typeof(CustomerSnapshot).Assembly))
        .BuildServiceProvider()
        .GetRequiredService<Serializer>();

    private static readonly DateTimeOffset At = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static TheoryData<object> Values => new()
    {
        new CustomerSnapshot(
            "cus_1", "Jenny", "j@acme.com", "eur", -1500, true, At,
            new Dictionary<string, string> { ["Region"] = "EMEA" },
            new CustomerNativeFields("j@acme.com", true, "Key", "SUMMER25", "pm_1", ["card_1"], [], "FR", "reverse", ["subscriptions"]),
            At, false),
        Invoices.Sample with { DueDate = At, Metadata = new Dictionary<string, string> { ["PO"] = "7" } },
        new PaymentSnapshot("inpay_1", "in_1", null, 2000, "usd", "paid", At,
            new PaymentMethodDetails("card", "visa", "4242", null, "US"), new Dictionary<string, string>(), At),
        new Contact("a@acme.com", "custom_field", "cc"),
        ContactFieldSettings.Default,
        new CustomFieldSettings(new(["Region"], ["delinquent"]), new(["PO"], []), EntityFieldSettings.Empty),
        CustomFieldValue.Of(["a", "b"]),
        CustomFieldValue.Of(false),
        CustomFieldValue.Of("x"),
        CustomFieldValue.Null,
        LedgerInvoiceStatus.OVERDUE,
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Sync_records_survive_an_Orleans_round_trip(object value)
    {
        var copy = Serializer.Deserialize<object>(Serializer.SerializeToArray(value));

        Assert.Equal(Describe(value), Describe(copy));
    }

    [Fact]
    public void Derived_custom_fields_survive_an_Orleans_round_trip_in_order()
    {
        var fields = CustomFieldRules.Derive(
            new Dictionary<string, string> { ["Zone"] = "EU" },
            CustomerNativeFields.None with { Sources = [] },
            new EntityFieldSettings(["Zone", "Region"], ["sources", "delinquent"]));

        var copy = Serializer.Deserialize<IReadOnlyDictionary<string, CustomFieldValue>>(Serializer.SerializeToArray(fields));

        Assert.NotNull(copy);
        Assert.Equal(fields.ToArray(), copy.ToArray());
    }

    // Records compare collections by reference; JSON compares what a reader would see.
    private static string Describe(object? value) => System.Text.Json.JsonSerializer.Serialize(value);
}
