namespace Upflow.Sync.Tests;

public class InvoiceStatusTests
{
    private static readonly DateOnly Today = new(2025, 3, 11);

    [Theory]
    [InlineData("draft", null, null)]
    [InlineData("draft", "2025-01-01", null)]
    [InlineData("open", null, LedgerInvoiceStatus.DUE)]
    [InlineData("open", "2025-03-12", LedgerInvoiceStatus.DUE)]
    [InlineData("open", "2025-03-11", LedgerInvoiceStatus.DUE)]
    [InlineData("open", "2025-03-10", LedgerInvoiceStatus.OVERDUE)]
    [InlineData("paid", "2025-01-01", LedgerInvoiceStatus.PAID)]
    [InlineData("void", "2025-01-01", LedgerInvoiceStatus.VOIDED)]
    [InlineData("uncollectible", "2025-01-01", LedgerInvoiceStatus.PAID)]
    [InlineData("uncollectible", null, LedgerInvoiceStatus.PAID)]
    public void Stripe_status_maps_to_the_ledger_status(string stripeStatus, string? dueDate, LedgerInvoiceStatus? expected)
    {
        var due = dueDate is null ? (DateOnly?)null : DateOnly.Parse(dueDate, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expected, InvoiceStatusRules.ToLedger(stripeStatus, due, Today));
    }

    [Fact]
    public void Uncollectible_invoice_counts_as_PAID() =>
        Assert.Equal(LedgerInvoiceStatus.PAID, InvoiceStatusRules.ToLedger("uncollectible", null, Today));

    [Fact]
    public void Draft_invoice_is_never_imported()
    {
        Assert.False(InvoiceStatusRules.IsImported(Invoices.Sample with { StripeStatus = "draft" }));
        Assert.False(InvoiceStatusRules.IsImported(Invoices.Sample with { StripeStatus = null, Deleted = true }));
        Assert.True(InvoiceStatusRules.IsImported(Invoices.Sample with { StripeStatus = "open" }));
    }

    [Fact]
    public void An_unknown_Stripe_status_is_refused_rather_than_guessed() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => InvoiceStatusRules.ToLedger("pending", null, Today));

    [Theory]
    // Due at 23:30 UTC on 10 March: already 11 March in Paris, still 10 March in New York.
    [InlineData("Europe/Paris", "2025-03-11T12:00:00Z", LedgerInvoiceStatus.DUE)]
    [InlineData("America/New_York", "2025-03-11T12:00:00Z", LedgerInvoiceStatus.OVERDUE)]
    [InlineData("America/New_York", "2025-03-11T03:59:00Z", LedgerInvoiceStatus.DUE)]
    [InlineData("America/New_York", "2025-03-11T04:00:00Z", LedgerInvoiceStatus.OVERDUE)]
    [InlineData("Europe/Paris", "2025-03-11T23:00:00Z", LedgerInvoiceStatus.OVERDUE)]
    [InlineData("Europe/Paris", "2025-03-11T22:59:00Z", LedgerInvoiceStatus.DUE)]
    public void Open_invoice_becomes_OVERDUE_the_day_after_its_due_date_in_the_organization_zone(
        string zoneId, string now, LedgerInvoiceStatus expected)
    {
        var zone = Zone(zoneId);
        var dueAt = DateTimeOffset.Parse("2025-03-10T23:30:00Z", System.Globalization.CultureInfo.InvariantCulture);

        var status = InvoiceStatusRules.ToLedger("open", dueAt, zone, DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(expected, status);
    }

    [Theory]
    [InlineData("2025-03-10T23:30:00Z", "Europe/Paris", "2025-03-11", "2025-03-11T00:30:00+01:00")]
    [InlineData("2025-03-10T23:30:00Z", "America/New_York", "2025-03-10", "2025-03-10T19:30:00-04:00")]
    [InlineData("2025-03-10T23:30:00Z", "UTC", "2025-03-10", "2025-03-10T23:30:00+00:00")]
    // Paris leaves winter time at 01:00 UTC on 30 March 2025.
    [InlineData("2025-03-30T00:30:00Z", "Europe/Paris", "2025-03-30", "2025-03-30T01:30:00+01:00")]
    [InlineData("2025-03-30T01:30:00Z", "Europe/Paris", "2025-03-30", "2025-03-30T03:30:00+02:00")]
    [InlineData("2025-03-29T22:30:00Z", "Europe/Paris", "2025-03-29", "2025-03-29T23:30:00+01:00")]
    [InlineData("2025-03-30T22:30:00Z", "Europe/Paris", "2025-03-31", "2025-03-31T00:30:00+02:00")]
    // New York leaves summer time at 06:00 UTC on 2 November 2025.
    [InlineData("2025-11-02T03:30:00Z", "America/New_York", "2025-11-01", "2025-11-01T23:30:00-04:00")]
    [InlineData("2025-11-03T03:30:00Z", "America/New_York", "2025-11-02", "2025-11-02T22:30:00-05:00")]
    public void Instants_render_as_dates_and_offsets_of_the_organization_zone(
        string instant, string zoneId, string expectedDate, string expectedLocal)
    {
        var zone = Zone(zoneId);
        var at = DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(expectedDate, OrganizationTimeZone.CalendarDate(at, zone).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        var local = OrganizationTimeZone.Local(at, zone);
        Assert.Equal(expectedLocal, local.ToString("yyyy-MM-dd'T'HH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(at, local);
    }

    [Theory]
    [InlineData("Europe/Paris", true)]
    [InlineData("America/New_York", true)]
    [InlineData("UTC", true)]
    [InlineData("Romance Standard Time", false)]
    [InlineData("Europe/Atlantis", false)]
    [InlineData("+01:00", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_IANA_time_zone_ids_are_accepted(string? id, bool accepted) =>
        Assert.Equal(accepted, OrganizationTimeZone.TryFind(id, out _));

    [Theory]
    [InlineData("2025-02-03T10:00:00Z", "2025-02-02T10:00:00Z", "2025-02-01T10:00:00Z", "2025-02-03T10:00:00Z")]
    [InlineData(null, "2025-02-02T10:00:00Z", "2025-02-01T10:00:00Z", "2025-02-02T10:00:00Z")]
    [InlineData(null, null, "2025-02-01T10:00:00Z", "2025-02-01T10:00:00Z")]
    public void Issue_date_is_effective_at_else_finalized_at_else_created(
        string? effectiveAt, string? finalizedAt, string created, string expected)
    {
        var invoice = Invoices.Sample with
        {
            EffectiveAt = Instant(effectiveAt),
            FinalizedAt = Instant(finalizedAt),
            Created = Instant(created)!.Value,
        };

        Assert.Equal(Instant(expected), InvoiceDates.IssueInstant(invoice));
    }

    [Fact]
    public void Issue_and_due_dates_are_calendar_dates_in_the_organization_zone()
    {
        var invoice = Invoices.Sample with
        {
            EffectiveAt = Instant("2025-03-10T23:30:00Z"),
            DueDate = Instant("2025-04-09T23:30:00Z"),
        };

        Assert.Equal(new DateOnly(2025, 3, 11), InvoiceDates.IssueDate(invoice, Zone("Europe/Paris")));
        Assert.Equal(new DateOnly(2025, 3, 10), InvoiceDates.IssueDate(invoice, Zone("America/New_York")));
        Assert.Equal(new DateOnly(2025, 4, 10), InvoiceDates.DueDate(invoice, Zone("Europe/Paris")));
        Assert.Null(InvoiceDates.DueDate(invoice with { DueDate = null }, Zone("Europe/Paris")));
    }

    private static TimeZoneInfo Zone(string id) =>
        OrganizationTimeZone.TryFind(id, out var zone) ? zone : throw new InvalidOperationException(id);

    private static DateTimeOffset? Instant(string? text) =>
        text is null ? null : DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
}

internal static class Invoices
{
    public static readonly InvoiceSnapshot Sample = new(
        Id: "in_1", Number: "INV-0001", CustomerId: "cus_1", Currency: "eur",
        Total: 12000, AmountDue: 12000, AmountPaid: 0, AmountRemaining: 12000,
        StripeStatus: "open",
        Created: new DateTimeOffset(2025, 2, 1, 10, 0, 0, TimeSpan.Zero),
        EffectiveAt: null, FinalizedAt: null, PaidAt: null, DueDate: null,
        Metadata: new Dictionary<string, string>(),
        AsOf: new DateTimeOffset(2025, 2, 1, 10, 0, 0, TimeSpan.Zero),
        Deleted: false);
}
