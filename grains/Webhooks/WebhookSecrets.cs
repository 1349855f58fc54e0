using System.Collections.Concurrent;
using Upflow.Orleans.Accounts;
using Upflow.Orleans.Secrets;

namespace Upflow.Orleans.Webhooks;

/// <summary>
/// The webhook signing secret of each organization, decrypted, kept in memory per silo so that a
/// webhook costs no grain call. The account grain hands out only the ciphertext (it is what crosses
/// silos); the secret box decrypts it here, bound to the organization id.
/// </summary>
/// <remarks>
/// A reconnect or disconnect drops the entry on the silo the account grain runs on at once; other
/// silos see it within <see cref="MaxAge"/>, or sooner for a new secret, since a signature that fails
/// with a cached secret re-reads it (at most once per <see cref="RefreshFloor"/>, so bad requests
/// cannot turn into a grain call each). "Not connected" is cached too, briefly.
/// </remarks>
public sealed class WebhookSecrets(IGrainFactory grains, SecretBox box, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan NotConnectedMaxAge = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan RefreshFloor = TimeSpan.FromSeconds(1);
    private const int MaxEntries = 100_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>The secret, or null when the organization does not exist or is not connected.</summary>
    public async ValueTask<string?> GetAsync(string organizationId)
    {
        if (_entries.TryGetValue(organizationId, out var entry) && !IsExpired(entry))
            return entry.Secret;
        return (await LoadAsync(organizationId)).Secret;
    }

    /// <summary>After a signature failed with the cached secret: re-read it, unless it was read moments ago.</summary>
    public async ValueTask<string?> RefreshAsync(string organizationId)
    {
        if (_entries.TryGetValue(organizationId, out var entry) && clock.GetUtcNow() - entry.LoadedAt < RefreshFloor)
            return null;
        return (await LoadAsync(organizationId)).Secret;
    }

    public void Invalidate(string organizationId) => _entries.TryRemove(organizationId, out _);

    private bool IsExpired(Entry entry) =>
        clock.GetUtcNow() - entry.LoadedAt > (entry.Secret is null ? NotConnectedMaxAge : MaxAge);

    private async Task<Entry> LoadAsync(string organizationId)
    {
        var cipher = await grains.GetGrain<IStripeAccountGrain>(organizationId).GetWebhookSecretCipher();
        var entry = new Entry(cipher is null ? null : box.Unprotect(cipher, organizationId), clock.GetUtcNow());
        if (_entries.Count >= MaxEntries) _entries.Clear();
        _entries[organizationId] = entry;
        return entry;
    }

    private sealed record Entry(string? Secret, DateTimeOffset LoadedAt);
}
