using System.Globalization;
using Microsoft.Extensions.Primitives;

namespace Upflow.StripeEmulator.Http;

/// <summary>
/// Stripe's form encoding: "created[gte]=1", "metadata[Region]=EU", "expand[]=x" or Stripe.net's
/// "expand[0]=x". Parsed into a tree so each endpoint can reject what it does not know, as Stripe does.
/// </summary>
internal sealed class StripeParams
{
    private readonly Dictionary<string, Node> _root = new(StringComparer.Ordinal);

    private sealed class Node
    {
        public string? Value;
        public SortedDictionary<int, string>? List;
        public Dictionary<string, string>? Hash;
    }

    public static StripeParams From(IEnumerable<KeyValuePair<string, StringValues>> pairs)
    {
        var result = new StripeParams();
        foreach (var (rawKey, values) in pairs)
            foreach (var value in values)
                result.Add(rawKey, value ?? "");
        return result;
    }

    public IEnumerable<string> Names => _root.Keys;

    public void EnsureOnly(params string[] allowed)
    {
        foreach (var name in _root.Keys)
            if (!allowed.Contains(name)) throw StripeApiException.UnknownParameter(name);
    }

    public string? String(string name)
    {
        if (!_root.TryGetValue(name, out var node)) return null;
        return node.Value ?? throw StripeApiException.InvalidRequest($"Invalid {name}: must be a string", param: name);
    }

    public long? Integer(string name)
    {
        var raw = String(name);
        if (raw is null) return null;
        return long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw StripeApiException.InvalidRequest($"Invalid integer: {raw}", "parameter_invalid_integer", name);
    }

    public bool? Boolean(string name) => String(name) switch
    {
        null => null,
        "true" => true,
        "false" => false,
        var raw => throw StripeApiException.InvalidRequest($"Invalid boolean: {raw}", "parameter_invalid_boolean", name),
    };

    public IReadOnlyList<string> List(string name)
    {
        if (!_root.TryGetValue(name, out var node)) return [];
        if (node.List is not null) return node.List.Values.ToList();
        throw StripeApiException.InvalidRequest($"Invalid array: {name}", param: name);
    }

    public IReadOnlyDictionary<string, string>? Hash(string name)
    {
        if (!_root.TryGetValue(name, out var node)) return null;
        return node.Hash ?? throw StripeApiException.InvalidRequest($"Invalid hash: {name}", param: name);
    }

    /// <summary>created=… or created[gt|gte|lt|lte]=…, inclusive bounds in Unix seconds.</summary>
    public Store.CreatedRange Range(string name)
    {
        if (!_root.TryGetValue(name, out var node)) return Store.CreatedRange.All;
        if (node.Value is not null)
        {
            var exact = Integer(name)!.Value;
            return new Store.CreatedRange(exact, exact);
        }
        long from = long.MinValue, to = long.MaxValue;
        foreach (var (op, raw) in node.Hash ?? throw StripeApiException.InvalidRequest($"Invalid {name}", param: name))
        {
            if (!long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                throw StripeApiException.InvalidRequest($"Invalid integer: {raw}", "parameter_invalid_integer", $"{name}[{op}]");
            switch (op)
            {
                case "gt": from = Math.Max(from, value + 1); break;
                case "gte": from = Math.Max(from, value); break;
                case "lt": to = Math.Min(to, value - 1); break;
                case "lte": to = Math.Min(to, value); break;
                default: throw StripeApiException.UnknownParameter($"{name}[{op}]");
            }
        }
        return new Store.CreatedRange(from, to);
    }

    private void Add(string rawKey, string value)
    {
        var bracket = rawKey.IndexOf('[');
        var name = bracket < 0 ? rawKey : rawKey[..bracket];
        if (!_root.TryGetValue(name, out var node)) _root[name] = node = new Node();
        if (bracket < 0 || !rawKey.EndsWith(']'))
        {
            node.Value = value;
            return;
        }
        var inner = rawKey[(bracket + 1)..^1];
        if (inner.Length == 0 || int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            node.List ??= new SortedDictionary<int, string>();
            var index = inner.Length == 0 ? node.List.Count : int.Parse(inner, CultureInfo.InvariantCulture);
            node.List[index] = value;
        }
        else
        {
            node.Hash ??= new Dictionary<string, string>(StringComparer.Ordinal);
            node.Hash[inner] = value;
        }
    }
}
