using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Upflow.Orleans.Organizations;

/// <summary>
/// Issues and verifies organization API keys (<c>upf_{keyId}_{secret}</c>). The key id locates the
/// row; the secret is checked against a salted PBKDF2 hash in constant time. Verified keys are
/// remembered by their SHA-256 so that only the first request of a key pays for PBKDF2.
/// </summary>
public sealed class ApiKeyStore(NpgsqlDataSource database)
{
    private const string Prefix = "upf_";
    private const string Alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
    private const int KeyIdLength = 12;
    private const int SecretLength = 40; // 200 bits
    private const int Iterations = 50_000;
    private static readonly HashAlgorithmName Algorithm = HashAlgorithmName.SHA256;

    private readonly ConcurrentDictionary<string, (string OrganizationId, byte[] Fingerprint)> _verified = new();

    public async Task<string> IssueAsync(string organizationId, CancellationToken cancellationToken = default)
    {
        var keyId = RandomNumberGenerator.GetString(Alphabet, KeyIdLength);
        var secret = RandomNumberGenerator.GetString(Alphabet, SecretLength);
        var salt = RandomNumberGenerator.GetBytes(16);
        await using var command = database.CreateCommand(
            "INSERT INTO upflow_api_keys (key_id, organization_id, salt, hash) VALUES ($1, $2, $3, $4)");
        command.Parameters.Add(new() { Value = keyId });
        command.Parameters.Add(new() { Value = organizationId });
        command.Parameters.Add(new() { Value = salt });
        command.Parameters.Add(new() { Value = Hash(secret, salt) });
        await command.ExecuteNonQueryAsync(cancellationToken);
        return $"{Prefix}{keyId}_{secret}";
    }

    /// <summary>The organization the key belongs to, or null for any key that is not ours.</summary>
    public async Task<string?> FindOrganizationAsync(string presentedKey, CancellationToken cancellationToken = default)
    {
        if (!TryParse(presentedKey, out var keyId, out var secret)) return null;

        var fingerprint = SHA256.HashData(Encoding.UTF8.GetBytes(presentedKey));
        if (_verified.TryGetValue(keyId, out var known))
            return CryptographicOperations.FixedTimeEquals(known.Fingerprint, fingerprint) ? known.OrganizationId : null;

        await using var command = database.CreateCommand(
            "SELECT organization_id, salt, hash FROM upflow_api_keys WHERE key_id = $1");
        command.Parameters.Add(new() { Value = keyId });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken)) return null;
        var organizationId = reader.GetString(0);
        var salt = reader.GetFieldValue<byte[]>(1);
        var expected = reader.GetFieldValue<byte[]>(2);
        if (!CryptographicOperations.FixedTimeEquals(Hash(secret, salt), expected)) return null;

        _verified[keyId] = (organizationId, fingerprint);
        return organizationId;
    }

    private static byte[] Hash(string secret, byte[] salt) =>
        Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(secret), salt, Iterations, Algorithm, 32);

    private static bool TryParse(string key, out string keyId, out string secret)
    {
        keyId = secret = "";
        if (key.Length != Prefix.Length + KeyIdLength + 1 + SecretLength
            || !key.StartsWith(Prefix, StringComparison.Ordinal)
            || key[Prefix.Length + KeyIdLength] != '_')
            return false;
        keyId = key.Substring(Prefix.Length, KeyIdLength);
        secret = key[(Prefix.Length + KeyIdLength + 1)..];
        return !keyId.AsSpan().ContainsAnyExcept(Alphabet) && !secret.AsSpan().ContainsAnyExcept(Alphabet);
    }
}
