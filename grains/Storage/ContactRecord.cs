using System.Security.Cryptography;
using System.Text;

namespace Upflow.Orleans.Storage;

/// <summary>A row of <c>GET /v1/contacts</c>: one address of one customer.</summary>
/// <param name="Source">stripe | custom_field.</param>
/// <param name="Role">main | to | cc.</param>
public sealed record ContactRecord(
    string OrganizationId,
    string Id,
    string CustomerId,
    string Email,
    string Source,
    string Role)
{
    /// <summary>
    /// A contact's id is derived from its customer and its address, case-insensitively (the way
    /// ContactRules merges duplicates), so it stays the same across re-syncs and settings changes
    /// and never reveals the address: <c>cont_</c> + 24 hex digits of SHA-256.
    /// </summary>
    public static string IdFor(string customerId, string email)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(customerId + "\n" + email.ToUpperInvariant()), hash);
        return "cont_" + Convert.ToHexStringLower(hash[..12]);
    }
}
