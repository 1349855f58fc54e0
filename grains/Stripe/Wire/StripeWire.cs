using System.Text.Json;
using System.Text.Json.Serialization;

namespace Upflow.Orleans.Stripe.Wire;

// Stripe's JSON (API 2026-10-28.endive), only the members the sync reads. Stripe.net's own models
// build a converter per date member on every read (reflection and a dynamic method each time), which
// was a quarter of the silo's CPU during a backfill; these are read by source-generated code.
// Member names follow Stripe's snake_case through the context's naming policy.

public sealed class StripeListJson<T>
{
    public List<T> Data { get; init; } = [];
    public bool HasMore { get; init; }
}

/// <summary>An object that is only named, as an expandable field gives it when not expanded.</summary>
public sealed class StripeObjectJson
{
    public string Id { get; init; } = "";
}

public sealed class CustomerJson
{
    public string Id { get; init; } = "";
    /// <summary>Stripe's object type name, as every object carries it.</summary>
    public string? Object { get; init; }
    public bool? Deleted { get; init; }
    public string? Name { get; init; }
    public string? Email { get; init; }
    public string? Currency { get; init; }
    public long Balance { get; init; }
    public bool? Delinquent { get; init; }
    public long? Created { get; init; }
    public Dictionary<string, string>? Metadata { get; init; }
    public string? Description { get; init; }
    public DiscountJson? Discount { get; init; }
    public InvoiceSettingsJson? InvoiceSettings { get; init; }
    public Expandable<StripeObjectJson> DefaultSource { get; init; }
    public string? TaxExempt { get; init; }

    // Includable: present only when expanded.
    public StripeListJson<StripeObjectJson>? Sources { get; init; }
    public StripeListJson<StripeObjectJson>? Subscriptions { get; init; }
    public CustomerTaxJson? Tax { get; init; }
}

public sealed class DiscountJson
{
    public DiscountSourceJson? Source { get; init; }
}

public sealed class DiscountSourceJson
{
    public Expandable<StripeObjectJson> Coupon { get; init; }
}

public sealed class InvoiceSettingsJson
{
    public Expandable<StripeObjectJson> DefaultPaymentMethod { get; init; }
}

public sealed class CustomerTaxJson
{
    public TaxLocationJson? Location { get; init; }
}

public sealed class TaxLocationJson
{
    public string? Country { get; init; }
}

public sealed class InvoiceJson
{
    public string Id { get; init; } = "";
    /// <summary>Stripe's object type name, as every object carries it.</summary>
    public string? Object { get; init; }
    public bool? Deleted { get; init; }
    public string? Number { get; init; }
    public Expandable<StripeObjectJson> Customer { get; init; }
    public string? Currency { get; init; }
    public long Total { get; init; }
    public long AmountDue { get; init; }
    public long AmountPaid { get; init; }
    public long AmountRemaining { get; init; }
    public string? Status { get; init; }
    public long? Created { get; init; }
    public long? EffectiveAt { get; init; }
    public long? DueDate { get; init; }
    public InvoiceStatusTransitionsJson? StatusTransitions { get; init; }
    public Dictionary<string, string>? Metadata { get; init; }
}

public sealed class InvoiceStatusTransitionsJson
{
    public long? FinalizedAt { get; init; }
    public long? PaidAt { get; init; }
}

public sealed class InvoicePaymentJson
{
    public string Id { get; init; } = "";
    /// <summary>Stripe's object type name, as every object carries it.</summary>
    public string? Object { get; init; }
    public Expandable<InvoiceJson> Invoice { get; init; }
    public long? AmountPaid { get; init; }
    public long AmountRequested { get; init; }
    public string? Currency { get; init; }
    public string? Status { get; init; }
    public InvoicePaymentStatusTransitionsJson? StatusTransitions { get; init; }
    public InvoicePaymentPaymentJson? Payment { get; init; }
    public long? Created { get; init; }
}

public sealed class InvoicePaymentStatusTransitionsJson
{
    public long? PaidAt { get; init; }
}

public sealed class InvoicePaymentPaymentJson
{
    /// <summary>payment_intent or charge.</summary>
    public string? Type { get; init; }
    public Expandable<PaymentIntentJson> PaymentIntent { get; init; }
    public Expandable<ChargeJson> Charge { get; init; }
}

public sealed class PaymentIntentJson
{
    public string Id { get; init; } = "";
    public string? Status { get; init; }
    public Expandable<StripeObjectJson> Customer { get; init; }
    public Dictionary<string, string>? Metadata { get; init; }
    public Expandable<PaymentMethodJson> PaymentMethod { get; init; }
    public Expandable<ChargeJson> LatestCharge { get; init; }
    public long? Created { get; init; }
}

public sealed class ChargeJson
{
    public string Id { get; init; } = "";
    public Expandable<StripeObjectJson> Customer { get; init; }
    public Dictionary<string, string>? Metadata { get; init; }
    public PaymentMethodJson? PaymentMethodDetails { get; init; }
}

/// <summary>A payment method, or a charge's payment_method_details: the same members.</summary>
public sealed class PaymentMethodJson
{
    public string Id { get; init; } = "";
    public string Type { get; init; } = "";
    public CardJson? Card { get; init; }
    public BankDebitJson? SepaDebit { get; init; }
    public BankDebitJson? UsBankAccount { get; init; }
    public BankDebitJson? AcssDebit { get; init; }
    public BankDebitJson? BacsDebit { get; init; }
    public BankDebitJson? AuBecsDebit { get; init; }
}

public sealed class CardJson
{
    public string? Brand { get; init; }
    public string? Last4 { get; init; }
    public string? Country { get; init; }
}

public sealed class BankDebitJson
{
    public string? Last4 { get; init; }
    public string? BankName { get; init; }
    public string? Country { get; init; }
}

/// <summary>The event envelope as delivered or listed, with its object read as <typeparamref name="T"/>.</summary>
public sealed class EventJson<T>
{
    public EventDataJson<T>? Data { get; init; }
}

public sealed class EventDataJson<T>
{
    public T? Object { get; init; }
}

/// <summary>
/// An expandable field: Stripe gives the id as a string, or the whole object when expanded (or
/// null). <see cref="Id"/> is the id either way, as Stripe.net's *Id properties are.
/// </summary>
[JsonConverter(typeof(ExpandableConverterFactory))]
public readonly record struct Expandable<T>(string? Id, T? Value)
    where T : class;

internal sealed class ExpandableConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(Expandable<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
        typeToConvert.GetGenericArguments()[0] switch
        {
            var t when t == typeof(StripeObjectJson) => new ExpandableConverter<StripeObjectJson>(o => o.Id),
            var t when t == typeof(InvoiceJson) => new ExpandableConverter<InvoiceJson>(o => o.Id),
            var t when t == typeof(PaymentIntentJson) => new ExpandableConverter<PaymentIntentJson>(o => o.Id),
            var t when t == typeof(ChargeJson) => new ExpandableConverter<ChargeJson>(o => o.Id),
            var t when t == typeof(PaymentMethodJson) => new ExpandableConverter<PaymentMethodJson>(o => o.Id),
            var t => throw new NotSupportedException($"No expandable Stripe object {t.Name}."),
        };
}

internal sealed class ExpandableConverter<T>(Func<T, string> idOf) : JsonConverter<Expandable<T>>
    where T : class
{
    public override bool HandleNull => true;

    public override Expandable<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return default;
            case JsonTokenType.String:
                return new Expandable<T>(reader.GetString(), null);
            default:
                var value = JsonSerializer.Deserialize(ref reader, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<T>)options.GetTypeInfo(typeof(T)))
                    ?? throw new JsonException($"Expected a Stripe {typeof(T).Name} or its id.");
                return new Expandable<T>(idOf(value), value);
        }
    }

    public override void Write(Utf8JsonWriter writer, Expandable<T> value, JsonSerializerOptions options) =>
        throw new NotSupportedException("Stripe objects are only read.");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(StripeListJson<CustomerJson>))]
[JsonSerializable(typeof(StripeListJson<InvoiceJson>))]
[JsonSerializable(typeof(StripeListJson<InvoicePaymentJson>))]
[JsonSerializable(typeof(StripeListJson<PaymentIntentJson>))]
[JsonSerializable(typeof(InvoicePaymentJson))]
[JsonSerializable(typeof(InvoiceJson))]
[JsonSerializable(typeof(CustomerJson))]
[JsonSerializable(typeof(StripeObjectJson))]
[JsonSerializable(typeof(PaymentIntentJson))]
[JsonSerializable(typeof(ChargeJson))]
[JsonSerializable(typeof(PaymentMethodJson))]
[JsonSerializable(typeof(EventJson<CustomerJson>))]
[JsonSerializable(typeof(EventJson<InvoiceJson>))]
[JsonSerializable(typeof(EventJson<InvoicePaymentJson>))]
internal sealed partial class StripeWireContext : JsonSerializerContext;

/// <summary>Reads Stripe's answers and event payloads; a body that is not the expected JSON throws <see cref="JsonException"/>.</summary>
public static class StripeJson
{
    public static CustomerJson Customer(string json) => Read(json, StripeWireContext.Default.CustomerJson);
    public static InvoiceJson Invoice(string json) => Read(json, StripeWireContext.Default.InvoiceJson);
    public static InvoicePaymentJson InvoicePayment(string json) => Read(json, StripeWireContext.Default.InvoicePaymentJson);

    // Event payloads as UTF-8 bytes: how the dispatcher keeps them while they wait to be applied.
    public static CustomerJson? EventCustomer(ReadOnlySpan<byte> payload) => Read(payload, StripeWireContext.Default.EventJsonCustomerJson).Data?.Object;
    public static InvoiceJson? EventInvoice(ReadOnlySpan<byte> payload) => Read(payload, StripeWireContext.Default.EventJsonInvoiceJson).Data?.Object;
    public static InvoicePaymentJson? EventInvoicePayment(ReadOnlySpan<byte> payload) => Read(payload, StripeWireContext.Default.EventJsonInvoicePaymentJson).Data?.Object;

    // Read from the response's bytes: HttpClient (as Stripe.net calls it) still buffers the body,
    // but no UTF-16 copy of a page (twice its size, on the large object heap) is made on top.
    public static ValueTask<StripeListJson<CustomerJson>> CustomerListAsync(Stream json, CancellationToken cancellation) => ReadAsync(json, StripeWireContext.Default.StripeListJsonCustomerJson, cancellation);
    public static ValueTask<StripeListJson<InvoiceJson>> InvoiceListAsync(Stream json, CancellationToken cancellation) => ReadAsync(json, StripeWireContext.Default.StripeListJsonInvoiceJson, cancellation);
    public static ValueTask<StripeListJson<InvoicePaymentJson>> InvoicePaymentListAsync(Stream json, CancellationToken cancellation) => ReadAsync(json, StripeWireContext.Default.StripeListJsonInvoicePaymentJson, cancellation);
    public static ValueTask<StripeListJson<PaymentIntentJson>> PaymentIntentListAsync(Stream json, CancellationToken cancellation) => ReadAsync(json, StripeWireContext.Default.StripeListJsonPaymentIntentJson, cancellation);
    public static ValueTask<InvoicePaymentJson> InvoicePaymentAsync(Stream json, CancellationToken cancellation) => ReadAsync(json, StripeWireContext.Default.InvoicePaymentJson, cancellation);
    public static ValueTask<InvoiceJson> InvoiceAsync(Stream json, CancellationToken cancellation) => ReadAsync(json, StripeWireContext.Default.InvoiceJson, cancellation);
    public static ValueTask<CustomerJson> CustomerAsync(Stream json, CancellationToken cancellation) => ReadAsync(json, StripeWireContext.Default.CustomerJson, cancellation);

    private static T Read<T>(string json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(json, type) ?? throw new JsonException($"Expected a Stripe {typeof(T).Name}, got null.");

    private static T Read<T>(ReadOnlySpan<byte> utf8Json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(utf8Json, type) ?? throw new JsonException($"Expected a Stripe {typeof(T).Name}, got null.");

    private static async ValueTask<T> ReadAsync<T>(Stream json, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellation) =>
        await JsonSerializer.DeserializeAsync(json, type, cancellation) ?? throw new JsonException($"Expected a Stripe {typeof(T).Name}, got null.");
}
