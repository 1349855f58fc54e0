using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Api.Ledger;

public sealed record ListResponse<T>(IReadOnlyList<T> Data, string? NextCursor);

public sealed record ContactResponse(string Id, string CustomerId, string Email, string Source, string Role);

public sealed record CustomerResponse(
    string Id, string? Name, string? Email, string? Currency, long Balance, bool? Delinquent,
    IReadOnlyList<ContactResponse> Contacts, int InvalidContactAddresses, IReadOnlyDictionary<string, object?> CustomFields,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record InvoiceResponse(
    string Id, string? Number, string? CustomerId, string Currency,
    long Total, long AmountDue, long AmountPaid, long AmountRemaining,
    string Status, string StripeStatus, DateOnly IssueDate, DateOnly? DueDate, DateTimeOffset? PaidAt,
    IReadOnlyDictionary<string, object?> CustomFields, DateTimeOffset UpdatedAt);

public sealed record PaymentMethodResponse(string Type, string? Brand, string? Last4, string? BankName, string? Country);

public sealed record ExportResponse(string Status, string? Error, int Attempts, DateTimeOffset? LastAttemptAt, DateTimeOffset? NextAttemptAt);

public sealed record PaymentResponse(
    string Id, string Source, string? InvoiceId, string? CustomerId, long Amount, string Currency,
    DateTimeOffset? PaidAt, PaymentMethodResponse? PaymentMethod, ExportResponse Export,
    IReadOnlyDictionary<string, object?> CustomFields);

/// <summary>
/// Renders ledger records for one organization: instants with its UTC offset, calendar dates and
/// OVERDUE in its zone, as of the moment of the request.
/// </summary>
public sealed class LedgerRendering(TimeZoneInfo zone, DateTimeOffset now)
{
    public DateOnly Today => OrganizationTimeZone.Today(now, zone);

    /// <summary>The first instant of today in the organization's zone: due before it means overdue.</summary>
    public DateTimeOffset StartOfToday
    {
        get
        {
            var midnight = Today.ToDateTime(TimeOnly.MinValue);
            return new DateTimeOffset(midnight, zone.GetUtcOffset(midnight)).ToUniversalTime();
        }
    }

    public DateTimeOffset Instant(DateTimeOffset instant) => OrganizationTimeZone.Local(instant, zone);

    public DateTimeOffset? Instant(DateTimeOffset? instant) => instant is { } value ? Instant(value) : null;

    public static ContactResponse Contact(string customerId, Contact contact) =>
        new(ContactRecord.IdFor(customerId, contact.Email), customerId, contact.Email, contact.Source, contact.Role);

    public static ContactResponse Contact(ContactRecord contact) =>
        new(contact.Id, contact.CustomerId, contact.Email, contact.Source, contact.Role);

    public CustomerResponse Customer(CustomerRecord record) => new(
        record.Id, record.Snapshot.Name, record.Snapshot.Email, record.Snapshot.Currency, record.Snapshot.Balance,
        record.Snapshot.Delinquent, record.Contacts.Select(contact => Contact(record.Id, contact)).ToList(),
        record.InvalidContactAddresses, Fields(record.CustomFields), Instant(record.Snapshot.CreatedAt), Instant(record.UpdatedAt));

    public InvoiceResponse Invoice(InvoiceRecord record)
    {
        var invoice = record.Snapshot;
        var status = InvoiceStatusRules.ToLedger(invoice.StripeStatus, InvoiceDates.DueDate(invoice, zone), Today)
            ?? throw new InvalidOperationException($"Invoice {invoice.Id} is a draft and should not be stored.");
        return new InvoiceResponse(
            invoice.Id, invoice.Number, invoice.CustomerId, invoice.Currency,
            invoice.Total, invoice.AmountDue, invoice.AmountPaid, invoice.AmountRemaining,
            status.ToString(), invoice.StripeStatus!, InvoiceDates.IssueDate(invoice, zone), InvoiceDates.DueDate(invoice, zone),
            Instant(invoice.PaidAt), Fields(record.CustomFields), Instant(record.UpdatedAt));
    }

    public PaymentResponse Payment(PaymentRecord record) => new(
        record.Id, record.Source, record.InvoiceId, record.CustomerId, record.Amount, record.Currency,
        Instant(record.PaidAt),
        record.Method is { } method ? new PaymentMethodResponse(method.Type, method.Brand, method.Last4, method.BankName, method.Country) : null,
        new ExportResponse(record.Export.Status, record.Export.Error, record.Export.Attempts,
            Instant(record.Export.LastAttemptAt), Instant(record.Export.NextAttemptAt)),
        Fields(record.CustomFields));

    private static IReadOnlyDictionary<string, object?> Fields(IReadOnlyDictionary<string, CustomFieldValue> fields) =>
        fields.ToDictionary(field => field.Key, field => field.Value.ToPlainObject());
}
