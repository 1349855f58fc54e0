namespace Upflow.StripeEmulator.Json;

/// <summary>
/// The expand[] paths that apply at one point of a response, relative to the object being written.
/// "data.payment.payment_intent" seen from an invoice_payment becomes "payment.payment_intent".
/// </summary>
internal sealed class Expansion
{
    public static readonly Expansion None = new([]);
    private readonly string[] _paths;

    public Expansion(IEnumerable<string> paths) => _paths = paths.ToArray();

    public bool Has(string field) => _paths.Any(p => p == field || p.StartsWith(field + ".", StringComparison.Ordinal));

    public Expansion Child(string field)
    {
        var prefix = field + ".";
        var children = _paths.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).Select(p => p[prefix.Length..]).ToArray();
        return children.Length == 0 ? None : new Expansion(children);
    }

    /// <summary>For a list response: its "data.*" paths apply to every item.</summary>
    public Expansion ForListItems() => Child("data");
}
