using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Spectre.Console;
using Upflow.StripeEmulator;
using Upflow.StripeEmulator.Faults;
using Upflow.StripeEmulator.Generation;

namespace Upflow.Bench.Scenarios;

/// <summary>
/// Issue scenario 6: portal payments recorded through the API and exported to Stripe Billing while
/// one Stripe call in five fails with a 500; then the emulator's record of out-of-band payments
/// must hold exactly one per invoice, each with its payment's own idempotency key.
/// </summary>
public static class WriteBackScenario
{
    private const string Name = "6. Write-back";
    private const int Clients = 64;

    public static async Task<IReadOnlyList<Figure>> RunAsync(int payments)
    {
        await using var stripe = await StripeEmulator.StripeEmulator.StartAsync(new StripeEmulatorOptions { Seed = 6 });
        var account = stripe.CreateAccount();
        // About a quarter of generated invoices are open: enough for one payment each.
        stripe.Generate(account.Id, new GenerationSpec { Seed = 6, Customers = Math.Max(100, payments * 6 / 5), InvoicesPerCustomer = 5, UnappliedPaymentRatio = 0 });
        await using var database = await BenchDatabase.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(database.ConnectionString, stripe.BaseUrl);
        var organization = await new ProductClient(silo.BaseAddress, silo.AdminKey).CreateOrganizationAsync("Bench");
        await ProductClient.ConnectAsync(organization, account.SecretKey);
        await Scenario.WaitLiveAsync(organization, TimeSpan.FromMinutes(20));
        var organizationId = await ProductClient.OrganizationIdAsync(organization);
        var invoices = await OpenInvoicesAsync(database.ConnectionString, organizationId);
        if (invoices.Count < payments) throw new InvalidOperationException($"Only {invoices.Count} open invoices were generated for {payments} payments.");
        invoices = invoices.Take(payments).ToList();
        Scenario.Note(Name, $"backfilled; recording {payments:N0} portal payments from {Clients} clients with 20% Stripe 500s (product defaults: Stripe:MaxRequestsPerSecond 90 per account, 6 gateway retries)");

        stripe.ConfigureFaults(account.Id, new FaultSettings { ServerErrorRate = 0.2, Seed = 6 });
        stripe.ResetRequestCounts(account.Id);
        var paymentIds = new ConcurrentDictionary<string, string>();
        var latencies = new double[payments];
        var clock = Stopwatch.StartNew();
        TimeSpan recorded = default;
        long exported = 0, failed = 0;
        await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var recording = progress.AddTask("recorded", maxValue: payments);
                var exporting = progress.AddTask("exported", maxValue: payments);
                var posting = Parallel.ForEachAsync(Enumerable.Range(0, payments), new ParallelOptions { MaxDegreeOfParallelism = Clients }, async (i, _) =>
                {
                    var started = Stopwatch.GetTimestamp();
                    paymentIds[invoices[i].Id] = await RecordPaymentAsync(organization, invoices[i], $"bench-{i}");
                    latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                    recording.Increment(1);
                }).ContinueWith(task => { recorded = clock.Elapsed; return task; }, TaskScheduler.Default).Unwrap();
                while (true)
                {
                    await Task.Delay(250);
                    exported = await Scenario.ScalarAsync(database.ConnectionString,
                        "SELECT count(*) FROM upflow_payments WHERE organization_id = $1 AND source = 'portal' AND export_status = 'exported'", organizationId);
                    failed = await Scenario.ScalarAsync(database.ConnectionString,
                        "SELECT count(*) FROM upflow_payments WHERE organization_id = $1 AND source = 'portal' AND export_status = 'error'", organizationId);
                    exporting.Value = exported;
                    if (posting.IsFaulted) await posting;
                    if (posting.IsCompleted && exported + failed >= payments) break;
                    if (clock.Elapsed > TimeSpan.FromHours(1)) throw new TimeoutException($"{exported} of {payments} payments exported after an hour.");
                }
            });
        var seconds = clock.Elapsed.TotalSeconds;

        var paid = stripe.OutOfBandPayments(account.Id);
        var onePerInvoice = paid.Count == payments && paid.Select(p => p.InvoiceId).Distinct().Count() == payments;
        var ownKeys = paid.Select(p => p.IdempotencyKey).Distinct().Count() == paid.Count
                      && paid.All(p => paymentIds.TryGetValue(p.InvoiceId, out var id) && p.IdempotencyKey == $"{id}-export");
        var exactlyOnce = onePerInvoice && ownKeys && failed == 0;
        var pays = stripe.RequestCounts(account.Id).Where(r => r.Endpoint.StartsWith("POST ", StringComparison.Ordinal) && r.Endpoint.EndsWith("/pay", StringComparison.Ordinal)).ToList();
        var retried = await Scenario.ScalarAsync(database.ConnectionString,
            "SELECT count(*) FROM upflow_payments WHERE organization_id = $1 AND source = 'portal' AND (document->'export'->>'attempts')::int > 1", organizationId);
        Array.Sort(latencies);
        return
        [
            new(Name, "payments recorded (POST /v1/payments)", payments, ""),
            new(Name, "recorded / s", payments / recorded.TotalSeconds, "payments/s"),
            new(Name, "POST p50", Scenario.Percentile(latencies, 0.50), "ms"),
            new(Name, "POST p99", Scenario.Percentile(latencies, 0.99), "ms"),
            new(Name, "exported / s (first POST to last export)", exported / seconds, "payments/s", "ceiling 90 (pacing)"),
            new(Name, "Stripe pay calls / payment", pays.Sum(r => r.Requests) / (double)payments, "×"),
            new(Name, "payments needing > 1 grain attempt", retried, ""),
            new(Name, "payments ending in error", failed, "", "0", failed == 0),
            new(Name, "out-of-band payments in Stripe", paid.Count, "", $"= {payments:N0}, one per invoice", onePerInvoice),
            new(Name, "exactly once (1 = yes)", exactlyOnce ? 1 : 0, "", "1", exactlyOnce),
        ];
    }

    public sealed record OpenInvoice(string Id, string Currency, long AmountRemaining);

    /// <summary>Open invoices with something left to pay, as the read model holds them.</summary>
    public static async Task<List<OpenInvoice>> OpenInvoicesAsync(string connectionString, string organizationId)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT id, document->'snapshot'->>'currency', (document->'snapshot'->>'amountRemaining')::bigint FROM upflow_invoices " +
            "WHERE organization_id = $1 AND stripe_status = 'open' AND (document->'snapshot'->>'amountRemaining')::bigint > 0 ORDER BY id", connection);
        command.Parameters.AddWithValue(organizationId);
        await using var reader = await command.ExecuteReaderAsync();
        var invoices = new List<OpenInvoice>();
        while (await reader.ReadAsync()) invoices.Add(new OpenInvoice(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        return invoices;
    }

    /// <summary>POST /v1/payments for the whole remaining amount; returns the payment's id.</summary>
    public static async Task<string> RecordPaymentAsync(HttpClient organization, OpenInvoice invoice, string idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payments")
        {
            Content = JsonContent.Create(new
            {
                invoiceId = invoice.Id,
                amount = invoice.AmountRemaining,
                currency = invoice.Currency,
                paidAt = DateTimeOffset.UtcNow.AddHours(-1),
                method = "bank_transfer",
            }),
        };
        request.Headers.Add("Idempotency-Key", idempotencyKey);
        using var response = await organization.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"POST /v1/payments answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
    }
}
