namespace Upflow.Orleans.Sync;

/// <summary>Which Stripe metadata keys (per entity) and native customer fields become custom fields.</summary>
[GenerateSerializer, Immutable, Alias("upflow.CustomFieldSettings")]
public sealed record CustomFieldSettings(
    [property: Id(0)] EntityFieldSettings Customer,
    [property: Id(1)] EntityFieldSettings Invoice,
    [property: Id(2)] EntityFieldSettings Payment)
{
    public static CustomFieldSettings Empty { get; } =
        new(EntityFieldSettings.Empty, EntityFieldSettings.Empty, EntityFieldSettings.Empty);

    /// <summary>
    /// Problems that make these settings unacceptable, each a sentence fit for a 400 response;
    /// empty when valid. Native fields exist on customers only.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        Collect(problems, "customer", Customer, nativeAllowed: true);
        Collect(problems, "invoice", Invoice, nativeAllowed: false);
        Collect(problems, "payment", Payment, nativeAllowed: false);
        return problems;
    }

    /// <summary>Same fields in the same order for every entity (records compare lists by reference).</summary>
    public bool SameAs(CustomFieldSettings other) =>
        Customer.SameAs(other.Customer) && Invoice.SameAs(other.Invoice) && Payment.SameAs(other.Payment);

    private static void Collect(List<string> problems, string entity, EntityFieldSettings settings, bool nativeAllowed)
    {
        if (settings.Metadata.Count > EntityFieldSettings.MaxKeys)
        {
            problems.Add($"{entity}.metadata: at most {EntityFieldSettings.MaxKeys} metadata keys (Stripe allows no more on an object).");
        }

        foreach (var key in settings.Metadata)
        {
            if (string.IsNullOrWhiteSpace(key))
            {
                problems.Add($"{entity}.metadata: a metadata key cannot be empty.");
            }
            else if (key.Length > EntityFieldSettings.MaxMetadataKeyLength)
            {
                // Stripe itself refuses longer keys, so such a key could never match.
                problems.Add($"{entity}.metadata: '{key}' is longer than Stripe's {EntityFieldSettings.MaxMetadataKeyLength}-character limit for metadata keys.");
            }
        }

        foreach (var duplicate in settings.Metadata.Where(k => k is not null).GroupBy(k => k, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"{entity}.metadata: '{duplicate.Key}' is listed more than once.");
        }

        if (!nativeAllowed)
        {
            if (settings.Native.Count > 0)
            {
                problems.Add($"{entity}.native: native fields exist on customers only.");
            }

            return;
        }

        foreach (var name in settings.Native)
        {
            if (!CustomerNativeFieldNames.All.Contains(name, StringComparer.Ordinal))
            {
                problems.Add($"{entity}.native: unknown native field '{name}'; allowed: {string.Join(", ", CustomerNativeFieldNames.All)}.");
            }
        }

        foreach (var duplicate in settings.Native.GroupBy(n => n, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            problems.Add($"{entity}.native: '{duplicate.Key}' is listed more than once.");
        }
    }
}

/// <summary>The metadata keys and (customers only) native field names one entity turns into custom fields, in display order.</summary>
[GenerateSerializer, Immutable, Alias("upflow.EntityFieldSettings")]
public sealed record EntityFieldSettings(
    [property: Id(0)] IReadOnlyList<string> Metadata,
    [property: Id(1)] IReadOnlyList<string> Native)
{
    /// <summary>Stripe's limit on a metadata key's length.</summary>
    public const int MaxMetadataKeyLength = 40;

    /// <summary>Stripe's limit on the number of metadata keys of one object: more could never all match.</summary>
    public const int MaxKeys = 50;

    public static EntityFieldSettings Empty { get; } = new([], []);

    public bool SameAs(EntityFieldSettings other) =>
        Metadata.SequenceEqual(other.Metadata, StringComparer.Ordinal) && Native.SequenceEqual(other.Native, StringComparer.Ordinal);
}

/// <summary>The native customer field names of CONTRACT §2 "Settings", spelled as the API spells them.</summary>
public static class CustomerNativeFieldNames
{
    public const string AccountEmail = "accountEmail";
    public const string Delinquent = "delinquent";
    public const string Description = "description";
    public const string Discount = "discount";
    public const string DefaultPaymentMethod = "defaultPaymentMethod";
    public const string Sources = "sources";
    public const string Subscriptions = "subscriptions";
    public const string TaxLocationCountry = "taxLocationCountry";
    public const string TaxExempt = "taxExempt";

    public static IReadOnlyList<string> All { get; } =
    [
        AccountEmail, Delinquent, Description, Discount, DefaultPaymentMethod,
        Sources, Subscriptions, TaxLocationCountry, TaxExempt,
    ];
}
