namespace Upflow.StripeEmulator.Domain;

/// <summary>
/// Base of every stored Stripe object. <see cref="Sequence"/> breaks ties between objects created in
/// the same second so that Stripe's "newest first" order is total and deterministic.
/// </summary>
public abstract class StripeObject
{
    public required string Id { get; init; }
    public required long Created { get; init; }
    public long Sequence { get; internal set; }
    public Dictionary<string, string> Metadata { get; init; } = new(StringComparer.Ordinal);
}
