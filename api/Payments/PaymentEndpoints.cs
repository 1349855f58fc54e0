using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Upflow.Orleans.Api.Auth;
using Upflow.Orleans.Api.Http;
using Upflow.Orleans.Api.Ledger;
using Upflow.Orleans.Ledger;
using Upflow.Orleans.Payments;
using Upflow.Orleans.Storage;

namespace Upflow.Orleans.Api.Payments;

/// <summary>Write-back: payments collected in the AR portal, and "Export back to Stripe Billing".</summary>
public static class PaymentEndpoints
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    /// <summary>Stripe's own limit on idempotency keys.</summary>
    private const int MaxIdempotencyKeyLength = 255;

    /// <summary>A paidAt a little ahead is clock skew between the portal and us; further ahead is a typo.</summary>
    private static readonly TimeSpan PaidAtSkew = TimeSpan.FromMinutes(5);

    public static readonly IReadOnlyList<string> Methods = ["card", "bank_transfer", "sepa_debit", "ach_debit", "check", "cash", "other"];

    public static IEndpointRouteBuilder MapPaymentEndpoints(this IEndpointRouteBuilder routes)
    {
        var payments = routes.MapGroup("/v1/payments").RequireAuthorization(UpflowClaims.OrganizationPolicy).WithTags("Payments");
        payments.MapPost("", Create).WithName("CreatePayment");
        payments.MapPost("/{id}/export", Export).WithName("ExportPayment");
        return routes;
    }

    private static async Task<Results<Created<PaymentResponse>, Ok<PaymentResponse>, ProblemHttpResult>> Create(
        CreatePaymentRequest request, HttpRequest http, ClaimsPrincipal user, IGrainFactory grains, LedgerQueries queries, TimeProvider clock)
    {
        var idempotencyKey = http.Headers[IdempotencyKeyHeader].ToString();
        if (string.IsNullOrWhiteSpace(idempotencyKey))
            return Problems.Validation($"The {IdempotencyKeyHeader} header is required: it makes retrying this request safe.", "missing_idempotency_key");
        if (idempotencyKey.Length > MaxIdempotencyKeyLength)
            return Problems.Validation($"The {IdempotencyKeyHeader} header is at most {MaxIdempotencyKeyLength} characters.", "invalid_idempotency_key");
        if (string.IsNullOrWhiteSpace(request.InvoiceId))
            return Problems.Validation("'invoiceId' is required.", "invalid_invoice_id");
        if (request.Amount <= 0)
            return Problems.Validation($"'amount' must be a positive integer in the currency's minor unit; got {request.Amount}.", "invalid_amount");
        if (request.Currency.Length != 3 || !request.Currency.All(char.IsAsciiLetter))
            return Problems.Validation($"'currency' must be an ISO currency code; got '{request.Currency}'.", "invalid_currency");
        if (!Methods.Contains(request.Method))
            return Problems.Validation($"'method' must be one of {string.Join(", ", Methods)}; got '{request.Method}'.", "invalid_method");
        if (request.PaidAt > clock.GetUtcNow() + PaidAtSkew)
            return Problems.Validation("'paidAt' is in the future.", "invalid_paid_at");

        var organization = UpflowClaims.OrganizationIdOf(user);
        var portalPayment = new PortalPaymentRequest(request.InvoiceId.Trim(), request.Amount, request.Currency.ToLowerInvariant(), request.PaidAt.ToUniversalTime(), request.Method);
        var outcome = await grains.GetGrain<IPaymentRequestGrain>(new LedgerKey(organization, idempotencyKey).ToString()).Record(portalPayment);
        switch (outcome.Status)
        {
            case RecordPaymentStatus.Created or RecordPaymentStatus.Replayed:
                var rendering = await LedgerEndpoints.RenderingAsync(grains, organization, clock);
                var record = await queries.FindPaymentAsync(organization, outcome.PaymentId!)
                    ?? throw new InvalidOperationException($"Payment {outcome.PaymentId} was recorded but is not in the read model.");
                if (outcome.Status == RecordPaymentStatus.Replayed) return TypedResults.Ok(rendering.Payment(record));
                var created = rendering.Payment(ExportRules.AsRecorded(record, outcome.RecordedAt ?? record.UpdatedAt));
                return TypedResults.Created($"/v1/payments/{created.Id}", created);
            case RecordPaymentStatus.KeyReused:
                return Problems.Conflict(outcome.Message!, "idempotency_key_reused");
            case RecordPaymentStatus.InvoiceNotFound:
                return Problems.NotFound(outcome.Message!);
            case RecordPaymentStatus.CurrencyMismatch:
                return Problems.Validation(outcome.Message!, "currency_mismatch");
            case RecordPaymentStatus.AmountExceedsRemaining:
                return Problems.Validation(outcome.Message!, "amount_exceeds_remaining");
            case RecordPaymentStatus.InvoiceVoided:
                return Problems.Conflict(outcome.Message!, "invoice_voided");
            case RecordPaymentStatus.InvoiceAlreadyPaid:
                return Problems.Conflict(outcome.Message!, "invoice_already_paid");
            case RecordPaymentStatus.NotConnected:
                return Problems.Conflict(outcome.Message!, "not_connected");
            default:
                throw new InvalidOperationException($"Unexpected outcome {outcome.Status}.");
        }
    }

    private static async Task<Results<Accepted<PaymentResponse>, ProblemHttpResult>> Export(
        string id, ClaimsPrincipal user, IGrainFactory grains, LedgerQueries queries, TimeProvider clock)
    {
        var organization = UpflowClaims.OrganizationIdOf(user);
        // The read model first: an unknown or Stripe id never activates a grain.
        var record = await queries.FindPaymentAsync(organization, id);
        if (record is null) return Problems.NotFound($"No payment '{id}'.");
        if (record.Source != PaymentRecord.Sources.Portal)
            return NotExportable(id);

        var status = await grains.GetGrain<IPaymentGrain>(new LedgerKey(organization, id).ToString()).RequestExport();
        switch (status)
        {
            case ExportRequestStatus.Scheduled:
                var rendering = await LedgerEndpoints.RenderingAsync(grains, organization, clock);
                var current = await queries.FindPaymentAsync(organization, id) ?? record;
                return TypedResults.Accepted($"/v1/payments/{id}", rendering.Payment(current));
            case ExportRequestStatus.AlreadyExported:
                return Problems.Conflict($"Payment {id} is already exported to Stripe Billing; nothing was done.", "already_exported");
            case ExportRequestStatus.NotExportable:
                return NotExportable(id);
            default:
                return Problems.NotFound($"No payment '{id}'.");
        }
    }

    private static ProblemHttpResult NotExportable(string id) =>
        Problems.Conflict($"Payment {id} comes from Stripe Billing: there is nothing to export back.", "not_exportable");
}

public sealed record CreatePaymentRequest(string InvoiceId, long Amount, string Currency, DateTimeOffset PaidAt, string Method);
