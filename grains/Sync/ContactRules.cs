using System.Net.Mail;

namespace Upflow.Orleans.Sync;

/// <summary>The contacts derived from one customer, and how many configured addresses were invalid.</summary>
public sealed record ContactExtraction(IReadOnlyList<Contact> Contacts, int InvalidAddressesSkipped);

/// <summary>CONTRACT §3 "Contacts": the customer's email is main; configured metadata keys give to/cc.</summary>
public static class ContactRules
{
    private static readonly char[] Separators = [',', ';', ' ', '\t', '\r', '\n', '\f', '\v', '\u00a0'];

    /// <remarks>
    /// The customer's own email is taken as Stripe holds it (Stripe validated it on input) and is
    /// never counted as invalid. Metadata keys match exactly: Stripe metadata keys are case-sensitive.
    /// Where one address appears under several roles, main beats to beats cc, and the spelling kept
    /// is the winning occurrence's. Order: main, then to, then cc, each in settings-key then text order.
    /// </remarks>
    public static ContactExtraction Extract(
        string? email,
        IReadOnlyDictionary<string, string>? metadata,
        ContactFieldSettings settings)
    {
        var candidates = new List<Contact>();
        var invalid = 0;

        var main = email?.Trim();
        if (!string.IsNullOrEmpty(main))
        {
            candidates.Add(new Contact(main, Contact.Sources.Stripe, Contact.Roles.Main));
        }

        foreach (var (keys, role) in new[] { (settings.To, Contact.Roles.To), (settings.Cc, Contact.Roles.Cc) })
        {
            foreach (var key in keys)
            {
                if (metadata is null || !metadata.TryGetValue(key, out var text))
                {
                    continue;
                }

                foreach (var address in SplitAddresses(text))
                {
                    if (IsValidAddress(address))
                    {
                        candidates.Add(new Contact(address, Contact.Sources.CustomField, role));
                    }
                    else
                    {
                        invalid++;
                    }
                }
            }
        }

        // Candidates are already in role-precedence order, so the first occurrence of an address wins.
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var contacts = candidates.Where(c => seen.Add(c.Email)).ToList();
        return new ContactExtraction(contacts, invalid);
    }

    /// <summary>Addresses in a metadata value, separated by ',', ';' or whitespace; empty pieces ignored.</summary>
    public static IReadOnlyList<string> SplitAddresses(string? text) =>
        string.IsNullOrEmpty(text) ? [] : text.Split(Separators, StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// A bare addr-spec that System.Net.Mail parses to itself, whose domain has a dot and no empty
    /// label. "a@b" is refused: dunning mail goes over the Internet, where a dotless domain never
    /// delivers, and accepting it would hide a typo. Display-name forms ("Ann &lt;a@b.fr&gt;") are refused:
    /// the whitespace split has already broken them apart.
    /// </summary>
    public static bool IsValidAddress(string address)
    {
        if (!MailAddress.TryCreate(address, out var parsed)
            || !string.Equals(parsed.Address, address, StringComparison.Ordinal)
            || !string.IsNullOrEmpty(parsed.DisplayName))
        {
            return false;
        }

        var host = parsed.Host;
        return host.Contains('.')
            && !host.StartsWith('.')
            && !host.EndsWith('.')
            && !host.Contains("..", StringComparison.Ordinal)
            && !host.StartsWith('[');
    }
}
