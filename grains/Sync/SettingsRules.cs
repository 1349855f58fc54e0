namespace Upflow.Orleans.Sync;

/// <summary>Which derived data a settings change touches, and which of two settings is in force.</summary>
public static class SettingsRules
{
    /// <summary>The newer of two settings (by version); the first one when they tie.</summary>
    public static SyncSettings Newest(SyncSettings held, SyncSettings? other) =>
        other is not null && other.Version > held.Version ? other : held;

    /// <summary>True when both settings derive the same contacts and custom fields everywhere.</summary>
    public static bool SameDerivation(SyncSettings a, SyncSettings b) => Affected(a, b) == AffectedEntities.None;

    /// <summary>
    /// The entities whose derived fields differ between two settings: contacts and customer fields
    /// live on customers, invoice fields on invoices, payment fields on payments. A change to invoice
    /// fields alone leaves every customer as it is, so re-deriving need not visit them.
    /// </summary>
    public static AffectedEntities Affected(SyncSettings before, SyncSettings after) =>
        new(
            Customers: !before.Contacts.SameAs(after.Contacts) || !before.CustomFields.Customer.SameAs(after.CustomFields.Customer),
            Invoices: !before.CustomFields.Invoice.SameAs(after.CustomFields.Invoice),
            Payments: !before.CustomFields.Payment.SameAs(after.CustomFields.Payment));
}

public readonly record struct AffectedEntities(bool Customers, bool Invoices, bool Payments)
{
    public static AffectedEntities None => default;

    public AffectedEntities Or(AffectedEntities other) =>
        new(Customers || other.Customers, Invoices || other.Invoices, Payments || other.Payments);
}
