namespace Upflow.Orleans.Sync;

/// <summary>The metadata keys whose addresses become <c>to</c> and <c>cc</c> contacts.</summary>
[GenerateSerializer, Immutable, Alias("upflow.ContactFieldSettings")]
public sealed record ContactFieldSettings(
    [property: Id(0)] IReadOnlyList<string> To,
    [property: Id(1)] IReadOnlyList<string> Cc)
{
    public static ContactFieldSettings Default { get; } =
        new(["Additional emails to"], ["Additional emails cc"]);
}
