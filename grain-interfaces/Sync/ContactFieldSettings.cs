namespace Upflow.Orleans.Sync;

/// <summary>The metadata keys whose addresses become <c>to</c> and <c>cc</c> contacts.</summary>
[GenerateSerializer, Immutable, Alias("upflow.ContactFieldSettings")]
public sealed record ContactFieldSettings(
    [property: Id(0)] IReadOnlyList<string> To,
    [property: Id(1)] IReadOnlyList<string> Cc)
{
    public static ContactFieldSettings Default { get; } =
        new(["Additional emails to"], ["Additional emails cc"]);

    /// <summary>
    /// Problems that make these settings unacceptable, each a sentence fit for a 400 response; empty
    /// when valid. A key may appear once in all: under both roles its addresses would have no role.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var problems = new List<string>();
        foreach (var (role, keys) in new[] { ("to", To), ("cc", Cc) })
        {
            if (keys.Count > EntityFieldSettings.MaxKeys)
                problems.Add($"{role}: at most {EntityFieldSettings.MaxKeys} metadata keys (Stripe allows no more on an object).");
            foreach (var key in keys)
            {
                if (string.IsNullOrWhiteSpace(key))
                    problems.Add($"{role}: a metadata key cannot be empty.");
                else if (key.Length > EntityFieldSettings.MaxMetadataKeyLength)
                    problems.Add($"{role}: '{key}' is longer than Stripe's {EntityFieldSettings.MaxMetadataKeyLength}-character limit for metadata keys.");
            }
        }

        foreach (var duplicate in To.Concat(Cc).Where(k => k is not null).GroupBy(k => k, StringComparer.Ordinal).Where(g => g.Count() > 1))
            problems.Add($"'{duplicate.Key}' is listed more than once across to and cc.");
        return problems;
    }

    /// <summary>Same keys in the same order (records compare lists by reference).</summary>
    public bool SameAs(ContactFieldSettings other) =>
        To.SequenceEqual(other.To, StringComparer.Ordinal) && Cc.SequenceEqual(other.Cc, StringComparer.Ordinal);
}
