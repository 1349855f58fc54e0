namespace Upflow.Orleans.Sync;

[GenerateSerializer, Alias("upflow.CustomFieldKind")]
public enum CustomFieldKind
{
    Null = 0,
    String = 1,
    Boolean = 2,
    StringList = 3,
}

/// <summary>
/// A custom field's value: a string, a boolean, a list of strings, or null — one type per field,
/// so clients can rely on it (a boolean native field never turns into "true").
/// Equality is by value, lists included, so a grain can tell whether re-deriving changed anything.
/// </summary>
[GenerateSerializer, Immutable, Alias("upflow.CustomFieldValue")]
public sealed record CustomFieldValue
{
    [Id(0)] public CustomFieldKind Kind { get; private init; }
    [Id(1)] public string? String { get; private init; }
    [Id(2)] public bool Boolean { get; private init; }
    [Id(3)] public IReadOnlyList<string> Strings { get; private init; } = [];

    public static CustomFieldValue Null { get; } = new() { Kind = CustomFieldKind.Null };

    public static CustomFieldValue Of(string? value) =>
        value is null ? Null : new() { Kind = CustomFieldKind.String, String = value };

    public static CustomFieldValue Of(bool? value) =>
        value is null ? Null : new() { Kind = CustomFieldKind.Boolean, Boolean = value.Value };

    public static CustomFieldValue Of(IReadOnlyList<string>? values) =>
        values is null ? Null : new() { Kind = CustomFieldKind.StringList, Strings = [.. values] };

    /// <summary>The value as JSON serializers expect it: string, bool, string[] or null.</summary>
    public object? ToPlainObject() => Kind switch
    {
        CustomFieldKind.String => String,
        CustomFieldKind.Boolean => Boolean,
        CustomFieldKind.StringList => Strings.ToArray(),
        _ => null,
    };

    public bool Equals(CustomFieldValue? other) =>
        other is not null
        && Kind == other.Kind
        && string.Equals(String, other.String, StringComparison.Ordinal)
        && Boolean == other.Boolean
        && Strings.SequenceEqual(other.Strings, StringComparer.Ordinal);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        hash.Add(String, StringComparer.Ordinal);
        hash.Add(Boolean);
        foreach (var s in Strings)
        {
            hash.Add(s, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    public override string ToString() => Kind switch
    {
        CustomFieldKind.String => $"\"{String}\"",
        CustomFieldKind.Boolean => Boolean ? "true" : "false",
        CustomFieldKind.StringList => $"[{string.Join(", ", Strings.Select(s => $"\"{s}\""))}]",
        _ => "null",
    };
}
