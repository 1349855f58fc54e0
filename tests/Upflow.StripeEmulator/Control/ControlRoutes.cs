using Upflow.StripeEmulator.Faults;
using Upflow.StripeEmulator.Generation;
using Upflow.StripeEmulator.Http;
using Upflow.StripeEmulator.Json;
using Upflow.StripeEmulator.Mutations;
using Upflow.StripeEmulator.Webhooks;

namespace Upflow.StripeEmulator.Control;

public sealed record NewAccountRequest(string? Email, string? BusinessName, string? Timezone, GenerationSpec? Generate);
public sealed record AccountCreated(string Id, string SecretKey, GeneratedCounts? Counts);
public sealed record WebhookRequest(string Url, string? Secret, bool AutoDeliver = true);
public sealed record WebhookConfigured(string Url, string Secret);
public sealed record DeliverRequest(IReadOnlyCollection<string>? EventIds, WebhookDeliveryOptions? Options);
public sealed record MetadataRequest(Dictionary<string, string> Metadata);
public sealed record ClockRequest(double AdvanceSeconds);

/// <summary>
/// The emulator's own API (not Stripe's), under /_emulator/: the same operations as the public C#
/// methods of <see cref="StripeEmulator"/>, for the standalone process. JSON bodies in snake_case.
/// </summary>
internal static class ControlRoutes
{
    public static void MapControl(this IEndpointRouteBuilder app, StripeEmulator emulator)
    {
        var control = app.MapGroup("/_emulator");
        control.AddEndpointFilter(async (context, next) =>
        {
            try { return await next(context); }
            catch (StripeApiException e) { return Results.Text(System.Text.Encoding.UTF8.GetString(JsonBytes.Error(e.Type, e.Message, e.Code, e.Param)), "application/json", statusCode: (int)e.Status); }
            catch (KeyNotFoundException e) { return Results.NotFound(new { error = e.Message }); }
        });

        control.MapGet("/accounts", () => emulator.Accounts.Select(a => new AccountCreated(a.Id, a.SecretKey, null)));
        control.MapPost("/accounts", (NewAccountRequest request) =>
        {
            var account = emulator.CreateAccount(request.Email, request.BusinessName, request.Timezone ?? "Europe/Paris");
            var counts = request.Generate is { } spec ? emulator.Generate(account.Id, spec) : null;
            return Results.Created($"/_emulator/accounts/{account.Id}", new AccountCreated(account.Id, account.SecretKey, counts));
        });
        control.MapPost("/accounts/{account}/generate", (string account, GenerationSpec spec) => emulator.Generate(account, spec));
        control.MapPost("/clock/advance", (ClockRequest request) =>
        {
            emulator.Clock.Advance(TimeSpan.FromSeconds(request.AdvanceSeconds));
            return new { now = emulator.Clock.GetUtcNow() };
        });

        var account = control.MapGroup("/accounts/{account}");
        account.MapPost("/customers", (string account, NewCustomer body) => new { id = emulator.CreateCustomer(account, body) });
        account.MapPost("/customers/{id}", (string account, string id, CustomerUpdate body) => { emulator.UpdateCustomer(account, id, body); return Results.NoContent(); });
        account.MapDelete("/customers/{id}", (string account, string id) => { emulator.DeleteCustomer(account, id); return Results.NoContent(); });
        account.MapPost("/invoices", (string account, NewInvoice body) => new { id = emulator.CreateInvoice(account, body) });
        account.MapPost("/invoices/{id}/finalize", (string account, string id) => { emulator.FinalizeInvoice(account, id); return Results.NoContent(); });
        account.MapPost("/invoices/{id}/pay", (string account, string id) => { emulator.PayInvoiceOutOfBand(account, id); return Results.NoContent(); });
        account.MapPost("/invoices/{id}/void", (string account, string id) => { emulator.VoidInvoice(account, id); return Results.NoContent(); });
        account.MapPost("/invoices/{id}/mark_uncollectible", (string account, string id) => { emulator.MarkInvoiceUncollectible(account, id); return Results.NoContent(); });
        account.MapPost("/invoices/{id}/metadata", (string account, string id, MetadataRequest body) => { emulator.UpdateInvoiceMetadata(account, id, body.Metadata); return Results.NoContent(); });
        account.MapDelete("/invoices/{id}", (string account, string id) => { emulator.DeleteDraftInvoice(account, id); return Results.NoContent(); });
        account.MapGet("/invoices", (string account, string status) => emulator.InvoiceIds(account, status));
        account.MapPost("/payments", (string account, NewPayment body) => emulator.CreatePayment(account, body));
        account.MapPut("/faults", (string account, FaultSettings body) => { emulator.ConfigureFaults(account, body); return Results.NoContent(); });
        account.MapPut("/webhook", (string account, WebhookRequest body) =>
            new WebhookConfigured(body.Url, emulator.ConfigureWebhook(account, body.Url, body.Secret, body.AutoDeliver)));
        account.MapPost("/webhook/deliver", async (string account, DeliverRequest body, CancellationToken cancellation) =>
        {
            await emulator.DeliverEventsAsync(account, body.EventIds, body.Options ?? new WebhookDeliveryOptions(), cancellation);
            return Results.NoContent();
        });
        account.MapGet("/webhook/deliveries", (string account) => emulator.WebhookDeliveries(account));
        account.MapGet("/out_of_band_payments", (string account) => emulator.OutOfBandPayments(account));
        account.MapGet("/request_counts", (string account) => emulator.RequestCounts(account));
        account.MapDelete("/request_counts", (string account) => { emulator.ResetRequestCounts(account); return Results.NoContent(); });
    }
}
