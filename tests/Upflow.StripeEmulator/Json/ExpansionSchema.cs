using Upflow.StripeEmulator.Http;

namespace Upflow.StripeEmulator.Json;

/// <summary>
/// What each object lets a client expand, as in Stripe's API reference for this API version
/// (sources, subscriptions, tax and invoice payments are "includable": absent unless expanded).
/// Stripe rejects any other path and more than four levels of expansion.
/// </summary>
internal static class ExpansionSchema
{
    private const int MaxDepth = 4;
    private const string ListOf = "list:";

    private static readonly Dictionary<string, Dictionary<string, string?>> Expandable = new()
    {
        ["customer"] = new()
        {
            ["tax"] = null,
            ["sources"] = ListOf + "card",
            ["subscriptions"] = ListOf + "subscription",
            ["invoice_settings.default_payment_method"] = "payment_method",
            ["discount.source.coupon"] = null,
        },
        ["invoice"] = new()
        {
            ["customer"] = "customer",
            ["payments"] = ListOf + "invoice_payment",
            ["default_payment_method"] = "payment_method",
        },
        ["invoice_payment"] = new()
        {
            ["invoice"] = "invoice",
            ["payment.payment_intent"] = "payment_intent",
            ["payment.charge"] = "charge",
        },
        ["payment_intent"] = new()
        {
            ["customer"] = "customer",
            ["payment_method"] = "payment_method",
            ["latest_charge"] = "charge",
        },
        ["charge"] = new() { ["customer"] = "customer", ["payment_intent"] = "payment_intent" },
        ["payment_method"] = new() { ["customer"] = "customer" },
        ["account"] = new(),
        ["event"] = new(),
        ["card"] = new(),
        ["subscription"] = new(),
    };

    public static string List(string itemType) => ListOf + itemType;

    public static void Validate(string rootType, IEnumerable<string> paths)
    {
        foreach (var path in paths)
        {
            if (!IsExpandable(rootType, path.Split('.'), 0, out var depth))
                throw StripeApiException.InvalidRequest($"This property cannot be expanded ({path}).", param: "expand");
            if (depth > MaxDepth)
                throw StripeApiException.InvalidRequest(
                    $"You cannot expand more than {MaxDepth} levels of a property. Property: {path}", param: "expand");
        }
    }

    private static bool IsExpandable(string type, ReadOnlySpan<string> segments, int depth, out int reached)
    {
        reached = depth;
        if (segments.IsEmpty) return true;
        if (type.StartsWith(ListOf, StringComparison.Ordinal))
            return segments[0] == "data" && IsExpandable(type[ListOf.Length..], segments[1..], depth, out reached);
        foreach (var (field, target) in Expandable[type])
        {
            var fieldSegments = field.Split('.');
            if (fieldSegments.Length > segments.Length || !segments[..fieldSegments.Length].SequenceEqual(fieldSegments)) continue;
            var rest = segments[fieldSegments.Length..];
            if (target is null) { reached = depth + 1; return rest.IsEmpty; }
            return IsExpandable(target, rest, depth + 1, out reached);
        }
        return false;
    }
}
