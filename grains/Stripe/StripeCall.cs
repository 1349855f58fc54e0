namespace Upflow.Orleans.Stripe;

/// <summary>
/// What the HTTP pipeline needs to know about the gateway call it serves: Stripe.net builds the
/// HttpRequestMessage itself, so the organization (pacing key, metric tag) flows alongside it in
/// the async context rather than on the request.
/// </summary>
internal sealed class StripeCall(string organizationId, string endpoint)
{
    private static readonly AsyncLocal<StripeCall?> Ambient = new();

    public static StripeCall? Current => Ambient.Value;

    public string OrganizationId { get; } = organizationId;
    public string Endpoint { get; } = endpoint;

    /// <summary>When the latest attempt left for Stripe: the "as of" of what it returns.</summary>
    public DateTimeOffset? SentAt { get; set; }

    /// <summary>When the latest attempt took its place in the account's pace (a <see cref="TimeProvider"/> timestamp).</summary>
    public long PacedAt { get; set; }

    public int Attempts { get; set; }

    /// <summary>The HTTP status of the latest attempt (0 for a network error or timeout).</summary>
    public int LastStatus { get; set; }

    public static Scope Begin(string organizationId, string endpoint)
    {
        var call = new StripeCall(organizationId, endpoint);
        var previous = Ambient.Value;
        Ambient.Value = call;
        return new Scope(call, previous);
    }

    public readonly struct Scope(StripeCall call, StripeCall? previous) : IDisposable
    {
        public StripeCall Call { get; } = call;
        public void Dispose() => Ambient.Value = previous;
    }
}
