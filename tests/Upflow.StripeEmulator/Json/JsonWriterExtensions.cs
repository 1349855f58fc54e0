using System.Text.Json;

namespace Upflow.StripeEmulator.Json;

/// <summary>Stripe writes absent values as explicit nulls; these keep the writers one line per field.</summary>
internal static class JsonWriterExtensions
{
    public static void WriteNullableString(this Utf8JsonWriter w, string name, string? value)
    {
        if (value is null) w.WriteNull(name); else w.WriteString(name, value);
    }

    public static void WriteNullableNumber(this Utf8JsonWriter w, string name, long? value)
    {
        if (value is null) w.WriteNull(name); else w.WriteNumber(name, value.Value);
    }

    public static void WriteMetadata(this Utf8JsonWriter w, IReadOnlyDictionary<string, string> metadata)
    {
        w.WriteStartObject("metadata");
        foreach (var (key, value) in metadata) w.WriteString(key, value);
        w.WriteEndObject();
    }

    public static void WriteEmptyArray(this Utf8JsonWriter w, string name)
    {
        w.WriteStartArray(name);
        w.WriteEndArray();
    }

    public static void WriteEmptyList(this Utf8JsonWriter w, string name, string url)
    {
        w.WriteStartObject(name);
        w.WriteString("object", "list");
        w.WriteEmptyArray("data");
        w.WriteBoolean("has_more", false);
        w.WriteNumber("total_count", 0);
        w.WriteString("url", url);
        w.WriteEndObject();
    }

    /// <summary>An expandable field: the id, or the object when the client asked for it.</summary>
    public static void WriteExpandable(this Utf8JsonWriter w, string name, string? id, Expansion expansion, Action<string, Expansion> writeObject)
    {
        if (id is null) { w.WriteNull(name); return; }
        if (!expansion.Has(name)) { w.WriteString(name, id); return; }
        w.WritePropertyName(name);
        writeObject(id, expansion.Child(name));
    }
}
