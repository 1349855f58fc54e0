using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Upflow.Orleans.Storage;

/// <summary>
/// A list position: the sort key of the last row handed out, base64url-encoded so clients treat it
/// as opaque. Each list has its own kind, so a cursor from another list is refused, not misread.
/// </summary>
internal readonly record struct LedgerCursor(string Kind, string Id, long? DueTicks = null)
{
    public const string Customers = "cus";
    public const string Contacts = "con";
    public const string Invoices = "inv";
    public const string InvoicesByDue = "due"; // DUE and OVERDUE: (due date, no due date last, id)
    public const string Payments = "pay";

    private const string NoDueDate = "none";

    public string Encode()
    {
        var text = Kind == InvoicesByDue
            ? $"{Kind}|{(DueTicks is { } ticks ? ticks.ToString(CultureInfo.InvariantCulture) : NoDueDate)}|{Id}"
            : $"{Kind}|{Id}";
        return Base64Url.EncodeToString(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Null when there is no cursor (the first page).</summary>
    /// <exception cref="InvalidCursorException">Malformed, or handed out by another list.</exception>
    public static LedgerCursor? Decode(string? cursor, string expectedKind)
    {
        if (cursor is null)
        {
            return null;
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(Base64Url.DecodeFromChars(cursor));
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException)
        {
            throw Invalid();
        }

        var parts = text.Split('|', expectedKind == InvoicesByDue ? 3 : 2);
        if (parts[0] != expectedKind || parts.Length != (expectedKind == InvoicesByDue ? 3 : 2) || parts[^1].Length == 0)
        {
            throw Invalid();
        }

        if (expectedKind != InvoicesByDue)
        {
            return new LedgerCursor(expectedKind, parts[1]);
        }

        if (parts[1] == NoDueDate)
        {
            return new LedgerCursor(expectedKind, parts[2]);
        }

        if (!long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var dueTicks)
            || dueTicks > DateTime.MaxValue.Ticks)
        {
            throw Invalid();
        }

        return new LedgerCursor(expectedKind, parts[2], dueTicks);
    }

    private static InvalidCursorException Invalid() =>
        new("The cursor is not one this list handed out; start again without a cursor.");
}
