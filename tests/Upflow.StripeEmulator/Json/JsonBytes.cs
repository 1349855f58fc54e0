using System.Buffers;
using System.Text.Json;

namespace Upflow.StripeEmulator.Json;

internal static class JsonBytes
{
    public static byte[] Render(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }
        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Error(string type, string message, string? code, string? param) => Render(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        if (code is not null) w.WriteString("code", code);
        w.WriteString("doc_url", $"https://stripe.com/docs/error-codes/{(code ?? type).Replace('_', '-')}");
        w.WriteString("message", message);
        if (param is not null) w.WriteString("param", param);
        w.WriteString("type", type);
        w.WriteEndObject();
        w.WriteEndObject();
    });
}
