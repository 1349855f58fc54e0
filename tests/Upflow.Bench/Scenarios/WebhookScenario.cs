using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Spectre.Console;
using Upflow.StripeEmulator;
using Upflow.StripeEmulator.Generation;
using Upflow.StripeEmulator.Webhooks;

namespace Upflow.Bench.Scenarios;

/// <summary>
/// Issue scenario 4: validly signed <c>customer.updated</c> webhooks posted concurrently to the silo
/// over real HTTP, each answered only once durably recorded; then how long until a change is readable.
/// </summary>
public static class WebhookScenario
{
    private const string Name = "4. Webhooks";
    private const int WarmupEvents = 5_000;

    public static async Task<IReadOnlyList<Figure>> RunAsync(int events, int connections, int customers)
    {
        await using var stripe = await StripeEmulator.StripeEmulator.StartAsync(new StripeEmulatorOptions { Seed = 4 });
        var account = stripe.CreateAccount();
        stripe.Generate(account.Id, new GenerationSpec { Seed = 4, Customers = customers, InvoicesPerCustomer = 1 });
        await using var database = await BenchDatabase.CreateAsync();
        await using var silo = await SiloProcess.StartAsync(database.ConnectionString, stripe.BaseUrl);
        var organization = await new ProductClient(silo.BaseAddress, silo.AdminKey).CreateOrganizationAsync("Bench");
        await ProductClient.ConnectAsync(organization, account.SecretKey);
        await Scenario.WaitLiveAsync(organization, TimeSpan.FromMinutes(10));
        var organizationId = await ProductClient.OrganizationIdAsync(organization);
        var objects = await ListCustomersAsync(stripe.BaseUrl, account.SecretKey);
        Scenario.Note(Name, $"{objects.Count:N0} customers backfilled; posting {events:N0} customer.updated events over {connections} connections");

        // Events are stamped after the backfill's pages, so each one is newer than the ledger's state and is applied.
        await Task.Delay(1100);
        var warmupCreated = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        // Each round of the flood updates every customer once, stamped a second after the previous round,
        // as Stripe stamps changes made over that many seconds: two different changes of one customer
        // stamped with the same second would each be read again from Stripe (docs/decisions.md), whose
        // customers these synthetic changes never touched.
        var firstRound = warmupCreated + 1;
        var lastRound = firstRound + (events - 1) / objects.Count;
        // Signed before the clock starts: Stripe signs on its own machines, not on the silo's cores.
        var bodies = Enumerable.Range(0, events)
            .Select(i => Signed(Event($"evt_bench_{i:D8}", firstRound + i / objects.Count, objects[i % objects.Count], $"bench{i}@example.com")))
            .ToArray();
        // A silo taking webhooks at this rate has been up for a while: the first few thousand requests run
        // code the JIT has not optimized yet and recompiles meanwhile (a fifth of both cores in a cold flood,
        // perf). The warm-up takes them, and its events are applied before the clock starts. They change
        // nothing, so a customer's several warm-up events do not differ.
        var warmup = Enumerable.Range(0, Math.Min(WarmupEvents, events)).Select(i => Signed(Event($"evt_warm_{i:D8}", warmupCreated, objects[i % objects.Count], null))).ToArray();

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = silo.BaseAddress,
            Timeout = TimeSpan.FromMinutes(1),
        };
        var path = $"/webhooks/stripe/{organizationId}";
        await PostAllAsync(http, path, warmup, connections, new double[warmup.Length], null);
        while (await PendingEventsAsync(organization) > 0) await Task.Delay(250);
        await Task.Delay(1000);
        // Delivered events are in Stripe's past: the flood's last round, and the changes timed after it, later.
        if (lastRound >= DateTimeOffset.UtcNow.ToUnixTimeSeconds())
            Scenario.Note(Name, $"waiting {lastRound + 1 - DateTimeOffset.UtcNow.ToUnixTimeSeconds()} s until the flood's {lastRound - firstRound + 1} rounds of stamps have passed");
        while (DateTimeOffset.UtcNow.ToUnixTimeSeconds() <= lastRound) await Task.Delay(100);

        var latencies = new double[events];
        var clock = Stopwatch.StartNew();
        TimeSpan flood = default;
        await AnsiConsole.Progress().Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async progress =>
            {
                var bar = progress.AddTask(Markup.Escape(Name), maxValue: events);
                await PostAllAsync(http, path, bodies, connections, latencies, bar);
                flood = clock.Elapsed;
            });
        var peakAfterFlood = silo.PeakBytes;

        // The acknowledged events are applied by their grains after the 200: wait for the backlog to empty.
        // Polled as a dashboard would, a few times a second: the status query counts the waiting events,
        // and 20 polls a second took a quarter of PostgreSQL's time from the events being applied.
        long pending;
        while ((pending = await PendingEventsAsync(organization)) > 0 && clock.Elapsed < flood + TimeSpan.FromMinutes(10)) await Task.Delay(250);
        var applied = clock.Elapsed - flood;
        if (pending > 0) throw new TimeoutException($"{pending} acknowledged events still unapplied after 10 minutes.");
        var lastIndex = events - 1;
        var lastCustomer = objects[lastIndex % objects.Count]["id"]!.GetValue<string>();
        var email = await EmailAsync(organization, lastCustomer);
        if (email != $"bench{lastIndex}@example.com")
            throw new InvalidOperationException($"Customer {lastCustomer} shows {email} after every event was applied, not the last event's address.");

        // From the webhook's send to the new email in GET /v1/customers/{id}: once right after the backlog
        // (the dispatcher's queues may still hold events the drain applied first), then one change at a time.
        async Task<double> VisibleAsync(int i)
        {
            var customer = objects[(i * 7919) % objects.Count];
            var id = customer["id"]!.GetValue<string>();
            var address = $"visible{i}@example.com";
            var body = Event($"evt_visible_{i:D4}", DateTimeOffset.UtcNow.ToUnixTimeSeconds(), customer, address);
            var watch = Stopwatch.StartNew();
            await PostAsync(http, path, Signed(body));
            while (await EmailAsync(organization, id) != address)
                if (watch.Elapsed > TimeSpan.FromSeconds(120)) throw new TimeoutException($"{address} never became visible on {id}.");
            return watch.Elapsed.TotalMilliseconds;
        }
        var afterFlood = await VisibleAsync(0);
        var visible = new List<double>();
        for (var i = 1; i <= 50; i++) visible.Add(await VisibleAsync(i));

        Array.Sort(latencies);
        visible.Sort();
        var rate = events / flood.TotalSeconds;
        var p50 = Scenario.Percentile(latencies, 0.50);
        var p99 = Scenario.Percentile(latencies, 0.99);
        return
        [
            new(Name, "events acknowledged (recorded)", events, ""),
            new(Name, "acknowledged / s", rate, "events/s", "≥ 5,000", rate >= 5_000),
            new(Name, "acknowledgement p50", p50, "ms"),
            new(Name, "acknowledgement p99", p99, "ms", "< 50", p99 < 50),
            new(Name, "acknowledgement max", latencies[^1], "ms"),
            new(Name, "backlog applied after the last ack", applied.TotalSeconds, "s"),
            new(Name, "visible in API, first change after the backlog", afterFlood, "ms"),
            new(Name, "visible in API, idle p50", Scenario.Percentile(visible, 0.50), "ms"),
            new(Name, "visible in API, idle p99", Scenario.Percentile(visible, 0.99), "ms"),
            new(Name, "peak silo memory", peakAfterFlood / 1024d / 1024, "MiB"),
        ];
    }

    private sealed record SignedEvent(byte[] Body, string Signature);

    private static SignedEvent Signed(byte[] body) =>
        new(body, WebhookSigner.Sign(Encoding.UTF8.GetString(body), ProductClient.WebhookSecret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    private static async Task PostAllAsync(HttpClient http, string path, SignedEvent[] bodies, int connections, double[] latencies, ProgressTask? bar)
    {
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, connections).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < bodies.Length)
            {
                var started = Stopwatch.GetTimestamp();
                await PostAsync(http, path, bodies[i]);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                bar?.Increment(1);
            }
        }));
    }

    private static async Task PostAsync(HttpClient http, string path, SignedEvent signed)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(signed.Body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signed.Signature);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode || !text.Contains("\"recorded\"", StringComparison.Ordinal) && !text.Contains("\"duplicate\"", StringComparison.Ordinal))
            throw new InvalidOperationException($"The webhook was answered {(int)response.StatusCode}: {text}");
    }

    /// <summary>A customer.updated event as Stripe sends it: the whole customer, with a new email when given.</summary>
    private static byte[] Event(string id, long created, JsonObject customer, string? email)
    {
        var data = (JsonObject)customer.DeepClone();
        var previous = new JsonObject { ["email"] = data["email"]?.DeepClone() };
        if (email is not null) data["email"] = email;
        var envelope = new JsonObject
        {
            ["id"] = id,
            ["object"] = "event",
            ["api_version"] = StripeApi.Version,
            ["created"] = created,
            ["data"] = new JsonObject { ["object"] = data, ["previous_attributes"] = previous },
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = "customer.updated",
        };
        return JsonSerializer.SerializeToUtf8Bytes(envelope);
    }

    private static async Task<List<JsonObject>> ListCustomersAsync(string stripeBase, string secretKey)
    {
        using var stripe = new HttpClient { BaseAddress = new Uri(stripeBase) };
        stripe.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secretKey);
        var customers = new List<JsonObject>();
        string? after = null;
        while (true)
        {
            var page = (await stripe.GetFromJsonAsync<JsonObject>($"/v1/customers?limit=100{(after is null ? "" : "&starting_after=" + after)}"))!;
            var data = page["data"]!.AsArray().Select(node => (JsonObject)node!.DeepClone()).ToList();
            customers.AddRange(data);
            if (!page["has_more"]!.GetValue<bool>() || data.Count == 0) return customers;
            after = data[^1]["id"]!.GetValue<string>();
        }
    }

    private static async Task<long> PendingEventsAsync(HttpClient organization) =>
        (await organization.GetFromJsonAsync<JsonElement>("/v1/stripe/sync")).GetProperty("pendingEvents").GetInt64();

    private static async Task<string?> EmailAsync(HttpClient organization, string customerId) =>
        (await organization.GetFromJsonAsync<JsonElement>($"/v1/customers/{customerId}")).GetProperty("email").GetString();
}
