using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Upflow.Orleans.Tests.Infrastructure;
using Upflow.StripeEmulator.Faults;
using Upflow.StripeEmulator.Mutations;

namespace Upflow.Orleans.Tests.Webhooks;

/// <summary>A product whose Stripe calls fail at the first 500: a failed read is seen at once.</summary>
public sealed class NoRetryApp : WebhookApp
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
        [.. base.Settings(), new("Stripe:MaxRetries", "0")];
}

public sealed class TieTests(NoRetryApp app) : IClassFixture<NoRetryApp>
{
    private StripeEmulator.StripeEmulator Stripe => app.Stripe;

    [Fact]
    public async Task A_tie_whose_read_fails_keeps_the_ledger_as_it_was_until_the_drain_reads_the_object_again()
    {
        var customer = "";
        var tenant = await app.ConnectAsync(account => customer = Stripe.CreateCustomer(account.Id, new NewCustomer { Email = "before@tie.test", Name = "Tie" }), autoDeliver: false);
        var acct = tenant.AccountId;
        await app.WaitForFirstCatchUpAsync(tenant.Client, acct);
        Stripe.Clock.Advance(TimeSpan.FromSeconds(1));
        var (first, second) = await app.TwoChangesInOneSecondAsync(acct, "customer.updated",
            () => Stripe.UpdateCustomer(acct, customer, new CustomerUpdate { Email = "first@tie.test" }),
            () => Stripe.UpdateCustomer(acct, customer, new CustomerUpdate { Email = "second@tie.test" }));

        // The newer change arrives first; when the older one arrives, Stripe cannot be read.
        Assert.Equal(HttpStatusCode.OK, (await app.PostSignedAsync(tenant, second)).StatusCode);
        await app.WaitUntilAppliedAsync(tenant.OrganizationId);
        Stripe.ConfigureFaults(acct, new FaultSettings { ServerErrorRate = 1 });
        Assert.Equal(HttpStatusCode.OK, (await app.PostSignedAsync(tenant, first)).StatusCode);
        await Eventually.Until(() => Task.FromResult(Stripe.RequestCount(acct, "GET /v1/customers/{id}") >= 1), "the read of the tied customer", TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(2)); // the drain's interval: it finds the same tie, and Stripe still fails

        // The tie changed nothing (no guess), and the event waits.
        Assert.Equal("second@tie.test", await EmailAsync(tenant, customer));
        Assert.Equal(1, await app.CountEventsAsync(tenant.OrganizationId, "applied_at IS NULL"));

        // Once Stripe answers, the drain reads the customer again and the event is done.
        Stripe.ConfigureFaults(acct, FaultSettings.None);
        await app.WaitUntilAppliedAsync(tenant.OrganizationId);
        Assert.Equal("second@tie.test", await EmailAsync(tenant, customer));
        await app.AssertLedgerEqualsStripeAsync(tenant);
    }

    private static async Task<string?> EmailAsync(WebhookApp.Tenant tenant, string customer) =>
        (await tenant.Client.GetFromJsonAsync<JsonElement>($"/v1/customers/{customer}")).GetProperty("email").GetString();
}
