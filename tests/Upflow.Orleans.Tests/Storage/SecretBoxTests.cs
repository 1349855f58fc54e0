using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Upflow.Orleans.Secrets;

namespace Upflow.Orleans.Tests.Storage;

public sealed class SecretBoxTests
{
    private const string SecretKey = "sk_test_51NsecretValueThatMustNeverLeak";
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static SecretBox Box(string? key = null) => SecretBox.FromConfiguration(
        new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [SecretBox.ConfigurationKey] = key ?? Key }).Build());

    [Fact]
    public void A_protected_secret_comes_back_for_its_organization()
    {
        var box = Box();

        Assert.Equal(SecretKey, box.Unprotect(box.Protect(SecretKey, "org_a"), "org_a"));
        Assert.Equal("", box.Unprotect(box.Protect("", "org_a"), "org_a"));
        Assert.Equal("whsec_ünïcødé", Box().Unprotect(box.Protect("whsec_ünïcødé", "org_a"), "org_a"));
    }

    [Fact]
    public void Ciphertext_never_contains_the_secret_and_differs_each_time()
    {
        var box = Box();

        var first = box.Protect(SecretKey, "org_a");
        var second = box.Protect(SecretKey, "org_a");

        Assert.StartsWith("v1.", first);
        Assert.DoesNotContain("sk_test", first);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(SecretKey))[..12], first);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public void A_ciphertext_copied_to_another_organization_does_not_decrypt()
    {
        var box = Box();

        var protectedKey = box.Protect(SecretKey, "org_a");

        Assert.ThrowsAny<CryptographicException>(() => box.Unprotect(protectedKey, "org_b"));
    }

    [Fact]
    public void Any_altered_character_is_detected()
    {
        var box = Box();
        var protectedKey = box.Protect(SecretKey, "org_a");

        for (var i = "v1.".Length; i < protectedKey.Length; i++)
        {
            var altered = protectedKey.ToCharArray();
            altered[i] = altered[i] == 'A' ? 'B' : 'A';
            Assert.ThrowsAny<Exception>(() => box.Unprotect(new string(altered), "org_a"));
        }

        Assert.ThrowsAny<CryptographicException>(() => box.Unprotect(protectedKey[..^4], "org_a"));
        Assert.ThrowsAny<CryptographicException>(() => box.Unprotect("v1.", "org_a"));
        Assert.ThrowsAny<CryptographicException>(() => box.Unprotect(SecretKey, "org_a"));
    }

    [Fact]
    public void A_secret_encrypted_under_another_key_says_so()
    {
        var protectedKey = Box(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))).Protect(SecretKey, "org_a");

        var error = Assert.ThrowsAny<CryptographicException>(() => Box().Unprotect(protectedKey, "org_a"));
        Assert.Contains("another key", error.Message);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not base64 at all!")]
    [InlineData("c2hvcnQ=")] // 5 bytes
    public void A_missing_or_invalid_key_is_a_clear_error_naming_the_setting(string? key)
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [SecretBox.ConfigurationKey] = key }).Build())
            .AddSecretBox()
            .BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => services.GetRequiredService<SecretBox>());
        Assert.Contains("Upflow:EncryptionKey", error.Message);
    }

    [Fact]
    public void The_key_is_read_from_configuration_when_the_box_is_first_needed()
    {
        var services = new ServiceCollection()
            .AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Upflow:EncryptionKey"] = Key }).Build())
            .AddSecretBox()
            .BuildServiceProvider();

        var box = services.GetRequiredService<SecretBox>();

        Assert.Equal(SecretKey, Box().Unprotect(box.Protect(SecretKey, "org_a"), "org_a"));
    }
}
