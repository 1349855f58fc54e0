using Upflow.Orleans.Ledger;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Stripe;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Accounts;

// Objects read again from Stripe for the event dispatcher, in their own file: the account grain
// only lends its connection; the object's grain decides what to keep, by its ordering rules.
public sealed partial class StripeAccountGrain
{
    public async Task<ApplyOutcome> ApplyInvoicePayment(string invoicePaymentId)
    {
        if (await ReadAgainAsync(stripe.GetInvoicePaymentAsync, invoicePaymentId) is not (var payment, var requestedAt)) return ApplyOutcome.NotImported;
        var snapshot = StripeSnapshots.FromInvoicePayment(payment, requestedAt);
        if (!PaymentRules.IsImported(snapshot)) return ApplyOutcome.NotImported;
        var settings = await GrainFactory.GetGrain<IOrganizationGrain>(OrganizationId).GetSyncSettings();
        return await GrainFactory.GetGrain<IPaymentGrain>(new LedgerKey(OrganizationId, snapshot.Id).ToString())
            .ApplyStripe(snapshot, settings, SnapshotOrigin.Event);
    }

    public async Task<ApplyOutcome> RefreshCustomer(string customerId, DateTimeOffset tiedAsOf)
    {
        if (await ReadAgainAsync(stripe.GetCustomerAsync, customerId) is not (var customer, var requestedAt)) return ApplyOutcome.NotImported;
        var snapshot = StripeSnapshots.FromCustomer(customer, Later(requestedAt, tiedAsOf));
        var settings = await GrainFactory.GetGrain<IOrganizationGrain>(OrganizationId).GetSyncSettings();
        return await GrainFactory.GetGrain<ICustomerGrain>(new LedgerKey(OrganizationId, snapshot.Id).ToString())
            .Apply(snapshot, settings, SnapshotOrigin.Event);
    }

    public async Task<ApplyOutcome> RefreshInvoice(string invoiceId, DateTimeOffset tiedAsOf)
    {
        if (await ReadAgainAsync(stripe.GetInvoiceAsync, invoiceId) is not (var invoice, var requestedAt)) return ApplyOutcome.NotImported;
        var snapshot = StripeSnapshots.FromInvoice(invoice, Later(requestedAt, tiedAsOf));
        var settings = await GrainFactory.GetGrain<IOrganizationGrain>(OrganizationId).GetSyncSettings();
        return await GrainFactory.GetGrain<IInvoiceGrain>(new LedgerKey(OrganizationId, snapshot.Id).ToString())
            .Apply(snapshot, settings, SnapshotOrigin.Event);
    }

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    /// <summary>An object read again from Stripe with the account's key; null when not connected or Stripe has no such object.</summary>
    private async Task<(T Object, DateTimeOffset RequestedAt)?> ReadAgainAsync<T>(
        Func<string, string, string, CancellationToken, Task<(T, DateTimeOffset)>> get, string id)
    {
        if (state.State is not { Connected: true, SecretKeyCipher: { } cipher }) return null;
        try
        {
            return await get(OrganizationId, secrets.Unprotect(cipher, OrganizationId), id, CancellationToken.None);
        }
        catch (StripeRequestRefusedException refused) when (refused.StatusCode == 404)
        {
            return null;
        }
    }
}
