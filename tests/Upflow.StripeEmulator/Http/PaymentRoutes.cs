using Upflow.StripeEmulator.Json;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Http;

/// <summary>Stripe's /v1 read endpoints for payments: invoice payments, payment intents, charges, payment methods.</summary>
internal static class PaymentRoutes
{
    public static void MapPayments(this IEndpointRouteBuilder v1)
    {
        v1.MapGet("/invoice_payments", (HttpContext http) =>
        {
            var a = http.Account();
            var p = http.Query();
            var list = ListParameters.Parse(p, "invoice_payment", "invoice", "status", "payment");
            var invoice = p.String("invoice");
            var status = p.String("status");
            if (status is not null && status is not ("paid" or "open" or "canceled"))
                throw StripeApiException.InvalidRequest("Invalid status: must be one of canceled, open, or paid", "parameter_invalid_string", "status");
            var payment = p.Hash("payment");
            var paymentIntent = payment?.GetValueOrDefault("payment_intent");
            return StripeResponses.Read(a, w =>
            {
                var index = invoice is null ? a.InvoicePayments.Listed : a.InvoicePayments.PartitionOrEmpty(invoice);
                var query = list.Query(a.InvoicePayments, "invoice payment", ip =>
                    (status is null || ip.Status == status) && (paymentIntent is null || ip.PaymentIntentId == paymentIntent));
                ListJson.Write(w, ListPaging.Page(index, query), "/v1/invoice_payments", list.Expansion.ForListItems(),
                    (ip, e) => InvoicePaymentJson.Write(w, ip, e, a));
            });
        });

        v1.MapGet("/invoice_payments/{id}", (HttpContext http, string id) =>
        {
            var a = http.Account();
            var expansion = http.RetrieveExpansion("invoice_payment");
            return StripeResponses.Read(a, w => InvoicePaymentJson.Write(w,
                a.InvoicePayments.Find(id) ?? throw StripeApiException.NoSuch("invoice payment", id), expansion, a));
        });

        v1.MapGet("/payment_intents", (HttpContext http) =>
        {
            var a = http.Account();
            var p = http.Query();
            var list = ListParameters.Parse(p, "payment_intent", "customer", "customer_account");
            var customer = p.String("customer");
            return StripeResponses.Read(a, w =>
            {
                var index = customer is null ? a.PaymentIntents.Listed : a.PaymentIntents.PartitionOrEmpty(customer);
                ListJson.Write(w, ListPaging.Page(index, list.Query(a.PaymentIntents, "payment_intent")), "/v1/payment_intents",
                    list.Expansion.ForListItems(), (pi, e) => PaymentIntentJson.Write(w, pi, e, a));
            });
        });

        v1.MapGet("/payment_intents/{id}", (HttpContext http, string id) =>
        {
            var a = http.Account();
            var expansion = http.RetrieveExpansion("payment_intent");
            return StripeResponses.Read(a, w => PaymentIntentJson.Write(w,
                a.PaymentIntents.Find(id) ?? throw StripeApiException.NoSuch("payment_intent", id, "intent"), expansion, a));
        });

        v1.MapGet("/charges", (HttpContext http) =>
        {
            var a = http.Account();
            var p = http.Query();
            var list = ListParameters.Parse(p, "charge", "customer", "payment_intent", "transfer_group");
            var customer = p.String("customer");
            var paymentIntent = p.String("payment_intent");
            return StripeResponses.Read(a, w =>
            {
                var index = paymentIntent is null ? a.Charges.Listed : a.Charges.PartitionOrEmpty(paymentIntent);
                var query = list.Query(a.Charges, "charge", c => customer is null || c.CustomerId == customer);
                ListJson.Write(w, ListPaging.Page(index, query), "/v1/charges", list.Expansion.ForListItems(),
                    (c, e) => ChargeJson.Write(w, c, e, a));
            });
        });

        v1.MapGet("/charges/{id}", (HttpContext http, string id) =>
        {
            var a = http.Account();
            var expansion = http.RetrieveExpansion("charge");
            return StripeResponses.Read(a, w => ChargeJson.Write(w,
                a.Charges.Find(id) ?? throw StripeApiException.NoSuch("charge", id), expansion, a));
        });

        v1.MapGet("/payment_methods", (HttpContext http) =>
        {
            var a = http.Account();
            var p = http.Query();
            var list = ListParameters.Parse(p, "payment_method", "customer", "type", "allow_redisplay", "customer_account");
            var customer = p.String("customer");
            var type = p.String("type");
            return StripeResponses.Read(a, w =>
            {
                var index = customer is null ? a.PaymentMethods.Listed : a.PaymentMethods.PartitionOrEmpty(customer);
                var query = list.Query(a.PaymentMethods, "payment_method", m => type is null || m.Type == type);
                ListJson.Write(w, ListPaging.Page(index, query), "/v1/payment_methods", list.Expansion.ForListItems(),
                    (m, e) => PaymentMethodJson.Write(w, m, e, a));
            });
        });

        v1.MapGet("/payment_methods/{id}", (HttpContext http, string id) =>
        {
            var a = http.Account();
            var expansion = http.RetrieveExpansion("payment_method");
            return StripeResponses.Read(a, w => PaymentMethodJson.Write(w,
                a.PaymentMethods.Find(id) ?? throw StripeApiException.NoSuch("PaymentMethod", id, "payment_method"), expansion, a));
        });
    }
}
