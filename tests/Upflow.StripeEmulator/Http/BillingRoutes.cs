using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Json;
using Upflow.StripeEmulator.Mutations;

namespace Upflow.StripeEmulator.Http;

/// <summary>Stripe's /v1 read endpoints for account, customers and invoices, and the one write the product uses.</summary>
internal static class BillingRoutes
{
    public static void MapBilling(this IEndpointRouteBuilder v1)
    {
        v1.MapGet("/account", (HttpContext http) =>
        {
            http.RetrieveExpansion("account");
            var account = http.Account();
            return StripeResponses.Json(w => AccountJson.Write(w, account));
        });

        v1.MapGet("/customers", (HttpContext http) =>
        {
            var a = http.Account();
            var p = http.Query();
            var list = ListParameters.Parse(p, "customer", "email", "test_clock");
            var email = p.String("email");
            return StripeResponses.Read(a, w =>
            {
                var query = list.Query(a.Customers, "customer", email is null ? null : c => c.Email == email);
                ListJson.Write(w, Store.ListPaging.Page(a.Customers.Listed, query), "/v1/customers", list.Expansion.ForListItems(),
                    (c, e) => CustomerJson.Write(w, c, e, a));
            });
        });

        v1.MapGet("/customers/{id}", (HttpContext http, string id) =>
        {
            var a = http.Account();
            var expansion = http.RetrieveExpansion("customer");
            return StripeResponses.Read(a, w =>
                CustomerJson.Write(w, a.Customers.Find(id) ?? throw StripeApiException.NoSuch("customer", id), expansion, a));
        });

        v1.MapGet("/invoices", (HttpContext http) =>
        {
            var a = http.Account();
            var p = http.Query();
            var list = ListParameters.Parse(p, "invoice", "customer", "status", "collection_method", "due_date", "subscription", "customer_account");
            var customer = p.String("customer");
            var status = p.String("status");
            if (status is not null && !InvoiceStatus.All.Contains(status))
                throw StripeApiException.InvalidRequest(
                    $"Invalid status: must be one of {string.Join(", ", InvoiceStatus.All[..^1])}, or {InvoiceStatus.All[^1]}", "parameter_invalid_string", "status");
            var collectionMethod = p.String("collection_method");
            var dueDate = p.Range("due_date");
            if (p.String("subscription") is not null) return StripeResponses.Json(w => ListJson.Write(w, new Store.ListPage<Invoice>([], false), "/v1/invoices", Expansion.None, (_, _) => { }));
            return StripeResponses.Read(a, w =>
            {
                var index = customer is null ? a.Invoices.Listed : a.Invoices.PartitionOrEmpty(customer);
                var query = list.Query(a.Invoices, "invoice", i =>
                    (status is null || i.Status == status)
                    && (collectionMethod is null || i.CollectionMethod == collectionMethod)
                    && (dueDate == Store.CreatedRange.All || i.DueDate is { } due && dueDate.Contains(due)));
                ListJson.Write(w, Store.ListPaging.Page(index, query), "/v1/invoices", list.Expansion.ForListItems(),
                    (i, e) => InvoiceJson.Write(w, i, e, a));
            });
        });

        v1.MapGet("/invoices/{id}", (HttpContext http, string id) =>
        {
            var a = http.Account();
            var expansion = http.RetrieveExpansion("invoice");
            return StripeResponses.Read(a, w =>
                InvoiceJson.Write(w, a.Invoices.Find(id) ?? throw StripeApiException.NoSuch("invoice", id), expansion, a));
        });

        v1.MapPost("/invoices/{id}/pay", async (HttpContext http, string id, InvoiceMutations invoices) =>
        {
            var a = http.Account();
            var p = await http.Form();
            p.EnsureOnly("paid_out_of_band", "expand", "forgive", "mandate", "off_session", "payment_method", "source");
            var expand = p.List("expand");
            ExpansionSchema.Validate("invoice", expand);
            if (p.Boolean("paid_out_of_band") != true)
                // The emulator holds no real payment methods to charge; only out-of-band payment is a product use case.
                throw StripeApiException.InvalidRequest(
                    "The emulator only supports paying invoices with paid_out_of_band=true.", param: "paid_out_of_band");
            var origin = new RequestOrigin(http.Response.Headers["Request-Id"].ToString(), http.Request.Headers["Idempotency-Key"].FirstOrDefault());
            var invoice = invoices.PayOutOfBand(a, id, origin);
            return StripeResponses.Read(a, w => InvoiceJson.Write(w, invoice, new Expansion(expand), a));
        });
    }
}
