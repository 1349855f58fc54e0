namespace Upflow.Orleans.Ledger;

/// <summary>
/// The key of a ledger grain (customer, invoice, payment): <c>{organizationId}/{objectId}</c>.
/// Built and parsed only here, so that every grain of an organization starts with its id.
/// </summary>
public readonly record struct LedgerKey(string OrganizationId, string ObjectId)
{
    private const char Separator = '/';

    public override string ToString() => $"{OrganizationId}{Separator}{ObjectId}";

    public static LedgerKey Parse(string key)
    {
        var separator = key.IndexOf(Separator);
        if (separator <= 0 || separator == key.Length - 1)
            throw new FormatException($"'{key}' is not an organization/object key.");
        return new LedgerKey(key[..separator], key[(separator + 1)..]);
    }
}
