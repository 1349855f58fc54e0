using System.Buffers;
using System.Text.Json;

namespace Upflow.StripeEmulator.Json;

internal static class JsonBytes
{
    private const int KeptBufferBytes = 4 * 1024 * 1024;

    /// <summary>
    /// One buffer per thread, kept between renders: a list page is a few hundred KB, and a fresh
    /// buffer doubled its way there, copying the page several times (an eighth of the emulator's
    /// time under bench load).
    /// </summary>
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;

    public static byte[] Render(Action<Utf8JsonWriter> write)
    {
        var buffer = t_buffer ?? new ArrayBufferWriter<byte>(64 * 1024);
        t_buffer = null;
        buffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(writer);
        }
        var rendered = buffer.WrittenSpan.ToArray();
        if (buffer.Capacity <= KeptBufferBytes) t_buffer = buffer;
        return rendered;
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
