namespace Upflow.Sync.Tests;

public class PaymentRulesTests
{
    private static readonly PaymentSnapshot Sample = new(
        Id: "inpay_1", InvoiceId: "in_1", CustomerId: "cus_1", Amount: 5000, Currency: "eur",
        StripeStatus: "paid", PaidAt: new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero),
        Method: new PaymentMethodDetails("card", "visa", "4242", null, "FR"),
        Metadata: new Dictionary<string, string>(), AsOf: new DateTimeOffset(2025, 3, 1, 9, 0, 0, TimeSpan.Zero));

    [Theory]
    [InlineData("in_1", "paid", PaymentDisposition.Imported)]
    [InlineData("in_1", "open", PaymentDisposition.SkippedNotPaid)]
    [InlineData("in_1", "canceled", PaymentDisposition.SkippedNotPaid)]
    [InlineData(null, "paid", PaymentDisposition.SkippedUnapplied)]
    [InlineData("", "paid", PaymentDisposition.SkippedUnapplied)]
    [InlineData(null, "open", PaymentDisposition.SkippedUnapplied)]
    public void Only_paid_payments_applied_to_an_invoice_are_imported(string? invoiceId, string status, PaymentDisposition expected)
    {
        var payment = Sample with { InvoiceId = invoiceId, StripeStatus = status };

        Assert.Equal(expected, PaymentRules.Classify(payment));
        Assert.Equal(expected == PaymentDisposition.Imported, PaymentRules.IsImported(payment));
    }
}
