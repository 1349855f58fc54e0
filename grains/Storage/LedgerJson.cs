using System.Text.Json;
using System.Text.Json.Serialization;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Storage;

/// <summary>
/// How read-model records become the <c>document</c> jsonb column and back. A record must come back
/// equal to what was saved: the grains reload their state from it.
/// </summary>
internal static class LedgerJson
{
    public static JsonSerializerOptions Options { get; } = Create();

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static T Deserialize<T>(string json) =>
        JsonSerializer.Deserialize<T>(json, Options)
        ?? throw new JsonException($"A read-model document deserialized to null as {typeof(T).Name}.");

    private static JsonSerializerOptions Create()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            DictionaryKeyPolicy = null, // metadata keys and custom field names are data, spelled as the user typed them
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new CustomFieldValueConverter());
        options.Converters.Add(new CustomFieldsConverter());
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }

    /// <summary>
    /// A custom field's value as the API shows it: a string, a boolean, a list of strings or null.
    /// The JSON token says which kind it is, so every kind comes back as itself.
    /// </summary>
    private sealed class CustomFieldValueConverter : JsonConverter<CustomFieldValue>
    {
        public override bool HandleNull => true;

        public override CustomFieldValue Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.Null:
                    return CustomFieldValue.Null;
                case JsonTokenType.String:
                    return CustomFieldValue.Of(reader.GetString());
                case JsonTokenType.True:
                case JsonTokenType.False:
                    return CustomFieldValue.Of(reader.GetBoolean());
                case JsonTokenType.StartArray:
                    var values = new List<string>();
                    while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                    {
                        values.Add(reader.GetString() ?? throw new JsonException("A custom field list holds strings only."));
                    }

                    return CustomFieldValue.Of(values);
                default:
                    throw new JsonException($"A custom field value cannot be a JSON {reader.TokenType}.");
            }
        }

        public override void Write(Utf8JsonWriter writer, CustomFieldValue value, JsonSerializerOptions options)
        {
            switch (value?.Kind ?? CustomFieldKind.Null)
            {
                case CustomFieldKind.String:
                    writer.WriteStringValue(value!.String);
                    break;
                case CustomFieldKind.Boolean:
                    writer.WriteBooleanValue(value!.Boolean);
                    break;
                case CustomFieldKind.StringList:
                    writer.WriteStartArray();
                    foreach (var s in value!.Strings)
                    {
                        writer.WriteStringValue(s);
                    }

                    writer.WriteEndArray();
                    break;
                default:
                    writer.WriteNullValue();
                    break;
            }
        }
    }

    /// <summary>
    /// Custom fields are in display order (the settings' order), and jsonb sorts object keys, so
    /// they are stored as an array of <c>[name, value]</c> pairs to come back in the order saved.
    /// </summary>
    private sealed class CustomFieldsConverter : JsonConverter<IReadOnlyDictionary<string, CustomFieldValue>>
    {
        public override IReadOnlyDictionary<string, CustomFieldValue> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new JsonException("Custom fields are stored as an array of [name, value] pairs.");
            }

            var valueConverter = (JsonConverter<CustomFieldValue>)options.GetConverter(typeof(CustomFieldValue));
            var fields = new Dictionary<string, CustomFieldValue>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartArray || !reader.Read() || reader.TokenType != JsonTokenType.String)
                {
                    throw new JsonException("A custom field is stored as a [name, value] pair.");
                }

                var name = reader.GetString()!;
                reader.Read();
                fields[name] = valueConverter.Read(ref reader, typeof(CustomFieldValue), options) ?? CustomFieldValue.Null;
                if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray)
                {
                    throw new JsonException("A custom field is stored as a [name, value] pair.");
                }
            }

            return fields;
        }

        public override void Write(Utf8JsonWriter writer, IReadOnlyDictionary<string, CustomFieldValue> value, JsonSerializerOptions options)
        {
            var valueConverter = (JsonConverter<CustomFieldValue>)options.GetConverter(typeof(CustomFieldValue));
            writer.WriteStartArray();
            foreach (var (name, field) in value)
            {
                writer.WriteStartArray();
                writer.WriteStringValue(name);
                valueConverter.Write(writer, field, options);
                writer.WriteEndArray();
            }

            writer.WriteEndArray();
        }
    }
}
