namespace Upflow.StripeEmulator;

public static class StripeApi
{
    /// <summary>The API version Stripe.net 53.1.0 pins (Stripe.StripeConfiguration.ApiVersion).</summary>
    public const string Version = "2026-10-28.endive";

    /// <summary>Stripe keeps events for 30 days; older ones are neither listed nor retrievable.</summary>
    public static readonly TimeSpan EventRetention = TimeSpan.FromDays(30);
}
