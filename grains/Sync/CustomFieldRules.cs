namespace Upflow.Orleans.Sync;

/// <summary>CONTRACT §2/§3 "Custom fields": configured metadata keys and native fields → customFields.</summary>
public static class CustomFieldRules
{
    /// <summary>
    /// Every configured field is present, in settings order (metadata keys, then native fields);
    /// a field with no value is null. Metadata values are strings as Stripe stores them (an empty
    /// string stays ""). Native fields keep their type: delinquent is a boolean, sources and
    /// subscriptions are lists ([] when the customer has none), a field Stripe omitted is null.
    /// If a name is both a metadata key and a native field, it appears once with the native value:
    /// the native field is the explicit, typed choice.
    /// </summary>
    public static IReadOnlyDictionary<string, CustomFieldValue> Derive(
        IReadOnlyDictionary<string, string>? metadata,
        CustomerNativeFields? native,
        EntityFieldSettings settings)
    {
        // Dictionary keeps insertion order while nothing is removed, and Orleans serializes it;
        // the order is the settings order.
        var fields = new Dictionary<string, CustomFieldValue>(StringComparer.Ordinal);
        foreach (var key in settings.Metadata)
        {
            fields[key] = metadata is not null && metadata.TryGetValue(key, out var value)
                ? CustomFieldValue.Of(value)
                : CustomFieldValue.Null;
        }

        foreach (var name in settings.Native)
        {
            fields[name] = native is null ? CustomFieldValue.Null : NativeValue(native, name);
        }

        return fields;
    }

    public static CustomFieldValue NativeValue(CustomerNativeFields native, string name)
    {
        if (native.Omitted.Contains(name, StringComparer.Ordinal))
        {
            return CustomFieldValue.Null;
        }

        return name switch
        {
            CustomerNativeFieldNames.AccountEmail => CustomFieldValue.Of(native.AccountEmail),
            CustomerNativeFieldNames.Delinquent => CustomFieldValue.Of(native.Delinquent),
            CustomerNativeFieldNames.Description => CustomFieldValue.Of(native.Description),
            CustomerNativeFieldNames.Discount => CustomFieldValue.Of(native.Discount),
            CustomerNativeFieldNames.DefaultPaymentMethod => CustomFieldValue.Of(native.DefaultPaymentMethod),
            CustomerNativeFieldNames.Sources => CustomFieldValue.Of(native.Sources),
            CustomerNativeFieldNames.Subscriptions => CustomFieldValue.Of(native.Subscriptions),
            CustomerNativeFieldNames.TaxLocationCountry => CustomFieldValue.Of(native.TaxLocationCountry),
            CustomerNativeFieldNames.TaxExempt => CustomFieldValue.Of(native.TaxExempt),
            _ => throw new ArgumentOutOfRangeException(
                nameof(name), name, $"Unknown native field; allowed: {string.Join(", ", CustomerNativeFieldNames.All)}."),
        };
    }
}

/// <summary>Merging what a customer grain holds with what a new snapshot says.</summary>
public static class CustomerRules
{
    /// <summary>
    /// Stripe only includes sources, subscriptions and tax when expanded, so a webhook's customer
    /// lacks them. Such a field means "unknown", not "emptied": keep the previous value. A field the
    /// previous snapshot lacked too stays omitted.
    /// </summary>
    public static CustomerNativeFields CarryOmittedNativeFields(CustomerNativeFields incoming, CustomerNativeFields? previous)
    {
        if (incoming.Omitted.Count == 0 || previous is null)
        {
            return incoming;
        }

        var omitted = incoming.Omitted.Where(previous.Omitted.Contains).ToArray();
        return incoming with
        {
            Sources = Carry(CustomerNativeFieldNames.Sources) ? previous.Sources : incoming.Sources,
            Subscriptions = Carry(CustomerNativeFieldNames.Subscriptions) ? previous.Subscriptions : incoming.Subscriptions,
            TaxLocationCountry = Carry(CustomerNativeFieldNames.TaxLocationCountry) ? previous.TaxLocationCountry : incoming.TaxLocationCountry,
            Omitted = omitted,
        };

        bool Carry(string name) => incoming.Omitted.Contains(name) && !previous.Omitted.Contains(name);
    }
}
