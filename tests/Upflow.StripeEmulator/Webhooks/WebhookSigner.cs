using System.Security.Cryptography;
using System.Text;

namespace Upflow.StripeEmulator.Webhooks;

/// <summary>Stripe-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256(secret, "t.payload")&gt;.</summary>
public static class WebhookSigner
{
    public static string Sign(string payload, string secret, long timestamp)
    {
        var signed = Encoding.UTF8.GetBytes($"{timestamp}.{payload}");
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed);
        return $"t={timestamp},v1={Convert.ToHexStringLower(mac)}";
    }
}
