using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;

namespace Upflow.Orleans.Secrets;

/// <summary>
/// Encrypts Stripe secrets at rest with AES-256-GCM under <c>Upflow:EncryptionKey</c>. The
/// organization id is the associated data, so a ciphertext copied into another tenant's row does
/// not decrypt there.
/// </summary>
/// <remarks>
/// Format: <c>v1.</c> + base64url(key id (4) ‖ nonce (12) ‖ tag (16) ‖ ciphertext). The key id (the
/// first bytes of SHA-256 of the key) tells "encrypted under another key" apart from tampering, and
/// the version leaves room for key rotation. The nonce is random per call: 96 random bits are safe
/// far beyond the number of secrets one deployment will ever encrypt under one key.
/// </remarks>
public sealed class SecretBox
{
    public const string ConfigurationKey = "Upflow:EncryptionKey";
    private const string Version = "v1.";
    private const int KeyIdSize = 4;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const int HeaderSize = KeyIdSize + NonceSize + TagSize;

    private readonly byte[] _key;
    private readonly byte[] _keyId;

    /// <param name="key">256 bits.</param>
    public SecretBox(byte[] key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.Length != 32)
        {
            throw new ArgumentException($"The encryption key must be 256 bits (32 bytes); this one is {key.Length} bytes.", nameof(key));
        }

        _key = [.. key];
        _keyId = SHA256.HashData(_key)[..KeyIdSize];
    }

    /// <summary>Reads <c>Upflow:EncryptionKey</c> (base64 of 32 bytes).</summary>
    /// <exception cref="InvalidOperationException">Missing or not a base64 256-bit key; the message says how to make one, never the value.</exception>
    public static SecretBox FromConfiguration(IConfiguration configuration)
    {
        var encoded = configuration[ConfigurationKey];
        if (string.IsNullOrWhiteSpace(encoded))
        {
            throw new InvalidOperationException(
                $"{ConfigurationKey} is not set. Stripe secrets are stored encrypted: set it to 32 random bytes in base64 " +
                "(e.g. `openssl rand -base64 32`), the same on every silo (environment variable Upflow__EncryptionKey).");
        }

        byte[] key;
        try
        {
            key = Convert.FromBase64String(encoded.Trim());
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{ConfigurationKey} is not valid base64; it must be 32 random bytes in base64 (e.g. `openssl rand -base64 32`).");
        }

        if (key.Length != 32)
        {
            throw new InvalidOperationException($"{ConfigurationKey} decodes to {key.Length} bytes; it must be 32 (a 256-bit key, e.g. `openssl rand -base64 32`).");
        }

        return new SecretBox(key);
    }

    /// <param name="associatedData">The organization id the secret belongs to.</param>
    public string Protect(string plaintext, string associatedData)
    {
        ArgumentNullException.ThrowIfNull(plaintext);
        ArgumentNullException.ThrowIfNull(associatedData);
        var clear = Encoding.UTF8.GetBytes(plaintext);
        var sealedBytes = new byte[HeaderSize + clear.Length];
        var span = sealedBytes.AsSpan();
        _keyId.CopyTo(span[..KeyIdSize]);
        var nonce = span.Slice(KeyIdSize, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using (var aes = new AesGcm(_key, TagSize))
        {
            aes.Encrypt(nonce, clear, span[HeaderSize..], span.Slice(KeyIdSize + NonceSize, TagSize), AssociatedData(associatedData));
        }

        CryptographicOperations.ZeroMemory(clear);
        return Version + Base64Url.EncodeToString(sealedBytes);
    }

    /// <exception cref="CryptographicException">
    /// Not a ciphertext of ours, encrypted under another key, for another organization, or altered.
    /// </exception>
    public string Unprotect(string ciphertext, string associatedData)
    {
        ArgumentNullException.ThrowIfNull(ciphertext);
        ArgumentNullException.ThrowIfNull(associatedData);
        if (!ciphertext.StartsWith(Version, StringComparison.Ordinal))
        {
            throw new CryptographicException("Not a secret protected by this version of SecretBox.");
        }

        byte[] sealedBytes;
        try
        {
            sealedBytes = Base64Url.DecodeFromChars(ciphertext.AsSpan(Version.Length));
        }
        catch (FormatException)
        {
            throw new CryptographicException("The protected secret is not valid base64url.");
        }

        if (sealedBytes.Length < HeaderSize)
        {
            throw new CryptographicException("The protected secret is truncated.");
        }

        var span = sealedBytes.AsSpan();
        if (!CryptographicOperations.FixedTimeEquals(span[..KeyIdSize], _keyId))
        {
            throw new CryptographicException($"The secret was encrypted under another key than the current {ConfigurationKey}.");
        }

        var clear = new byte[sealedBytes.Length - HeaderSize];
        try
        {
            using var aes = new AesGcm(_key, TagSize);
            aes.Decrypt(span.Slice(KeyIdSize, NonceSize), span[HeaderSize..], span.Slice(KeyIdSize + NonceSize, TagSize), clear, AssociatedData(associatedData));
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new CryptographicException("The secret does not belong to this organization or was altered.");
        }

        try
        {
            return Encoding.UTF8.GetString(clear);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(clear);
        }
    }

    // Domain-separated, so the same key could never be confused with another use of it.
    private static byte[] AssociatedData(string organizationId) => Encoding.UTF8.GetBytes("upflow.secret.v1/" + organizationId);
}
