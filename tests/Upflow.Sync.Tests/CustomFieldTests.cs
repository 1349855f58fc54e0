using System.Text.Json;

namespace Upflow.Sync.Tests;

public class CustomFieldTests
{
    private static readonly CustomerNativeFields Native = new(
        AccountEmail: "ann@acme.com",
        Delinquent: false,
        Description: "Key account",
        Discount: "SUMMER25",
        DefaultPaymentMethod: "pm_1",
        Sources: ["card_1", "ba_1"],
        Subscriptions: [],
        TaxLocationCountry: "FR",
        TaxExempt: "reverse",
        Omitted: []);

    private static string Json(IReadOnlyDictionary<string, CustomFieldValue> fields) =>
        JsonSerializer.Serialize(fields.ToDictionary(f => f.Key, f => f.Value.ToPlainObject()));

    [Theory]
    [InlineData("accountEmail", "\"ann@acme.com\"")]
    [InlineData("delinquent", "false")]
    [InlineData("description", "\"Key account\"")]
    [InlineData("discount", "\"SUMMER25\"")]
    [InlineData("defaultPaymentMethod", "\"pm_1\"")]
    [InlineData("sources", "[\"card_1\",\"ba_1\"]")]
    [InlineData("subscriptions", "[]")]
    [InlineData("taxLocationCountry", "\"FR\"")]
    [InlineData("taxExempt", "\"reverse\"")]
    public void Each_native_customer_field_keeps_its_type(string name, string expectedJson)
    {
        var fields = CustomFieldRules.Derive(null, Native, new EntityFieldSettings([], [name]));

        Assert.Equal($"{{\"{name}\":{expectedJson}}}", Json(fields));
    }

    [Theory]
    [InlineData("delinquent", "true")]
    public void Delinquent_customer_shows_a_boolean_not_a_string(string name, string expectedJson)
    {
        var fields = CustomFieldRules.Derive(null, Native with { Delinquent = true }, new EntityFieldSettings([], [name]));

        Assert.Equal($"{{\"{name}\":{expectedJson}}}", Json(fields));
    }

    [Theory]
    [InlineData("Region", "{\"Region\":\"EMEA\"}")]
    [InlineData("Missing", "{\"Missing\":null}")]
    [InlineData("Empty", "{\"Empty\":\"\"}")]
    [InlineData("region", "{\"region\":null}")]
    public void Configured_metadata_keys_appear_and_missing_ones_are_null(string key, string expectedJson)
    {
        var metadata = new Dictionary<string, string> { ["Region"] = "EMEA", ["Empty"] = "" };

        var fields = CustomFieldRules.Derive(metadata, null, new EntityFieldSettings([key], []));

        Assert.Equal(expectedJson, Json(fields));
    }

    [Fact]
    public void Every_configured_field_is_present_in_settings_order()
    {
        var settings = new EntityFieldSettings(["Zone", "Region"], ["taxExempt", "delinquent", "sources"]);
        var metadata = new Dictionary<string, string> { ["Region"] = "EMEA" };
        var native = CustomerNativeFields.None with { Sources = [] };

        var fields = CustomFieldRules.Derive(metadata, native, settings);

        Assert.Equal(
            "{\"Zone\":null,\"Region\":\"EMEA\",\"taxExempt\":null,\"delinquent\":null,\"sources\":[]}",
            Json(fields));
    }

    [Fact]
    public void A_native_field_Stripe_left_out_of_the_payload_is_null_not_empty()
    {
        var native = Native with { Sources = null, Omitted = ["sources"] };

        var fields = CustomFieldRules.Derive(null, native, new EntityFieldSettings([], ["sources"]));

        Assert.Equal("{\"sources\":null}", Json(fields));
    }

    [Fact]
    public void Native_fields_on_invoices_and_payments_are_null_without_customer_fields()
    {
        var fields = CustomFieldRules.Derive(new Dictionary<string, string>(), null, new EntityFieldSettings(["Po"], []));

        Assert.Equal("{\"Po\":null}", Json(fields));
    }

    [Fact]
    public void A_name_both_metadata_key_and_native_field_appears_once_with_the_native_value()
    {
        var metadata = new Dictionary<string, string> { ["delinquent"] = "maybe" };

        var fields = CustomFieldRules.Derive(metadata, Native, new EntityFieldSettings(["delinquent"], ["delinquent"]));

        Assert.Equal("{\"delinquent\":false}", Json(fields));
    }

    [Fact]
    public void A_webhook_customer_without_expanded_fields_keeps_the_values_the_backfill_saw()
    {
        var fromBackfill = Native;
        var fromWebhook = Native with
        {
            Description = "Renamed",
            Sources = null,
            Subscriptions = null,
            TaxLocationCountry = null,
            Omitted = ["sources", "subscriptions", "taxLocationCountry"],
        };

        var merged = CustomerRules.CarryOmittedNativeFields(fromWebhook, fromBackfill);

        Assert.Equal("Renamed", merged.Description);
        Assert.Equal(["card_1", "ba_1"], merged.Sources);
        Assert.Equal([], merged.Subscriptions!);
        Assert.Equal("FR", merged.TaxLocationCountry);
        Assert.Empty(merged.Omitted);
        Assert.Equal(fromWebhook, CustomerRules.CarryOmittedNativeFields(fromWebhook, null));
    }

    public static TheoryData<CustomFieldSettings, string[]> Settings => new()
    {
        { CustomFieldSettings.Empty, [] },
        { new(new(["Region"], ["delinquent", "taxExempt"]), new(["PO number"], []), new(["Order"], [])), [] },
        {
            new(new([], ["delinquent", "vatNumber"]), EntityFieldSettings.Empty, EntityFieldSettings.Empty),
            ["customer.native: unknown native field 'vatNumber'; allowed: accountEmail, delinquent, description, discount, defaultPaymentMethod, sources, subscriptions, taxLocationCountry, taxExempt."]
        },
        {
            new(new([], ["Delinquent"]), EntityFieldSettings.Empty, EntityFieldSettings.Empty),
            ["customer.native: unknown native field 'Delinquent'; allowed: accountEmail, delinquent, description, discount, defaultPaymentMethod, sources, subscriptions, taxLocationCountry, taxExempt."]
        },
        {
            new(EntityFieldSettings.Empty, new([], ["delinquent"]), EntityFieldSettings.Empty),
            ["invoice.native: native fields exist on customers only."]
        },
        {
            new(new(["Region", "Region", " "], ["sources", "sources"]), EntityFieldSettings.Empty, new([new string('k', 41)], [])),
            [
                "customer.metadata: a metadata key cannot be empty.",
                "customer.metadata: 'Region' is listed more than once.",
                "customer.native: 'sources' is listed more than once.",
                $"payment.metadata: '{new string('k', 41)}' is longer than Stripe's 40-character limit for metadata keys.",
            ]
        },
    };

    [Theory]
    [MemberData(nameof(Settings))]
    public void Bad_custom_field_settings_are_refused_with_a_clear_message(CustomFieldSettings settings, string[] problems) =>
        Assert.Equal(problems, settings.Validate());

    [Fact]
    public void Custom_field_values_compare_by_value()
    {
        Assert.Equal(CustomFieldValue.Of(["a", "b"]), CustomFieldValue.Of(new List<string> { "a", "b" }));
        Assert.NotEqual(CustomFieldValue.Of(["a"]), CustomFieldValue.Of(["a", "b"]));
        Assert.Equal(CustomFieldValue.Null, CustomFieldValue.Of((string?)null));
        Assert.NotEqual(CustomFieldValue.Of("true"), CustomFieldValue.Of(true));
        Assert.NotEqual(CustomFieldValue.Of([]), CustomFieldValue.Null);
        Assert.Equal(CustomFieldValue.Of(["a"]).GetHashCode(), CustomFieldValue.Of(["a"]).GetHashCode());
    }
}
