using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Upflow.Orleans.Stripe;
using Upflow.Orleans.Sync;
using Upflow.StripeEmulator.Faults;

namespace Upflow.Orleans.Tests.Stripe;

public sealed class StripeGatewayTests(StripeGatewayFixture fixture) : IClassFixture<StripeGatewayFixture>
{
    private static string NewOrganization() => "org_" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Paging_every_list_returns_exactly_what_Stripe_holds_with_the_expansions_the_snapshots_need()
    {
        await using var services = fixture.Services();
        var gateway = services.GetRequiredService<StripeGateway>();
        var org = NewOrganization();
        var key = fixture.Account.SecretKey;
        var acct = fixture.Account.Id;
        fixture.Emulator.ResetRequestCounts(acct);

        var before = DateTimeOffset.UtcNow;
        var first = await gateway.ListCustomersAsync(org, key, null, CancellationToken.None);
        Assert.InRange(first.RequestedAt, before, DateTimeOffset.UtcNow);

        var customers = await StripeGatewayFixture.ListAll(after => gateway.ListCustomersAsync(org, key, after, CancellationToken.None));
        var invoices = await StripeGatewayFixture.ListAll(after => gateway.ListInvoicesAsync(org, key, after, CancellationToken.None));
        var payments = await StripeGatewayFixture.ListAll(after => gateway.ListInvoicePaymentsAsync(org, key, after, CancellationToken.None));
        var intents = await StripeGatewayFixture.ListAll(after => gateway.ListPaymentIntentsAsync(org, key, after, CancellationToken.None));

        var counts = fixture.Counts;
        Assert.Equal(counts.Customers, customers.Select(c => c.Id).Distinct().Count());
        Assert.Equal(counts.Invoices, invoices.Select(i => i.Id).Distinct().Count());
        Assert.Equal(counts.DraftInvoices, invoices.Count(i => i.Status == "draft"));
        Assert.Equal(counts.InvoicePayments, payments.Select(p => p.Id).Distinct().Count());
        Assert.Equal(counts.PaymentIntents, intents.Count);
        Assert.Equal(counts.UnappliedPayments,
            UnappliedPayments.Count(UnappliedPayments.SucceededIntents(intents), UnappliedPayments.AppliedIntents(payments)));

        // Expansions: tax is present on every customer (with a country on most), and every paid
        // payment carries its method, whether it went through an intent or a bare charge.
        Assert.All(customers, c => Assert.NotNull(c.Tax));
        Assert.Contains(customers, c => c.Tax!.Location?.Country is { Length: 2 });
        Assert.All(customers, c => Assert.Empty(StripeSnapshots.FromCustomer(c, first.RequestedAt).Native.Omitted));
        var paid = payments.Where(p => p.Status == "paid").ToList();
        Assert.Equal(counts.PaidInvoicePayments, paid.Count);
        Assert.Contains(paid, p => p.Payment!.Type == "charge");
        Assert.All(paid, p => Assert.NotNull(StripeSnapshots.FromInvoicePayment(p, first.RequestedAt).Method?.Type));

        // No more requests than the data needs: one per 100 objects (has_more is exact).
        Assert.Equal(1 + Pages(counts.Customers), fixture.Emulator.RequestCount(acct, "GET /v1/customers"));
        Assert.Equal(Pages(counts.Invoices), fixture.Emulator.RequestCount(acct, "GET /v1/invoices"));
        Assert.Equal(Pages(counts.InvoicePayments), fixture.Emulator.RequestCount(acct, "GET /v1/invoice_payments"));
        Assert.Equal(Pages(counts.PaymentIntents), fixture.Emulator.RequestCount(acct, "GET /v1/payment_intents"));

        static long Pages(int objects) => Math.Max(1, (objects + 99) / 100);
    }

    [Fact]
    public async Task A_key_Stripe_rejects_gives_Stripes_message_and_a_good_key_gives_its_account()
    {
        await using var services = fixture.Services();
        var gateway = services.GetRequiredService<StripeGateway>();
        var org = NewOrganization();

        var valid = await gateway.CheckAccountAsync(org, fixture.Account.SecretKey, CancellationToken.None);
        Assert.Equal(fixture.Account.Id, valid.AccountId);

        var rejected = await gateway.CheckAccountAsync(org, "sk_test_0000000000000000unknown", CancellationToken.None);
        Assert.False(rejected.IsValid);
        Assert.StartsWith("Invalid API Key provided: sk_test_", rejected.RejectionMessage);
        Assert.DoesNotContain("unknown", rejected.RejectionMessage);

        var publishable = await gateway.CheckAccountAsync(org, "pk_test_123", CancellationToken.None);
        Assert.StartsWith("Invalid API Key provided", publishable.RejectionMessage);

        await Assert.ThrowsAsync<StripeKeyRejectedException>(() =>
            gateway.ListCustomersAsync(org, "sk_test_0000000000000000unknown", null, CancellationToken.None));
    }

    [Fact]
    public async Task A_429_storm_loses_nothing_and_is_counted()
    {
        var (account, expected) = fixture.NewAccount(customers: 150);
        fixture.Emulator.ConfigureFaults(account.Id, new FaultSettings { RequestsPerSecond = 1 });
        // Two listings race for one request a second: on a busy machine one lost thirteen attempts in a
        // row once (CI, 2026-11-27). What is tested is that nothing is lost and every 429 is counted,
        // not the retry budget, so the budget is the largest allowed (each retry waits at most 2 s here).
        await using var services = fixture.Services(maxRetries: 20);
        var gateway = services.GetRequiredService<StripeGateway>();
        var org = NewOrganization();
        using var rateLimited = new CounterProbe("upflow.stripe.rate_limited", org);
        using var requests = new CounterProbe("upflow.stripe.requests", org);

        // Two listings side by side against a 1/s account: Stripe answers most attempts 429.
        var customers = StripeGatewayFixture.ListAll(after => gateway.ListCustomersAsync(org, account.SecretKey, after, CancellationToken.None));
        var invoices = StripeGatewayFixture.ListAll(after => gateway.ListInvoicesAsync(org, account.SecretKey, after, CancellationToken.None));
        await Task.WhenAll(customers, invoices);

        Assert.Equal(expected.Customers, (await customers).Select(c => c.Id).Distinct().Count());
        Assert.Equal(expected.Invoices, (await invoices).Select(i => i.Id).Distinct().Count());
        var limitedAtStripe = fixture.Emulator.RequestCounts(account.Id).Sum(c => c.RateLimited);
        Assert.True(limitedAtStripe > 0, "the emulator answered no 429");
        Assert.Equal(limitedAtStripe, rateLimited.Total);
        Assert.Equal(fixture.Emulator.RequestCounts(account.Id).Sum(c => c.Requests), requests.Total);
    }

    [Fact]
    public async Task Server_errors_and_timeouts_are_retried_until_Stripe_answers()
    {
        var (account, counts) = fixture.NewAccount(customers: 150);
        fixture.Emulator.ConfigureFaults(account.Id, new FaultSettings
        {
            ServerErrorRate = 0.4, TimeoutRate = 0.1, TimeoutDuration = TimeSpan.FromSeconds(5), Seed = 3,
        });
        await using var services = fixture.Services(maxRetries: 10, requestTimeout: TimeSpan.FromMilliseconds(300));
        var gateway = services.GetRequiredService<StripeGateway>();
        var org = NewOrganization();

        var invoices = await StripeGatewayFixture.ListAll(after => gateway.ListInvoicesAsync(org, account.SecretKey, after, CancellationToken.None));

        var pages = Math.Max(1, (counts.Invoices + 99) / 100);
        Assert.True(fixture.Emulator.RequestCount(account.Id, "GET /v1/invoices") > pages, "no request was retried");
        Assert.Equal(counts.Invoices, invoices.Select(i => i.Id).Distinct().Count());
    }

    [Fact]
    public async Task Exhausted_retries_surface_as_unavailable_with_a_safe_message()
    {
        var (account, _) = fixture.NewAccount(customers: 1);
        fixture.Emulator.ConfigureFaults(account.Id, new FaultSettings { ServerErrorRate = 1 });
        await using var services = fixture.Services(maxRetries: 2, retryBaseDelay: TimeSpan.FromMilliseconds(10));
        var gateway = services.GetRequiredService<StripeGateway>();

        var error = await Assert.ThrowsAsync<StripeUnavailableException>(() =>
            gateway.CheckAccountAsync(NewOrganization(), account.SecretKey, CancellationToken.None));
        Assert.DoesNotContain(account.SecretKey, error.Message);
        Assert.Equal(3, fixture.Emulator.RequestCount(account.Id, "GET /v1/account"));
    }

    [Fact]
    public async Task A_hung_request_times_out_per_attempt_and_is_retried()
    {
        var (account, _) = fixture.NewAccount(customers: 1);
        fixture.Emulator.ConfigureFaults(account.Id, new FaultSettings { TimeoutRate = 1, TimeoutDuration = TimeSpan.FromSeconds(10) });
        // An attempt timeout long enough that each attempt reaches the emulator on a busy machine.
        await using var services = fixture.Services(maxRetries: 1, retryBaseDelay: TimeSpan.FromMilliseconds(10), requestTimeout: TimeSpan.FromSeconds(1));
        var gateway = services.GetRequiredService<StripeGateway>();

        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<StripeUnavailableException>(() =>
            gateway.CheckAccountAsync(NewOrganization(), account.SecretKey, CancellationToken.None));
        // Two attempts of 1 s each, well short of the 10 s the emulator holds each one.
        Assert.InRange(clock.Elapsed.TotalSeconds, 1.9, 8);
        Assert.Contains("no response", error.Message);
        Assert.Equal(2, fixture.Emulator.RequestCount(account.Id, "GET /v1/account"));
    }

    [Fact]
    public async Task Pacing_keeps_an_account_under_its_rate_and_two_organizations_are_paced_independently()
    {
        const int perSecond = 20;
        const int callsEach = 40;
        var (a, _) = fixture.NewAccount(customers: 1);
        var (b, _) = fixture.NewAccount(customers: 1);
        await using var services = fixture.Services(maxRequestsPerSecond: perSecond);
        var gateway = services.GetRequiredService<StripeGateway>();
        var orgA = NewOrganization();
        var orgB = NewOrganization();

        // Each sample's counts were read somewhere between its two stamps.
        var samples = new List<(double Before, long A, long B, double After)>();
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var before = clock.Elapsed.TotalSeconds;
                var countA = fixture.Emulator.RequestCount(a.Id, "GET /v1/account");
                var countB = fixture.Emulator.RequestCount(b.Id, "GET /v1/account");
                samples.Add((before, countA, countB, clock.Elapsed.TotalSeconds));
                await Task.Delay(25);
            }
        });

        async Task<TimeSpan> Burst(string org, string key)
        {
            var started = clock.Elapsed;
            await Task.WhenAll(Enumerable.Range(0, callsEach).Select(_ => gateway.CheckAccountAsync(org, key, CancellationToken.None)));
            return clock.Elapsed - started;
        }

        var durations = await Task.WhenAll(Burst(orgA, a.SecretKey), Burst(orgB, b.SecretKey));
        await stop.CancelAsync();
        await sampler;

        // 40 calls at 20/s with a burst of 2 take about 1.9 s; sharing one budget would take 3.9 s.
        Assert.All(durations, d => Assert.InRange(d.TotalSeconds, 1.6, 3.0));
        Assert.Equal(callsEach, fixture.Emulator.RequestCount(a.Id, "GET /v1/account"));
        Assert.Equal(callsEach, fixture.Emulator.RequestCount(b.Id, "GET /v1/account"));
        // Any one-second window of sending holds at most burst + rate (22). Counted where the emulator
        // receives them, a scheduling stall on the way can bunch a few more into one second (25 seen
        // once in CI on a busy machine); unpaced, all 40 would arrive within a second.
        var worst = 0L;
        foreach (var start in samples)
            foreach (var end in samples.Where(s => s.Before > start.After && s.After - start.Before <= 1.0))
                worst = Math.Max(worst, Math.Max(end.A - start.A, end.B - start.B));
        Assert.InRange(worst, perSecond - 2, perSecond + 6);
    }

    [Fact]
    public async Task An_account_slower_than_the_configured_pace_is_paced_down_to_it_and_stops_answering_429()
    {
        // The account allows 30 requests/s; the gateway is configured for 90 (Stripe's live limit).
        const int calls = 150;
        var (account, _) = fixture.NewAccount(customers: 1);
        fixture.Emulator.ConfigureFaults(account.Id, new FaultSettings { RequestsPerSecond = 30 });
        await using var services = fixture.Services(maxRequestsPerSecond: 90, maxRetries: 20);
        var gateway = services.GetRequiredService<StripeGateway>();
        var org = NewOrganization();

        await CallFromEightCallersAsync(gateway, org, account, calls);

        AssertAllAnsweredWithFew429s(account, calls);
        Assert.InRange(services.GetRequiredService<StripePacing>().PerSecond(org), 1, 89);
    }

    [Fact]
    public async Task An_endpoint_Stripe_limits_on_its_own_is_paced_down_alone()
    {
        // The account allows 100 requests/s, each endpoint 20 (Stripe's docs: 25 unless stated otherwise).
        const int calls = 100;
        var (account, _) = fixture.NewAccount(customers: 1);
        fixture.Emulator.ConfigureFaults(account.Id, new FaultSettings { RequestsPerSecond = 100, EndpointRequestsPerSecond = 20 });
        await using var services = fixture.Services(maxRequestsPerSecond: 90, maxRetries: 20);
        var gateway = services.GetRequiredService<StripeGateway>();
        var pacing = services.GetRequiredService<StripePacing>();
        var org = NewOrganization();

        await CallFromEightCallersAsync(gateway, org, account, calls);

        AssertAllAnsweredWithFew429s(account, calls);
        Assert.InRange(pacing.PerSecond(org, "GET /v1/account"), 1, 89);
        // Stripe said the endpoint refused them: the account's other endpoints keep its whole pace.
        Assert.Equal(90, pacing.PerSecond(org));
        Assert.Equal(90, pacing.PerSecond(org, "GET /v1/customers"));
        // Operators see the slowed endpoint, and only it, on the pace gauge.
        var slowed = Assert.Single(GaugeProbe.Read("upflow.stripe.pace"), m => Equals(m.Tags[StripeTelemetry.OrganizationTag], org));
        Assert.Equal("GET /v1/account", slowed.Tags[StripeTelemetry.EndpointTag]);
        Assert.InRange(slowed.Value, 1, 89);
    }

    [Fact]
    public async Task A_lock_timeout_is_retried_without_slowing_the_account()
    {
        // Stripe's 429 lock_timeout: another request holds the object. It says nothing about the rate.
        const int calls = 40;
        var (account, _) = fixture.NewAccount(customers: 1);
        fixture.Emulator.ConfigureFaults(account.Id, new FaultSettings { LockTimeoutRate = 0.3, Seed = 5 });
        await using var services = fixture.Services(maxRequestsPerSecond: 90, maxRetries: 20, retryBaseDelay: TimeSpan.FromMilliseconds(10));
        var gateway = services.GetRequiredService<StripeGateway>();
        var org = NewOrganization();

        await CallFromEightCallersAsync(gateway, org, account, calls);

        var counts = Assert.Single(fixture.Emulator.RequestCounts(account.Id));
        Assert.True(counts.Requests > calls, "some calls met a lock timeout and were retried");
        Assert.Equal(90, services.GetRequiredService<StripePacing>().PerSecond(org));
        Assert.DoesNotContain(GaugeProbe.Read("upflow.stripe.pace"), m => Equals(m.Tags[StripeTelemetry.OrganizationTag], org));
    }

    /// <summary>GET /v1/account <paramref name="calls"/> times from eight callers, each one call after another, as the slices of a backfill page.</summary>
    private static async Task CallFromEightCallersAsync(StripeGateway gateway, string org, StripeEmulator.Store.StripeAccount account, int calls)
    {
        var queue = new ConcurrentQueue<int>(Enumerable.Range(0, calls));
        await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            while (queue.TryDequeue(out var _)) await gateway.CheckAccountAsync(org, account.SecretKey, CancellationToken.None);
        }));
    }

    /// <summary>Every call answered, and Stripe's 429s a few of the requests sent: the pace found the limit.</summary>
    private void AssertAllAnsweredWithFew429s(StripeEmulator.Store.StripeAccount account, int calls)
    {
        var counts = Assert.Single(fixture.Emulator.RequestCounts(account.Id));
        Assert.Equal(calls, counts.Requests - counts.RateLimited);
        Assert.InRange(counts.RateLimited, 1, calls / 4);
    }

    [Fact]
    public async Task Paying_out_of_band_records_once_replays_and_relays_Stripes_refusals()
    {
        var (account, _) = fixture.NewAccount(customers: 30, invoicesPerCustomer: 3);
        await using var services = fixture.Services();
        var gateway = services.GetRequiredService<StripeGateway>();
        var org = NewOrganization();
        var open = fixture.Emulator.InvoiceIds(account.Id, "open");
        var invoice = open[0];

        Assert.Equal(PayStatus.Paid, (await gateway.PayInvoiceOutOfBandAsync(org, account.SecretKey, invoice, "pay_1-export", CancellationToken.None)).Status);
        Assert.Equal(PayStatus.Paid, (await gateway.PayInvoiceOutOfBandAsync(org, account.SecretKey, invoice, "pay_1-export", CancellationToken.None)).Status);
        var recorded = Assert.Single(fixture.Emulator.OutOfBandPayments(account.Id), p => p.InvoiceId == invoice);
        Assert.Equal("pay_1-export", recorded.IdempotencyKey);

        var again = await gateway.PayInvoiceOutOfBandAsync(org, account.SecretKey, invoice, "pay_2-export", CancellationToken.None);
        Assert.Equal(PayOutcome.Refused("Invoice is already paid"), again);

        var voided = fixture.Emulator.InvoiceIds(account.Id, "void")[0];
        var refused = await gateway.PayInvoiceOutOfBandAsync(org, account.SecretKey, voided, "pay_3-export", CancellationToken.None);
        Assert.Equal(PayStatus.Refused, refused.Status);
        Assert.Equal("You cannot pay a void invoice.", refused.Message);

        var missing = await gateway.PayInvoiceOutOfBandAsync(org, account.SecretKey, "in_missing", "pay_4-export", CancellationToken.None);
        Assert.Equal(PayStatus.Refused, missing.Status);
        Assert.Contains("in_missing", missing.Message);
        Assert.Single(fixture.Emulator.OutOfBandPayments(account.Id));

        // Under 500s the write is retried with the same key: paid exactly once.
        fixture.Emulator.ConfigureFaults(account.Id, new FaultSettings { ServerErrorRate = 0.6, Seed = 5 });
        Assert.Equal(PayStatus.Paid, (await gateway.PayInvoiceOutOfBandAsync(org, account.SecretKey, open[1], "pay_5-export", CancellationToken.None)).Status);
        Assert.Single(fixture.Emulator.OutOfBandPayments(account.Id), p => p.InvoiceId == open[1]);

        fixture.Emulator.ConfigureFaults(account.Id, new FaultSettings { ServerErrorRate = 1 });
        var failed = await gateway.PayInvoiceOutOfBandAsync(org, account.SecretKey, open[2], "pay_6-export", CancellationToken.None);
        Assert.Equal(PayStatus.Failed, failed.Status);
        Assert.DoesNotContain(fixture.Emulator.OutOfBandPayments(account.Id), p => p.InvoiceId == open[2]);
    }
}
