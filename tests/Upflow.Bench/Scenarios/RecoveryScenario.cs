using System.Diagnostics;
using Spectre.Console;
using Upflow.StripeEmulator;
using Upflow.StripeEmulator.Generation;

namespace Upflow.Bench.Scenarios;

/// <summary>
/// Issue scenario 7: the silo is killed (SIGKILL) half-way through a backfill and a new silo is
/// started on the same database; how long until the backfill moves again, and how much Stripe
/// listing the crash cost beyond the minimum the data needs.
/// </summary>
public static class RecoveryScenario
{
    private const string Name = "7. Recovery";
    private const int ObjectsPerCustomer = 6; // as BackfillScenarios: customers + non-draft invoices + paid payments
    private static readonly string[] ListEndpoints = ["GET /v1/customers", "GET /v1/invoices", "GET /v1/invoice_payments", "GET /v1/payment_intents"];

    public static async Task<IReadOnlyList<Figure>> RunAsync(int objects)
    {
        var generating = Stopwatch.StartNew();
        await using var stripe = await StripeEmulator.StripeEmulator.StartAsync(new StripeEmulatorOptions { Seed = 7 });
        var account = stripe.CreateAccount();
        var counts = stripe.Generate(account.Id, new GenerationSpec { Seed = 7, Customers = Math.Max(1, objects / ObjectsPerCustomer) });
        var expected = counts.Customers + counts.NonDraftInvoices + counts.PaidInvoicePayments;
        Scenario.Note(Name, $"generated {counts.TotalObjects:N0} Stripe objects in {generating.Elapsed.TotalSeconds:N1} s; {expected:N0} to persist");

        await using var database = await BenchDatabase.CreateAsync();
        // The same key on both silos: the second must decrypt the Stripe key the first stored.
        var sameKey = new Dictionary<string, string> { ["Upflow__EncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)) };
        var first = await SiloProcess.StartAsync(database.ConnectionString, stripe.BaseUrl, sameKey);
        var organization = await new ProductClient(first.BaseAddress, first.AdminKey).CreateOrganizationAsync("Bench");

        var clock = Stopwatch.StartNew();
        SyncReading reading = null!;
        long atKill = 0, afterRestart = 0;
        TimeSpan killedAt = default, readyAt = default, resumedAt = default;
        SiloProcess? second = null;
        try
        {
            await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    var bar = progress.AddTask(Markup.Escape(Name), maxValue: expected);
                    await ProductClient.ConnectAsync(organization, account.SecretKey);
                    do
                    {
                        await Task.Delay(100);
                        reading = await ProductClient.ReadSyncAsync(organization);
                        bar.Value = reading.Objects;
                        if (reading.State != "backfilling") throw new InvalidOperationException($"The backfill ended ({reading.State}) before half-way: use more --objects.");
                    } while (reading.Objects < expected / 2);

                    first.Kill();
                    killedAt = clock.Elapsed;
                    atKill = reading.Objects;
                    bar.Description = Markup.Escape($"{Name} (restarted)");
                    second = await SiloProcess.StartAsync(database.ConnectionString, stripe.BaseUrl, sameKey);
                    readyAt = clock.Elapsed;
                    organization = ProductClient.OnSilo(organization, second.BaseAddress);
                    reading = await ProductClient.ReadSyncAsync(organization);
                    afterRestart = reading.Objects;
                    while (reading.State == "backfilling")
                    {
                        await Task.Delay(100);
                        reading = await ProductClient.ReadSyncAsync(organization);
                        bar.Value = reading.Objects;
                        if (resumedAt == default && reading.Objects > afterRestart) resumedAt = clock.Elapsed;
                        _ = second.PeakBytes;
                        if (clock.Elapsed > TimeSpan.FromHours(1)) throw new TimeoutException("The backfill did not finish within an hour.");
                    }
                    if (resumedAt == default) resumedAt = clock.Elapsed;
                });
        }
        catch
        {
            if (second is not null) await second.DisposeAsync();
            throw;
        }
        finally
        {
            await first.DisposeAsync();
        }
        await using var restarted = second!;
        var peak = restarted.PeakBytes;
        var total = clock.Elapsed.TotalSeconds;
        if (reading.State != "live") throw new InvalidOperationException($"The backfill ended {reading.State}: {reading.LastError}");
        if (reading.Objects != expected) throw new InvalidOperationException($"Expected {expected} objects, the product reports {reading.Objects}.");

        var requests = stripe.RequestCounts(account.Id).Where(r => ListEndpoints.Contains(r.Endpoint)).ToList();
        static long Pages(int count) => Math.Max(1, (count + 99) / 100);
        var minimum = Pages(counts.Customers) + Pages(counts.Invoices) + Pages(counts.InvoicePayments) + Pages(counts.PaymentIntents);
        var listed = requests.Sum(r => r.Requests) - requests.Sum(r => r.RateLimited);
        var rateBeforeKill = atKill / killedAt.TotalSeconds;
        return
        [
            new(Name, "objects persisted", reading.Objects, ""),
            new(Name, "progress at the kill", atKill, "objects"),
            new(Name, "progress reported by the new silo", afterRestart, "objects"),
            new(Name, "kill → new silo ready", (readyAt - killedAt).TotalSeconds, "s"),
            new(Name, "kill → backfill moving again", (resumedAt - killedAt).TotalSeconds, "s"),
            new(Name, "total backfill time", total, "s"),
            new(Name, "time lost vs. the pre-kill rate", total - expected / rateBeforeKill, "s"),
            new(Name, "extra Stripe list requests (duplicated work)", listed - minimum, "requests"),
            new(Name, "list requests / minimum", (double)listed / minimum, "×", "≤ 1.05", (double)listed / minimum <= 1.05),
            new(Name, "peak memory, new silo", peak / 1024d / 1024, "MiB"),
        ];
    }
}
