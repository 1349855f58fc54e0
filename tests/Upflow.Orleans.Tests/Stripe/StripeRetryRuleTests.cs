using System.Net;
using Polly;
using Upflow.Orleans.Stripe;

namespace Upflow.Orleans.Tests.Stripe;

public sealed class StripeRetryRuleTests
{
    [Theory]
    [InlineData(429, null, true)]
    [InlineData(500, null, true)]
    [InlineData(503, null, true)]
    [InlineData(400, null, false)]
    [InlineData(402, null, false)]
    [InlineData(404, null, false)]
    [InlineData(409, null, false)]
    [InlineData(409, "true", true)]
    [InlineData(503, "false", false)]
    [InlineData(429, "false", false)]
    public void Stripe_decides_with_Stripe_Should_Retry_else_the_status_does(int status, string? shouldRetry, bool retried)
    {
        using var response = new HttpResponseMessage((HttpStatusCode)status) { RequestMessage = new HttpRequestMessage(HttpMethod.Get, "https://api.stripe.com/v1/customers") };
        if (shouldRetry is not null) response.Headers.Add("Stripe-Should-Retry", shouldRetry);
        Assert.Equal(retried, Decide(response));
    }

    [Fact]
    public void A_POST_is_retried_only_with_an_idempotency_key()
    {
        using var bare = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = new HttpRequestMessage(HttpMethod.Post, "https://api.stripe.com/v1/invoices/in_1/pay") };
        Assert.False(Decide(bare));

        var keyed = new HttpRequestMessage(HttpMethod.Post, "https://api.stripe.com/v1/invoices/in_1/pay");
        keyed.Headers.Add("Idempotency-Key", "pay_1-export");
        using var withKey = new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) { RequestMessage = keyed };
        Assert.True(Decide(withKey));
    }

    [Fact]
    public void Retry_After_sets_the_delay_within_the_cap()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        Assert.Null(StripeResilience.RetryAfter(response, TimeSpan.FromSeconds(30)));
        response.Headers.Add("Retry-After", "2");
        Assert.Equal(TimeSpan.FromSeconds(2), StripeResilience.RetryAfter(response, TimeSpan.FromSeconds(30)));
        Assert.Equal(TimeSpan.FromSeconds(1), StripeResilience.RetryAfter(response, TimeSpan.FromSeconds(1)));
    }

    private static bool Decide(HttpResponseMessage response)
    {
        var context = ResilienceContextPool.Shared.Get();
        try { return StripeResilience.ShouldRetry(Outcome.FromResult(response), context); }
        finally { ResilienceContextPool.Shared.Return(context); }
    }
}
