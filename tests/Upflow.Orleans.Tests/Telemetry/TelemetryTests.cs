using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Upflow.Orleans.Tests.Infrastructure;
using Upflow.StripeEmulator.Generation;
using Upflow.StripeEmulator.Mutations;
using Upflow.StripeEmulator.Webhooks;

namespace Upflow.Orleans.Tests.Telemetry;

public sealed class TelemetryTests(TelemetryApp app) : IClassFixture<TelemetryApp>
{
    private const string OrganizationTag = "organization.id";

    [Fact]
    public async Task A_webhook_is_one_trace_from_the_HTTP_request_through_the_grains_to_PostgreSQL_and_carries_no_secret()
    {
        var tenant = await ConnectAsync();
        await app.WaitForFirstCatchUpAsync(tenant.Client, tenant.AccountId); // else the catch-up may record the event first, and the webhook is a duplicate
        var customer = app.Stripe.CreateCustomer(tenant.AccountId, new NewCustomer { Email = "trace@acme.test", Name = "Traced" });
        var (eventId, _) = app.Stripe.Events(tenant.AccountId).Single(e => e.Type == "customer.created");
        var payload = await app.EventPayloadAsync(tenant.SecretKey, eventId);
        var signature = WebhookSigner.Sign(payload, tenant.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds());

        // Stripe's request carries no trace context; this one does, so that its trace is easy to find.
        var traceId = ActivityTraceId.CreateRandom();
        using var request = new HttpRequestMessage(HttpMethod.Post, $"/webhooks/stripe/{tenant.OrganizationId}")
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        request.Headers.TryAddWithoutValidation("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom()}-01");
        var response = await app.Client().SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("recorded", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("outcome").GetString());

        // The event is applied after the 200, by the dispatcher: its spans land in the same trace.
        var trace = await WaitForTraceAsync(traceId, spans =>
            spans.Any(s => s.Source.Name == "Npgsql" && Query(s).Contains("upflow_customers")) && spans.Any(s => s.DisplayName == "upflow_events mark applied"));

        var http = Assert.Single(trace, s => s.Source.Name == "Microsoft.AspNetCore" && s.Kind == ActivityKind.Server);
        var apply = Assert.Single(trace, s => s.DisplayName == "Stripe event apply");
        var grainCall = Assert.Single(trace, s => s.Source.Name == "Microsoft.Orleans.Application" && s.Kind == ActivityKind.Server
            && s.DisplayName.Contains("ICustomerGrain", StringComparison.Ordinal));
        var upsert = Assert.Single(trace, s => s.Source.Name == "Npgsql" && Query(s).Contains("INSERT INTO upflow_customers"));
        var recorded = Assert.Single(trace, s => s.Source.Name == "Npgsql" && Query(s).Contains("INSERT INTO upflow_events"));

        // Parent chains, not just a shared trace id: SQL → batch → grain → dispatch → request.
        Assert.Contains(http, Ancestors(recorded, trace));
        Assert.Contains(http, Ancestors(apply, trace));
        Assert.Contains(apply, Ancestors(grainCall, trace));
        var upsertChain = Ancestors(upsert, trace);
        Assert.Contains(grainCall, upsertChain);
        // A customer new to the ledger: its grain creates the row.
        Assert.Contains(upsertChain, s => s.DisplayName == "upflow_customers insert");
        Assert.Equal(eventId, apply.GetTagItem("stripe.event.id"));

        Assert.All(trace, span => Assert.True(tenant.OrganizationId == span.GetTagItem(OrganizationTag) as string,
            $"{span.Source.Name} '{span.DisplayName}' has organization.id '{span.GetTagItem(OrganizationTag)}'"));
        Assert.Equal("Traced", (await tenant.Client.GetFromJsonAsync<JsonElement>($"/v1/customers/{customer}")).GetProperty("name").GetString());

        AssertNoSecret(tenant, signature);
    }

    [Fact]
    public async Task A_write_back_is_one_trace_from_the_payment_grain_to_the_Stripe_HTTP_call_and_carries_no_secret()
    {
        var tenant = await ConnectAsync(new GenerationSpec { Seed = 31, Customers = 5, InvoicesPerCustomer = 2 });
        var invoiceId = app.Stripe.InvoiceIds(tenant.AccountId, "open").First();
        var invoice = await tenant.Client.GetFromJsonAsync<JsonElement>($"/v1/invoices/{invoiceId}");
        using var post = new HttpRequestMessage(HttpMethod.Post, "/v1/payments")
        {
            Content = JsonContent.Create(new
            {
                invoiceId,
                amount = invoice.GetProperty("amountRemaining").GetInt64(),
                currency = invoice.GetProperty("currency").GetString(),
                paidAt = DateTimeOffset.UtcNow.AddHours(-1),
                method = "bank_transfer",
            }),
        };
        post.Headers.Add("Idempotency-Key", "trace-1");
        var created = await tenant.Client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var paymentId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;

        var export = await WaitForSpanAsync(s => s.DisplayName == "Payment export" && (s.GetTagItem("payment.id") as string) == paymentId);
        var trace = await WaitForTraceAsync(export.TraceId, spans => spans.Any(s => s.Source.Name == "System.Net.Http"));

        var accountCall = Assert.Single(trace, s => s.Source.Name == "Microsoft.Orleans.Application" && s.Kind == ActivityKind.Server
            && s.DisplayName.Contains("PayInvoiceOutOfBand", StringComparison.Ordinal));
        var stripeCall = Assert.Single(trace, s => s.DisplayName == "Stripe POST /v1/invoices/{id}/pay");
        var httpCall = Assert.Single(trace, s => s.Source.Name == "System.Net.Http" && s.Kind == ActivityKind.Client);
        Assert.EndsWith($"/v1/invoices/{invoiceId}/pay", httpCall.GetTagItem("url.full") as string);
        Assert.Contains(export, Ancestors(accountCall, trace));
        Assert.Contains(accountCall, Ancestors(stripeCall, trace));
        Assert.Contains(stripeCall, Ancestors(httpCall, trace));
        Assert.Equal("exported", export.GetTagItem("export.outcome"));
        // The emulator runs in this process: its server span (Stripe's side) is in the trace too, and is not ours to tag.
        Assert.All(trace.Where(span => !Ancestors(span, trace).Contains(httpCall)), span => Assert.True(tenant.OrganizationId == span.GetTagItem(OrganizationTag) as string,
            $"{span.Source.Name} '{span.DisplayName}' has organization.id '{span.GetTagItem(OrganizationTag)}'"));

        AssertNoSecret(tenant);
    }

    private sealed record Tenant(string OrganizationId, string ApiKey, string AccountId, string SecretKey, string WebhookSecret, HttpClient Client);

    private async Task<Tenant> ConnectAsync(GenerationSpec? seed = null)
    {
        var account = app.Stripe.CreateAccount();
        if (seed is not null) app.Stripe.Generate(account.Id, seed);
        var organization = await app.CreateOrganizationAsync();
        var secret = app.Stripe.ConfigureWebhook(account.Id, $"http://localhost/webhooks/stripe/{organization.Id}", autoDeliver: false);
        var client = app.Client(organization.ApiKey);
        var response = await client.PutAsJsonAsync("/v1/stripe/connection", new { secretKey = account.SecretKey, webhookSecret = secret });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        await SyncApp.WaitForSyncAsync(client);
        return new Tenant(organization.Id, organization.ApiKey, account.Id, account.SecretKey, secret, client);
    }

    /// <summary>No span (name, tags, events, links, status) and no log line holds a key, a secret or a signature.</summary>
    private void AssertNoSecret(Tenant tenant, string? signature = null)
    {
        var secrets = new List<string> { tenant.SecretKey, tenant.WebhookSecret, tenant.ApiKey, UpflowApp.AdminKey, TelemetryApp.EncryptionKey };
        if (signature is not null) secrets.Add(signature.Split("v1=")[1]);
        var spans = app.Spans();
        Assert.NotEmpty(spans);
        Assert.NotEmpty(app.Logs.Lines);
        foreach (var span in spans)
        {
            var text = Describe(span);
            foreach (var secret in secrets) Assert.False(text.Contains(secret, StringComparison.Ordinal), $"A secret is in span {span.Source.Name} '{span.DisplayName}': {text}");
            Assert.DoesNotContain("authorization", text, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("stripe-signature", text, StringComparison.OrdinalIgnoreCase);
        }
        foreach (var line in app.Logs.Lines)
            foreach (var secret in secrets) Assert.False(line.Contains(secret, StringComparison.Ordinal), $"A secret is in a log line: {line}");
    }

    private static string Describe(Activity span)
    {
        var text = new StringBuilder(span.DisplayName).Append(' ').Append(span.StatusDescription);
        foreach (var (key, value) in span.TagObjects) text.Append($" {key}={value}");
        foreach (var e in span.Events)
        {
            text.Append($" event {e.Name}");
            foreach (var (key, value) in e.Tags) text.Append($" {key}={value}");
        }
        foreach (var link in span.Links)
            foreach (var (key, value) in link.Tags ?? []) text.Append($" link {key}={value}");
        foreach (var (key, value) in span.Baggage) text.Append($" baggage {key}={value}");
        return text.ToString();
    }

    private static string Query(Activity span) => span.GetTagItem("db.query.text") as string ?? "";

    /// <summary>The span's ancestors within the trace, nearest first (each hop by parent span id: across grain calls the parent is remote).</summary>
    private static List<Activity> Ancestors(Activity span, IReadOnlyList<Activity> trace)
    {
        var bySpanId = trace.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        var chain = new List<Activity>();
        for (var parent = span.ParentSpanId; bySpanId.TryGetValue(parent, out var next) && !chain.Contains(next); parent = next.ParentSpanId)
            chain.Add(next);
        return chain;
    }

    private async Task<IReadOnlyList<Activity>> WaitForTraceAsync(ActivityTraceId traceId, Func<IReadOnlyList<Activity>, bool> complete)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var trace = app.Spans().Where(s => s.TraceId == traceId).ToList();
            if (complete(trace))
            {
                await Task.Delay(200); // spans that end just after the one awaited
                return [.. app.Spans().Where(s => s.TraceId == traceId)];
            }
            if (DateTime.UtcNow > deadline)
                Assert.Fail("The trace did not complete:\n  " + string.Join("\n  ", trace.Select(s => $"{s.Source.Name} {s.Kind} '{s.DisplayName}' {s.SpanId} ← {s.ParentSpanId}")));
            await Task.Delay(50);
        }
    }

    private async Task<Activity> WaitForSpanAsync(Func<Activity, bool> match)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (app.Spans().FirstOrDefault(match) is { } span) return span;
            await Task.Delay(50);
        }
        Assert.Fail("The span never ended.");
        return null!;
    }
}
