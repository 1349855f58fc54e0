using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Spectre.Console;
using Upflow.StripeEmulator;
using Upflow.StripeEmulator.Generation;

namespace Upflow.Bench.Scenarios;

/// <summary>
/// Issue scenario 5: list pages at 1,000,000 invoices in one tenant. A backfill of that size takes
/// minutes, so the read model is seeded with SQL: a small real backfill (and one real export refused
/// by Stripe) gives documents exactly as the grains write them, which are then copied with new ids.
/// </summary>
public static class ReadScenario
{
    private const string Name = "5. Reads";
    private const int PagesPerList = 400;

    public static async Task<IReadOnlyList<Figure>> RunAsync(int invoices)
    {
        await using var stripe = await StripeEmulator.StripeEmulator.StartAsync(new StripeEmulatorOptions { Seed = 5 });
        var account = stripe.CreateAccount();
        stripe.Generate(account.Id, new GenerationSpec { Seed = 5, Customers = 100 });
        await using var database = await BenchDatabase.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(database.ConnectionString, stripe.BaseUrl);
        var organization = await new ProductClient(silo.BaseAddress, silo.AdminKey).CreateOrganizationAsync("Bench");
        await ProductClient.ConnectAsync(organization, account.SecretKey);
        await Scenario.WaitLiveAsync(organization, TimeSpan.FromMinutes(5));
        var organizationId = await ProductClient.OrganizationIdAsync(organization);

        // A portal payment in error, as the product records it: Stripe refuses to pay an invoice paid meanwhile in its Dashboard.
        var open = (await WriteBackScenario.OpenInvoicesAsync(database.ConnectionString, organizationId))[0];
        stripe.PayInvoiceOutOfBand(account.Id, open.Id);
        await WriteBackScenario.RecordPaymentAsync(organization, open, "bench-error");
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while (await Scenario.ScalarAsync(database.ConnectionString,
                   "SELECT count(*) FROM upflow_payments WHERE organization_id = $1 AND export_status = 'error'", organizationId) == 0)
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException("The refused export never reached error.");
            await Task.Delay(200);
        }

        var seeding = Stopwatch.StartNew();
        await AnsiConsole.Status().StartAsync($"{Name}: seeding {invoices:N0} invoices with SQL", _ => SeedAsync(database.ConnectionString, organizationId, invoices));
        var counts = await CountsAsync(database.ConnectionString, organizationId);
        Scenario.Note(Name, $"seeded the read model directly with SQL (copies of documents the grains wrote) in {seeding.Elapsed.TotalSeconds:N0} s: " +
                            $"{counts.Invoices:N0} invoices ({counts.Overdue:N0} overdue), {counts.Payments:N0} payments ({counts.Errors:N0} in export error)");

        var figures = new List<Figure> { new(Name, "invoices in the tenant (SQL-seeded)", counts.Invoices, "") };
        foreach (var (list, label) in new[] { ("/v1/invoices?status=OVERDUE", "OVERDUE invoices"), ("/v1/payments?exportStatus=error", "payments in export error") })
        {
            await WalkAsync(organization, list, 20); // warm-up: the key's PBKDF2, connections, plans
            foreach (var limit in new[] { 50, 500 })
            {
                var latencies = await WalkAsync(organization, $"{list}&limit={limit}", limit == 50 ? PagesPerList : PagesPerList / 4);
                latencies.Sort();
                var p99 = Scenario.Percentile(latencies, 0.99);
                figures.Add(new(Name, $"{label}, {limit}/page: p50 ({latencies.Count} pages)", Scenario.Percentile(latencies, 0.50), "ms"));
                figures.Add(new(Name, $"{label}, {limit}/page: p99", p99, "ms", limit == 50 ? "< 50" : null, limit == 50 ? p99 < 50 : null));
            }
        }
        return figures;
    }

    /// <summary>Follows the cursor from the first page, timing each page end to end (request to last byte).</summary>
    private static async Task<List<double>> WalkAsync(HttpClient organization, string list, int pages)
    {
        var latencies = new List<double>();
        string? cursor = null;
        for (var page = 0; page < pages; page++)
        {
            var started = Stopwatch.GetTimestamp();
            using var response = await organization.GetAsync(cursor is null ? list : $"{list}&cursor={Uri.EscapeDataString(cursor)}");
            var body = await response.Content.ReadAsByteArrayAsync();
            latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"{list} answered {(int)response.StatusCode}: {System.Text.Encoding.UTF8.GetString(body)}");
            using var json = JsonDocument.Parse(body);
            var next = json.RootElement.GetProperty("nextCursor");
            if (next.ValueKind == JsonValueKind.Null) break;
            cursor = next.GetString();
        }
        return latencies;
    }

    /// <summary>
    /// Per ten invoices: four open and overdue (due 1–60 days ago), one open and due later, four paid
    /// (each with its Stripe payment), one void. One invoice in a hundred has a portal payment in
    /// export error (an overdue one) and one in a hundred a portal payment exported (a paid one).
    /// </summary>
    private static async Task SeedAsync(string connectionString, string organizationId, int invoices)
    {
        // Literals, not parameters: CREATE TABLE AS takes none. The id is the product's own org_… (letters, digits, _).
        if (!organizationId.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')) throw new ArgumentException(organizationId);
        var sql = """
            SET TimeZone = 'UTC';
            CREATE TEMP TABLE templates AS SELECT
                (SELECT row_to_json(i)::jsonb FROM upflow_invoices i WHERE organization_id = @org AND stripe_status = 'open' LIMIT 1) AS open_invoice,
                (SELECT row_to_json(i)::jsonb FROM upflow_invoices i WHERE organization_id = @org AND stripe_status = 'paid' LIMIT 1) AS paid_invoice,
                (SELECT row_to_json(i)::jsonb FROM upflow_invoices i WHERE organization_id = @org AND stripe_status = 'void' LIMIT 1) AS void_invoice,
                (SELECT row_to_json(p)::jsonb FROM upflow_payments p WHERE organization_id = @org AND source = 'stripe' LIMIT 1) AS stripe_payment,
                (SELECT row_to_json(p)::jsonb FROM upflow_payments p WHERE organization_id = @org AND export_status = 'error' LIMIT 1) AS error_payment;

            CREATE TEMP TABLE seeded AS
            SELECT n, 'in_bench_' || lpad(n::text, 8, '0') AS id,
                   CASE WHEN n % 10 < 5 THEN 'open' WHEN n % 10 < 9 THEN 'paid' ELSE 'void' END AS status,
                   CASE WHEN n % 10 < 4 THEN date_trunc('day', now()) - make_interval(days => 1 + n % 60)
                        ELSE date_trunc('day', now()) + make_interval(days => 1 + n % 30) END AS due
            FROM generate_series(1, @count) n;

            INSERT INTO upflow_invoices (organization_id, id, customer_id, stripe_status, due_at, issue_at, paid_at, updated_at, document)
            SELECT @org, s.id, t.row->>'customer_id', s.status, s.due, (t.row->>'issue_at')::timestamptz, (t.row->>'paid_at')::timestamptz, now(),
                   jsonb_set(jsonb_set(t.row->'document', '{snapshot,id}', to_jsonb(s.id)), '{snapshot,dueDate}', to_jsonb(s.due))
            FROM seeded s CROSS JOIN LATERAL (SELECT CASE s.status WHEN 'open' THEN open_invoice WHEN 'paid' THEN paid_invoice ELSE void_invoice END AS row FROM templates) t;

            INSERT INTO upflow_payments (organization_id, id, source, invoice_id, customer_id, export_status, paid_at, updated_at, document)
            SELECT @org, p.id, 'stripe', s.id, t.stripe_payment->>'customer_id', 'not_applicable', (t.stripe_payment->>'paid_at')::timestamptz, now(),
                   jsonb_set(jsonb_set(jsonb_set(jsonb_set(t.stripe_payment->'document', '{id}', to_jsonb(p.id)), '{invoiceId}', to_jsonb(s.id)),
                                       '{snapshot,id}', to_jsonb(p.id)), '{snapshot,invoiceId}', to_jsonb(s.id))
            FROM seeded s CROSS JOIN templates t CROSS JOIN LATERAL (SELECT 'inpay_bench_' || lpad(s.n::text, 8, '0') AS id) p
            WHERE s.status = 'paid';

            INSERT INTO upflow_payments (organization_id, id, source, invoice_id, customer_id, export_status, paid_at, updated_at, document)
            SELECT @org, p.id, 'portal', s.id, t.error_payment->>'customer_id', p.status, (t.error_payment->>'paid_at')::timestamptz, now(),
                   CASE p.status WHEN 'error' THEN jsonb_set(jsonb_set(t.error_payment->'document', '{id}', to_jsonb(p.id)), '{invoiceId}', to_jsonb(s.id))
                        ELSE jsonb_set(jsonb_set(jsonb_set(jsonb_set(t.error_payment->'document', '{id}', to_jsonb(p.id)), '{invoiceId}', to_jsonb(s.id)),
                                                 '{export,status}', '"exported"'), '{export,error}', 'null') END
            FROM seeded s CROSS JOIN templates t
            CROSS JOIN LATERAL (SELECT 'pay_bench_' || lpad(s.n::text, 8, '0') AS id, CASE WHEN s.n % 100 = 1 THEN 'error' ELSE 'exported' END AS status) p
            WHERE s.n % 100 IN (1, 5);

            ANALYZE upflow_invoices;
            ANALYZE upflow_payments;
            """.Replace("@org", $"'{organizationId}'", StringComparison.Ordinal).Replace("@count", invoices.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        await using var connection = new NpgsqlConnection(connectionString + ";Command Timeout=0");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private sealed record Counts(long Invoices, long Overdue, long Payments, long Errors);

    private static async Task<Counts> CountsAsync(string connectionString, string organizationId) => new(
        await Scenario.ScalarAsync(connectionString, "SELECT count(*) FROM upflow_invoices WHERE organization_id = $1", organizationId),
        await Scenario.ScalarAsync(connectionString, "SELECT count(*) FROM upflow_invoices WHERE organization_id = $1 AND stripe_status = 'open' AND due_at < date_trunc('day', now())", organizationId),
        await Scenario.ScalarAsync(connectionString, "SELECT count(*) FROM upflow_payments WHERE organization_id = $1", organizationId),
        await Scenario.ScalarAsync(connectionString, "SELECT count(*) FROM upflow_payments WHERE organization_id = $1 AND export_status = 'error'", organizationId));
}
