using Upflow.Orleans.Payments;
using Upflow.Orleans.Stripe;

namespace Upflow.Orleans.Accounts;

// Write-back lives in its own file: the account grain only lends its connection (the decrypted key
// never leaves this method); the payment grain owns the export and its retries.
public sealed partial class StripeAccountGrain
{
    public async Task<WriteBackOutcome> PayInvoiceOutOfBand(string invoiceId, string idempotencyKey)
    {
        // Read synchronously before any await: the method interleaves with Connect/Disconnect.
        if (state.State is not { Connected: true, SecretKeyCipher: { } cipher })
            return new WriteBackOutcome(WriteBackStatus.NotConnected, "Stripe is not connected.", null);
        var secretKey = secrets.Unprotect(cipher, OrganizationId);
        var outcome = await stripe.PayInvoiceOutOfBandAsync(OrganizationId, secretKey, invoiceId, idempotencyKey, CancellationToken.None);
        return outcome.Status switch
        {
            PayStatus.Paid => new WriteBackOutcome(WriteBackStatus.Paid, null, outcome.Invoice),
            PayStatus.Refused => new WriteBackOutcome(WriteBackStatus.Refused, outcome.Message, null),
            _ => new WriteBackOutcome(WriteBackStatus.Failed, outcome.Message, null),
        };
    }
}
