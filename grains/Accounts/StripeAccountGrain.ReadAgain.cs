using Microsoft.Extensions.Logging;
using Upflow.Orleans.Ledger;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Stripe;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Accounts;

// Objects read again from Stripe for the event dispatcher, in their own file: the account grain
// only lends its connection; the object's grain decides what to keep, by its ordering rules.
public sealed partial class StripeAccountGrain
{
    /// <summary>
    /// Less than Orleans' 30 s call timeout: a read still queued for the account's Stripe pace when
    /// its caller gives up would otherwise be sent anyway, and the drain's retry queue another.
    /// </summary>
    private static readonly TimeSpan ReadAgainPatience = TimeSpan.FromSeconds(20);

    public async Task<ApplyOutcome> ApplyInvoicePayment(string invoicePaymentId)
    {
        using var patience = new CancellationTokenSource(ReadAgainPatience);
        if (await ReadAgainAsync(stripe.GetInvoicePaymentAsync, invoicePaymentId, patience.Token) is not (var payment, var requestedAt)) return ApplyOutcome.NotImported;
        var snapshot = StripeSnapshots.FromInvoicePayment(payment, requestedAt);
        if (!PaymentRules.IsImported(snapshot)) return ApplyOutcome.NotImported;
        return await GrainFactory.GetGrain<IPaymentGrain>(new LedgerKey(OrganizationId, snapshot.Id).ToString())
            .ApplyStripe(snapshot, await SyncSettingsAsync(), SnapshotOrigin.Event);
    }

    public async Task<ApplyOutcome> ReadCustomerAgain(string customerId, DateTimeOffset tiedAsOf)
    {
        if (await ReadTiedAgainAsync(stripe.GetCustomerAsync, customerId) is not (var customer, var requestedAt)) return ApplyOutcome.NotImported;
        var snapshot = StripeSnapshots.FromCustomer(customer, Later(requestedAt, tiedAsOf));
        return await GrainFactory.GetGrain<ICustomerGrain>(new LedgerKey(OrganizationId, snapshot.Id).ToString())
            .Apply(snapshot, await SyncSettingsAsync(), SnapshotOrigin.Event);
    }

    public async Task<ApplyOutcome> ReadInvoiceAgain(string invoiceId, DateTimeOffset tiedAsOf)
    {
        if (await ReadTiedAgainAsync(stripe.GetInvoiceAsync, invoiceId) is not (var invoice, var requestedAt)) return ApplyOutcome.NotImported;
        var snapshot = StripeSnapshots.FromInvoice(invoice, Later(requestedAt, tiedAsOf));
        return await GrainFactory.GetGrain<IInvoiceGrain>(new LedgerKey(OrganizationId, snapshot.Id).ToString())
            .Apply(snapshot, await SyncSettingsAsync(), SnapshotOrigin.Event);
    }

    private Task<SyncSettings> SyncSettingsAsync() => GrainFactory.GetGrain<IOrganizationGrain>(OrganizationId).GetSyncSettings();

    /// <summary>The request follows both tied changes (their events were delivered): its answer is at least as new as the tie.</summary>
    private static DateTimeOffset Later(DateTimeOffset requestedAt, DateTimeOffset tiedAsOf) => requestedAt > tiedAsOf ? requestedAt : tiedAsOf;

    /// <summary>
    /// A tie's object read again. A key or a request Stripe refuses (revoked, restricted) would be
    /// refused again: the object keeps the change it holds. Stripe being unreachable throws, for the drain.
    /// </summary>
    private async Task<(T Object, DateTimeOffset RequestedAt)?> ReadTiedAgainAsync<T>(
        Func<string, string, string, CancellationToken, Task<(T, DateTimeOffset)>> get, string id)
    {
        using var patience = new CancellationTokenSource(ReadAgainPatience);
        try
        {
            return await ReadAgainAsync(get, id, patience.Token);
        }
        catch (Exception exception) when (exception is StripeKeyRejectedException or StripeRequestRefusedException)
        {
            LogTieKept(logger, OrganizationId, id, exception.Message);
            return null;
        }
    }

    /// <summary>An object read again from Stripe with the account's key; null when not connected or Stripe has no such object.</summary>
    private async Task<(T Object, DateTimeOffset RequestedAt)?> ReadAgainAsync<T>(
        Func<string, string, string, CancellationToken, Task<(T, DateTimeOffset)>> get, string id, CancellationToken cancellation)
    {
        if (state.State is not { Connected: true, SecretKeyCipher: { } cipher }) return null;
        try
        {
            return await get(OrganizationId, secrets.Unprotect(cipher, OrganizationId), id, cancellation);
        }
        catch (StripeRequestRefusedException refused) when (refused.StatusCode == 404)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Organization {OrganizationId}: {ObjectId} could not be read again after two same-second changes ({Reason}); it keeps the change it holds")]
    private static partial void LogTieKept(ILogger logger, string organizationId, string objectId, string reason);
}
