namespace Upflow.Orleans.Sync;

/// <summary>An address to which a customer's dunning goes. One per address per customer (case-insensitive).</summary>
/// <param name="Source">stripe (the customer's email) | custom_field (a configured metadata key).</param>
/// <param name="Role">main | to | cc.</param>
[GenerateSerializer, Immutable, Alias("upflow.Contact")]
public sealed record Contact(
    [property: Id(0)] string Email,
    [property: Id(1)] string Source,
    [property: Id(2)] string Role)
{
    public static class Sources
    {
        public const string Stripe = "stripe";
        public const string CustomField = "custom_field";
    }

    public static class Roles
    {
        public const string Main = "main";
        public const string To = "to";
        public const string Cc = "cc";
    }
}
