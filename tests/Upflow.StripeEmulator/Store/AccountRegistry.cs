using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Upflow.StripeEmulator.Store;

/// <summary>The emulated accounts, found by id (control API) or by secret key (Stripe API auth).</summary>
internal sealed class AccountRegistry(TimeProvider clock)
{
    private readonly ConcurrentDictionary<string, StripeAccount> _byId = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StripeAccount> _byKey = new(StringComparer.Ordinal);
    private int _count;

    public IReadOnlyCollection<StripeAccount> All => _byId.Values.OrderBy(a => a.Created).ThenBy(a => a.Id).ToList();

    /// <summary>With a seed the account id, keys and all ids it hands out are the same on every run.</summary>
    public StripeAccount Create(int? seed, string? email = null, string? businessName = null, string timezone = "Europe/Paris")
    {
        var number = Interlocked.Increment(ref _count);
        // HashCode and string.GetHashCode are randomised per process, so seeds are combined by hand.
        var random = seed is { } s ? new Random(unchecked(s * 7919 + number)) : new Random();
        var tag = Tag(random, 10);
        var id = "acct_1" + tag + Tag(random, 5);
        var account = new StripeAccount(id, $"sk_test_{tag}{number:D4}emulator", email ?? $"billing+{number}@example.com",
            businessName ?? $"Emulated Business {number}", timezone, clock.GetUtcNow().ToUnixTimeSeconds(), tag);
        _byId[account.Id] = account;
        _byKey[account.SecretKey] = account;
        return account;
    }

    public StripeAccount? Find(string id) => _byId.GetValueOrDefault(id);
    public StripeAccount? FindBySecretKey(string key) => _byKey.GetValueOrDefault(key);

    public StripeAccount Get(string id) => Find(id) ?? throw new KeyNotFoundException($"No emulated account '{id}'.");

    private static string Tag(Random random, int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(length, random, (span, r) => { for (var i = 0; i < span.Length; i++) span[i] = alphabet[r.Next(alphabet.Length)]; });
    }
}
