namespace Upflow.StripeEmulator.Domain;

/// <summary>
/// An event with the object snapshot taken when it happened: Stripe's data.object is the state at
/// event time, not the current state, which is what makes out-of-order deliveries meaningful.
/// </summary>
public sealed class StripeEvent : StripeObject
{
    public required string Type { get; init; }
    public required byte[] ObjectJson { get; init; }
    public byte[]? PreviousAttributesJson { get; init; }
    public string? RequestId { get; init; }
    public string? IdempotencyKey { get; init; }
    public int PendingWebhooks { get; set; }
}
