using Upflow.Orleans.Payments;
using Upflow.Orleans.Stripe;

namespace Upflow.Orleans.Accounts;

// Write-back lives in its own file: the account grain only lends its connection (the decrypted key
// never leaves this method); the payment grain owns the export and its retries.
public sealed partial class StripeAccountGrain
{
    /// <summary>How long an export may wait to be let through before it is told to come back later.</summary>
    private static readonly TimeSpan PayAdmissionWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Seconds of the account's budget the admitted exports may hold between them. With Stripe's own
    /// retries (about 1.4 requests per export at a 20% fault rate) an admitted export waits at most
    /// some 10 s for its tokens: with the admission wait, well inside Orleans' 30 s call timeout.
    /// </summary>
    private const double AdmittedBudgetSeconds = 5;

    private SemaphoreSlim? _payAdmission;

    /// <summary>
    /// Every Stripe request of the account waits for its token bucket. A burst of portal payments
    /// (thousands at once) would queue there longer than a grain call may last: the caller times out,
    /// yet the queued request still spends a token later, for nothing. So only as many exports as the
    /// budget serves in <see cref="AdmittedBudgetSeconds"/> are let through; the others are answered
    /// Busy, before anything is sent, and come back shortly.
    /// </summary>
    private SemaphoreSlim PayAdmission => _payAdmission ??= new SemaphoreSlim(
        Math.Max(1, (int)(stripeOptions.Value.MaxRequestsPerSecond * AdmittedBudgetSeconds)));

    public async Task<WriteBackOutcome> PayInvoiceOutOfBand(string invoiceId, string idempotencyKey)
    {
        // Read synchronously before any await: the method interleaves with Connect/Disconnect.
        if (state.State is not { Connected: true, SecretKeyCipher: { } cipher })
            return new WriteBackOutcome(WriteBackStatus.NotConnected, "Stripe is not connected.", null);
        if (!await PayAdmission.WaitAsync(PayAdmissionWait))
            return new WriteBackOutcome(WriteBackStatus.Busy, "Stripe's request budget for this account is taken; the export is tried again shortly.", null);
        try
        {
            // Disconnected (or connected to another account) while waiting: pay nothing with the old key.
            if (state.State is not { Connected: true } || state.State.SecretKeyCipher != cipher)
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
        finally
        {
            PayAdmission.Release();
        }
    }
}
