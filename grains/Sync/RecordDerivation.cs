using Upflow.Orleans.Storage;

namespace Upflow.Orleans.Sync;

/// <summary>
/// A read-model record's derived fields (contacts, custom fields) computed again from the Stripe
/// snapshot it holds, with other settings. The entity grains and the bulk re-derivation both use
/// these, so an object derives the same whichever path reaches it. <c>UpdatedAt</c> moves only
/// when something a user sees changed.
/// </summary>
public static class RecordDerivation
{
    public static CustomerRecord Customer(string organizationId, CustomerSnapshot snapshot, SyncSettings settings, DateTimeOffset updatedAt)
    {
        var contacts = ContactRules.Extract(snapshot.Deleted ? null : snapshot.Email, snapshot.Metadata, settings.Contacts);
        return new CustomerRecord(
            organizationId,
            snapshot,
            snapshot.Deleted ? [] : contacts.Contacts,
            contacts.InvalidAddressesSkipped,
            CustomFieldRules.Derive(snapshot.Metadata, snapshot.Native, settings.CustomFields.Customer),
            updatedAt,
            settings.Version);
    }

    public static CustomerRecord Customer(CustomerRecord current, SyncSettings settings, DateTimeOffset now)
    {
        var derived = Customer(current.OrganizationId, current.Snapshot, settings, current.UpdatedAt);
        var changed = !derived.Contacts.SequenceEqual(current.Contacts)
            || derived.InvalidContactAddresses != current.InvalidContactAddresses
            || !SameFields(derived.CustomFields, current.CustomFields);
        return changed ? derived with { UpdatedAt = now } : derived;
    }

    public static InvoiceRecord Invoice(string organizationId, InvoiceSnapshot snapshot, SyncSettings settings, DateTimeOffset updatedAt) =>
        new(organizationId, snapshot, CustomFieldRules.Derive(snapshot.Metadata, null, settings.CustomFields.Invoice), updatedAt, settings.Version);

    public static InvoiceRecord Invoice(InvoiceRecord current, SyncSettings settings, DateTimeOffset now)
    {
        var derived = Invoice(current.OrganizationId, current.Snapshot, settings, current.UpdatedAt);
        return SameFields(derived.CustomFields, current.CustomFields) ? derived : derived with { UpdatedAt = now };
    }

    public static PaymentRecord Payment(string organizationId, PaymentSnapshot snapshot, SyncSettings settings, DateTimeOffset updatedAt) =>
        new(organizationId,
            snapshot.Id,
            PaymentRecord.Sources.Stripe,
            snapshot.InvoiceId,
            snapshot.CustomerId,
            snapshot.Amount,
            snapshot.Currency,
            snapshot.PaidAt,
            snapshot.Method,
            PaymentExport.NotApplicable,
            CustomFieldRules.Derive(snapshot.Metadata, null, settings.CustomFields.Payment),
            snapshot,
            updatedAt,
            settings.Version);

    /// <summary>A portal payment has no Stripe metadata: its configured fields are all null.</summary>
    public static PaymentRecord Payment(PaymentRecord current, SyncSettings settings, DateTimeOffset now)
    {
        var fields = CustomFieldRules.Derive(current.Snapshot?.Metadata, null, settings.CustomFields.Payment);
        return current with
        {
            CustomFields = fields,
            SettingsVersion = settings.Version,
            UpdatedAt = SameFields(fields, current.CustomFields) ? current.UpdatedAt : now,
        };
    }

    private static bool SameFields(IReadOnlyDictionary<string, CustomFieldValue> a, IReadOnlyDictionary<string, CustomFieldValue> b) =>
        a.Count == b.Count && a.Keys.SequenceEqual(b.Keys, StringComparer.Ordinal) && a.Values.SequenceEqual(b.Values);
}
