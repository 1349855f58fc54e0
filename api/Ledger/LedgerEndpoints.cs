using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Upflow.Orleans.Api.Auth;
using Upflow.Orleans.Api.Http;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Api.Ledger;

/// <summary>Ledger reads: lists come from the PostgreSQL read model, never from a fan-out to grains.</summary>
public static class LedgerEndpoints
{
    private static readonly string[] Paging = ["limit", "cursor"];

    public static IEndpointRouteBuilder MapLedgerEndpoints(this IEndpointRouteBuilder routes)
    {
        var ledger = routes.MapGroup("/v1").RequireAuthorization(UpflowClaims.OrganizationPolicy).WithTags("Ledger");
        ledger.MapGet("/customers", ListCustomers).AllowQuery(Paging).WithName("ListCustomers");
        ledger.MapGet("/customers/{id}", GetCustomer).WithName("GetCustomer");
        ledger.MapGet("/contacts", ListContacts).AllowQuery([.. Paging, "customerId", "source"]).WithName("ListContacts");
        ledger.MapGet("/invoices", ListInvoices).AllowQuery([.. Paging, "status", "customerId"]).WithName("ListInvoices");
        ledger.MapGet("/invoices/{id}", GetInvoice).WithName("GetInvoice");
        ledger.MapGet("/payments", ListPayments).AllowQuery([.. Paging, "exportStatus", "invoiceId", "source"]).WithName("ListPayments");
        ledger.MapGet("/payments/{id}", GetPayment).WithName("GetPayment");
        return routes;
    }

    private static async Task<Results<Ok<ListResponse<CustomerResponse>>, ProblemHttpResult>> ListCustomers(
        string? limit, string? cursor, ClaimsPrincipal user, IGrainFactory grains, LedgerQueries queries, TimeProvider clock)
    {
        if (!ListLimit.TryParse(limit, out var size, out var problem)) return problem;
        var organization = UpflowClaims.OrganizationIdOf(user);
        var rendering = await RenderingAsync(grains, organization, clock);
        return await Paged(() => queries.ListCustomersAsync(organization, size, cursor), rendering.Customer);
    }

    private static async Task<Results<Ok<CustomerResponse>, ProblemHttpResult>> GetCustomer(
        string id, ClaimsPrincipal user, IGrainFactory grains, LedgerQueries queries, TimeProvider clock)
    {
        var organization = UpflowClaims.OrganizationIdOf(user);
        var record = await queries.FindCustomerAsync(organization, id);
        if (record is null || record.Snapshot.Deleted) return Problems.NotFound($"No customer '{id}'.");
        return TypedResults.Ok((await RenderingAsync(grains, organization, clock)).Customer(record));
    }

    private static async Task<Results<Ok<ListResponse<ContactResponse>>, ProblemHttpResult>> ListContacts(
        string? limit, string? cursor, string? customerId, string? source, ClaimsPrincipal user, LedgerQueries queries)
    {
        if (!ListLimit.TryParse(limit, out var size, out var problem)) return problem;
        if (source is not (null or Contact.Sources.Stripe or Contact.Sources.CustomField))
            return Problems.Validation($"'source' must be 'stripe' or 'custom_field'; got '{source}'.", "invalid_filter");
        var organization = UpflowClaims.OrganizationIdOf(user);
        return await Paged(() => queries.ListContactsAsync(organization, customerId, source, size, cursor), LedgerRendering.Contact);
    }

    private static async Task<Results<Ok<ListResponse<InvoiceResponse>>, ProblemHttpResult>> ListInvoices(
        string? limit, string? cursor, string? status, string? customerId,
        ClaimsPrincipal user, IGrainFactory grains, LedgerQueries queries, TimeProvider clock)
    {
        if (!ListLimit.TryParse(limit, out var size, out var problem)) return problem;
        LedgerInvoiceStatus? filter = null;
        if (status is not null)
        {
            // The names only: Enum.TryParse also takes numbers and comma lists ("OVERDUE,PAID" ORs into VOIDED).
            if (!Enum.GetNames<LedgerInvoiceStatus>().Contains(status, StringComparer.Ordinal))
                return Problems.Validation($"'status' must be one of DUE, OVERDUE, PAID, VOIDED; got '{status}'.", "invalid_filter");
            filter = Enum.Parse<LedgerInvoiceStatus>(status);
        }
        var organization = UpflowClaims.OrganizationIdOf(user);
        var rendering = await RenderingAsync(grains, organization, clock);
        return await Paged(() => queries.ListInvoicesAsync(organization, filter, customerId, rendering.StartOfToday, size, cursor), rendering.Invoice);
    }

    private static async Task<Results<Ok<InvoiceResponse>, ProblemHttpResult>> GetInvoice(
        string id, ClaimsPrincipal user, IGrainFactory grains, LedgerQueries queries, TimeProvider clock)
    {
        var organization = UpflowClaims.OrganizationIdOf(user);
        var record = await queries.FindInvoiceAsync(organization, id);
        if (record is null) return Problems.NotFound($"No invoice '{id}'.");
        return TypedResults.Ok((await RenderingAsync(grains, organization, clock)).Invoice(record));
    }

    private static async Task<Results<Ok<ListResponse<PaymentResponse>>, ProblemHttpResult>> ListPayments(
        string? limit, string? cursor, string? exportStatus, string? invoiceId, string? source,
        ClaimsPrincipal user, IGrainFactory grains, LedgerQueries queries, TimeProvider clock)
    {
        if (!ListLimit.TryParse(limit, out var size, out var problem)) return problem;
        if (exportStatus is not null && !ExportStatuses.All.Contains(exportStatus))
            return Problems.Validation($"'exportStatus' must be one of {string.Join(", ", ExportStatuses.All)}; got '{exportStatus}'.", "invalid_filter");
        if (source is not (null or PaymentRecord.Sources.Stripe or PaymentRecord.Sources.Portal))
            return Problems.Validation($"'source' must be 'stripe' or 'portal'; got '{source}'.", "invalid_filter");
        var organization = UpflowClaims.OrganizationIdOf(user);
        var rendering = await RenderingAsync(grains, organization, clock);
        return await Paged(() => queries.ListPaymentsAsync(organization, exportStatus, invoiceId, source, size, cursor), rendering.Payment);
    }

    private static async Task<Results<Ok<PaymentResponse>, ProblemHttpResult>> GetPayment(
        string id, ClaimsPrincipal user, IGrainFactory grains, LedgerQueries queries, TimeProvider clock)
    {
        var organization = UpflowClaims.OrganizationIdOf(user);
        var record = await queries.FindPaymentAsync(organization, id);
        if (record is null) return Problems.NotFound($"No payment '{id}'.");
        return TypedResults.Ok((await RenderingAsync(grains, organization, clock)).Payment(record));
    }

    private static async Task<Results<Ok<ListResponse<TResponse>>, ProblemHttpResult>> Paged<TRecord, TResponse>(
        Func<Task<Page<TRecord>>> read, Func<TRecord, TResponse> render)
    {
        try
        {
            var page = await read();
            return TypedResults.Ok(new ListResponse<TResponse>(page.Items.Select(render).ToList(), page.NextCursor));
        }
        catch (InvalidCursorException invalid)
        {
            return Problems.Validation(invalid.Message, "invalid_cursor");
        }
    }

    internal static async Task<LedgerRendering> RenderingAsync(IGrainFactory grains, string organizationId, TimeProvider clock)
    {
        var profile = await grains.GetGrain<IOrganizationGrain>(organizationId).Get()
            ?? throw new InvalidOperationException($"Organization {organizationId} does not exist.");
        return new LedgerRendering(TimeZoneInfo.FindSystemTimeZoneById(profile.TimeZone), clock.GetUtcNow());
    }
}

internal static class ListLimit
{
    public const int Default = 50;

    public static bool TryParse(string? value, out int limit, out ProblemHttpResult problem)
    {
        problem = null!;
        limit = Default;
        if (value is null) return true;
        if (int.TryParse(value, System.Globalization.NumberStyles.None, null, out limit) && limit is >= 1 and <= LedgerQueries.MaxLimit)
            return true;
        problem = Problems.Validation($"'limit' must be an integer from 1 to {LedgerQueries.MaxLimit}; got '{value}'.", "invalid_limit");
        return false;
    }
}
