using System.Collections.Concurrent;
using System.Diagnostics;
using Npgsql;
using Orleans.TestingHost;
using Upflow.Orleans.Accounts;
using Upflow.Orleans.Ledger;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Payments;
using Upflow.Orleans.Tests.Cluster;
using Upflow.Orleans.Tests.Infrastructure;
using Upflow.StripeEmulator;
using Upflow.StripeEmulator.Faults;
using Upflow.StripeEmulator.Generation;
using Xunit.Abstractions;

namespace Upflow.Orleans.Tests.Payments;

/// <summary>
/// Write-back at volume on a two-silo cluster: 1,000 portal payments under 20% Stripe 500s, with
/// the gateway's own retries off (every failure is the payment grain's to retry) and one silo killed
/// while the payments come in.
/// </summary>
[Collection(AtVolume.Name)]
public sealed class WriteBackClusterTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Payments = 1000;

    private readonly TestDatabase _database = new();
    private StripeEmulator.StripeEmulator _stripe = null!;
    private TestCluster _cluster = null!;

    public async Task InitializeAsync()
    {
        _stripe = await StripeEmulator.StripeEmulator.StartAsync(new StripeEmulatorOptions { Seed = 9 });
        await _database.InitializeAsync();
        _cluster = await PostgresTestCluster.StartAsync(_database.ConnectionString, new Dictionary<string, string>
        {
            ["Stripe:ApiBase"] = _stripe.BaseUrl,
            ["Stripe:MaxRetries"] = "0",
            ["Stripe:MaxRequestsPerSecond"] = "2000",
            ["Upflow:Sync:ResumeInterval"] = "00:00:02",
            ["Upflow:WriteBack:MaxAttempts"] = "20",
            ["Upflow:WriteBack:RetryBaseDelay"] = "00:00:00.100",
            ["Upflow:WriteBack:MaxRetryDelay"] = "00:00:01",
            ["Upflow:WriteBack:ReminderPeriod"] = "00:00:01",
        }, typeof(ShortTimeouts));
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        await _database.DisposeAsync();
        await _stripe.DisposeAsync();
    }

    [Fact]
    public async Task A_thousand_portal_payments_under_20pc_Stripe_failures_and_a_silo_kill_pay_each_invoice_out_of_band_exactly_once()
    {
        var account = _stripe.CreateAccount();
        _stripe.Generate(account.Id, new GenerationSpec { Seed = 31, Customers = 900, InvoicesPerCustomer = 5, UnappliedPaymentRatio = 0 });
        var organization = OrganizationId.New();
        await _cluster.Client.GetGrain<IOrganizationGrain>(organization).Create("Acme", "Europe/Paris");
        var stripeAccount = _cluster.Client.GetGrain<IStripeAccountGrain>(organization);
        Assert.True((await stripeAccount.Connect(account.SecretKey, "whsec_test")).Accepted);
        await Eventually.Until(async () => (await stripeAccount.GetStatus()).State == SyncStates.Live, "the backfill", TimeSpan.FromSeconds(90));
        var invoices = await OpenInvoicesAsync(organization);
        Assert.True(invoices.Count >= Payments, $"Only {invoices.Count} open invoices were generated.");
        invoices = invoices.Take(Payments).ToList();

        _stripe.ConfigureFaults(account.Id, new FaultSettings { ServerErrorRate = 0.2, Seed = 13 });
        var clock = Stopwatch.StartNew();
        var paymentIds = new ConcurrentDictionary<string, string>();
        var submitted = 0;
        var killed = 0;
        var victim = _cluster.Silos[1];
        await Parallel.ForEachAsync(invoices.Select((invoice, index) => (invoice, index)), new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (item, _) =>
        {
            if (Interlocked.Increment(ref submitted) == Payments / 2 && Interlocked.Exchange(ref killed, 1) == 0)
                await _cluster.KillSiloAsync(victim);
            var request = new PortalPaymentRequest(item.invoice.Id, item.invoice.AmountRemaining, item.invoice.Currency, DateTimeOffset.UtcNow.AddHours(-1), "bank_transfer");
            var outcome = await RecordWithRetriesAsync(organization, $"portal-{item.index}", request);
            Assert.Contains(outcome.Status, new[] { RecordPaymentStatus.Created, RecordPaymentStatus.Replayed });
            paymentIds[item.invoice.Id] = outcome.PaymentId!;
        });
        output.WriteLine($"{Payments} payments recorded in {clock.Elapsed.TotalSeconds:F1} s");

        try
        {
            await Eventually.Until(async () => await _database.CountAsync(Where(organization, "source = 'portal' AND export_status = 'exported'")) == Payments,
                "every payment to be exported", TimeSpan.FromSeconds(120));
        }
        catch (Exception) when (!Debugger.IsAttached)
        {
            // Say where the missing ones stand: which state, error, attempts and next attempt.
            output.WriteLine(await UnexportedAsync(organization));
            throw;
        }
        output.WriteLine($"{Payments} payments exported in {clock.Elapsed.TotalSeconds:F1} s");

        Assert.Equal(Payments, await _database.CountAsync(Where(organization, "source = 'portal'")));
        var paid = _stripe.OutOfBandPayments(account.Id);
        Assert.Equal(Payments, paid.Count);
        Assert.Equal(Payments, paid.Select(payment => payment.InvoiceId).Distinct().Count());
        Assert.Equal(Payments, paid.Select(payment => payment.IdempotencyKey).Distinct().Count());
        Assert.All(paid, payment => Assert.Equal($"{paymentIds[payment.InvoiceId]}-export", payment.IdempotencyKey));
        var retried = await ScalarAsync($"SELECT count(*) FROM upflow_payments WHERE organization_id = '{organization}' AND (document->'export'->>'attempts')::int > 1");
        output.WriteLine($"{retried} payments needed more than one attempt");
        Assert.True(retried > 0, "No export was retried: the fault injection did not reach the payment grains.");
        await Eventually.Until(async () => await ScalarAsync(
                $"SELECT count(*) FROM upflow_invoices WHERE organization_id = '{organization}' AND stripe_status = 'paid' AND id IN (SELECT invoice_id FROM upflow_payments WHERE organization_id = '{organization}' AND source = 'portal')") == Payments,
            "every invoice to show PAID", TimeSpan.FromSeconds(10));
    }

    /// <summary>Calls caught by the kill fail after 5 s rather than Orleans' 30 s, so the client retries sooner.</summary>
    private sealed class ShortTimeouts : ISiloConfigurator, IClientBuilderConfigurator
    {
        public void Configure(ISiloBuilder silo) =>
            silo.Configure<global::Orleans.Configuration.SiloMessagingOptions>(options => options.ResponseTimeout = TimeSpan.FromSeconds(5));

        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder client) =>
            client.Configure<global::Orleans.Configuration.ClientMessagingOptions>(options => options.ResponseTimeout = TimeSpan.FromSeconds(5));
    }

    private async Task<RecordPaymentOutcome> RecordWithRetriesAsync(string organization, string idempotencyKey, PortalPaymentRequest request)
    {
        // What a portal does when a request dies with a silo: send it again with the same key.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await _cluster.Client.GetGrain<IPaymentRequestGrain>(new LedgerKey(organization, idempotencyKey).ToString()).Record(request);
            }
            catch (Exception exception) when (attempt < 30 && exception is not Xunit.Sdk.XunitException)
            {
                await Task.Delay(500);
            }
        }
    }

    private async Task<string> UnexportedAsync(string organization)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT export_status, document->'export'->>'error', document->'export'->>'attempts', document->'export'->>'nextAttemptAt', count(*) " +
            $"FROM {Where(organization, "source = 'portal' AND export_status <> 'exported'")} GROUP BY 1, 2, 3, 4 ORDER BY 5 DESC LIMIT 20", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var lines = new List<string> { $"Not exported at {DateTimeOffset.UtcNow:O} (status | error | attempts | next attempt | count):" };
        while (await reader.ReadAsync())
            lines.Add(string.Join(" | ", Enumerable.Range(0, 5).Select(i => reader.IsDBNull(i) ? "-" : reader.GetValue(i).ToString())));
        await reader.CloseAsync();

        // The reminder is what must bring a stuck export back: does each still have one, and since when?
        await using var reminders = new NpgsqlCommand(
            "SELECT p.id, r.start_time, r.period_ms, r.grain_hash FROM upflow_payments p " +
            "LEFT JOIN orleans_reminder r ON r.reminder_name = 'export' AND r.grain_id LIKE '%' || p.id " +
            $"WHERE p.organization_id = '{organization}' AND p.source = 'portal' AND p.export_status <> 'exported' LIMIT 10", connection);
        await using var rows = await reminders.ExecuteReaderAsync();
        lines.Add("payment | reminder start | period ms | grain hash:");
        while (await rows.ReadAsync())
            lines.Add(string.Join(" | ", Enumerable.Range(0, 4).Select(i => rows.IsDBNull(i) ? "no reminder" : rows.GetValue(i).ToString())));
        return string.Join(Environment.NewLine, lines);
    }

    private static string Where(string organization, string condition) => $"upflow_payments WHERE organization_id = '{organization}' AND {condition}";

    private sealed record OpenInvoice(string Id, string Currency, long AmountRemaining);

    private async Task<List<OpenInvoice>> OpenInvoicesAsync(string organization)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT id, document->'snapshot'->>'currency', (document->'snapshot'->>'amountRemaining')::bigint FROM upflow_invoices " +
            "WHERE organization_id = $1 AND stripe_status = 'open' AND (document->'snapshot'->>'amountRemaining')::bigint > 0 ORDER BY id", connection);
        command.Parameters.AddWithValue(organization);
        await using var reader = await command.ExecuteReaderAsync();
        var invoices = new List<OpenInvoice>();
        while (await reader.ReadAsync()) invoices.Add(new OpenInvoice(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
        return invoices;
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_database.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }
}

/// <summary>Runs alone: two silos and 1,000 exports would skew the timing-sensitive pacing tests beside them.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AtVolume
{
    public const string Name = "write-back at volume";
}
