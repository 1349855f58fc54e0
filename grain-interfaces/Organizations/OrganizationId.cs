using System.Security.Cryptography;

namespace Upflow.Orleans.Organizations;

/// <summary>Organization ids look like Stripe's: a prefix and random base-32 characters.</summary>
public static class OrganizationId
{
    private const string Prefix = "org_";
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    private const int RandomLength = 20;

    public static string New() => Prefix + RandomNumberGenerator.GetString(Alphabet, RandomLength);

    /// <summary>Shape check only, so that malformed ids are rejected before reaching a grain.</summary>
    public static bool IsWellFormed(string? value) =>
        value is not null
        && value.Length == Prefix.Length + RandomLength
        && value.StartsWith(Prefix, StringComparison.Ordinal)
        && value.AsSpan(Prefix.Length).ContainsAnyExcept(Alphabet) is false;
}
