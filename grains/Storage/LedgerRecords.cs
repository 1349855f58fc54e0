using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Storage;

// The read model: one row per object, written by the grain that owns the object and read by the
// list endpoints. Each record carries the Stripe snapshot it was derived from, so settings changes
// re-derive contacts and custom fields without re-reading Stripe. SettingsVersion is the
// SyncSettings.Version the derived fields were computed with (0: the defaults, or before versions).

/// <summary>What every read-model row says about how it was derived.</summary>
public interface ILedgerRecord
{
    /// <summary>The SyncSettings.Version its contacts and custom fields were derived with.</summary>
    long SettingsVersion { get; }
}

public sealed record CustomerRecord(
    string OrganizationId,
    CustomerSnapshot Snapshot,
    IReadOnlyList<Contact> Contacts,
    int InvalidContactAddresses,
    IReadOnlyDictionary<string, CustomFieldValue> CustomFields,
    DateTimeOffset UpdatedAt,
    long SettingsVersion = 0) : ILedgerRecord
{
    public string Id => Snapshot.Id;
}

public sealed record InvoiceRecord(
    string OrganizationId,
    InvoiceSnapshot Snapshot,
    IReadOnlyDictionary<string, CustomFieldValue> CustomFields,
    DateTimeOffset UpdatedAt,
    long SettingsVersion = 0) : ILedgerRecord
{
    public string Id => Snapshot.Id;
}

/// <summary>A payment: imported from Stripe (<c>inpay_…</c>) or recorded in the AR portal (<c>pay_…</c>).</summary>
public sealed record PaymentRecord(
    string OrganizationId,
    string Id,
    string Source,
    string? InvoiceId,
    string? CustomerId,
    long Amount,
    string Currency,
    DateTimeOffset? PaidAt,
    PaymentMethodDetails? Method,
    PaymentExport Export,
    IReadOnlyDictionary<string, CustomFieldValue> CustomFields,
    PaymentSnapshot? Snapshot,
    DateTimeOffset UpdatedAt,
    long SettingsVersion = 0) : ILedgerRecord
{
    public static class Sources
    {
        public const string Stripe = "stripe";
        public const string Portal = "portal";
    }
}

/// <summary>Write-back state of a payment; Stripe's own payments are <c>not_applicable</c>.</summary>
/// <param name="Attempts">Every attempt since the payment was recorded, manual retries included.</param>
/// <param name="ManualRetries">"Export back to Stripe Billing" requests on a payment in error; each one
/// starts a new retry budget and a new Stripe idempotency key (Stripe replays an earlier refusal for 24 h).</param>
/// <param name="RoundAttempts">Attempts since the payment was recorded or last retried by hand: what the budget counts.</param>
public sealed record PaymentExport(
    string Status,
    string? Error,
    int Attempts,
    DateTimeOffset? LastAttemptAt,
    DateTimeOffset? NextAttemptAt,
    int ManualRetries = 0,
    int RoundAttempts = 0)
{
    public static PaymentExport NotApplicable { get; } = new(ExportStatuses.NotApplicable, null, 0, null, null);
}

public static class ExportStatuses
{
    public const string NotApplicable = "not_applicable";
    public const string Pending = "pending";
    public const string Exported = "exported";
    public const string Error = "error";

    public static IReadOnlyList<string> All { get; } = [NotApplicable, Pending, Exported, Error];
}

/// <summary>A page of a keyset-paginated list; <c>NextCursor</c> is null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? NextCursor);
