using System.Text.Json;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Json;

internal static class ListJson
{
    public static void Write<T>(Utf8JsonWriter w, ListPage<T> page, string url, Expansion itemExpansion, Action<T, Expansion> writeItem)
        where T : Domain.StripeObject
    {
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var item in page.Data) writeItem(item, itemExpansion);
        w.WriteEndArray();
        w.WriteBoolean("has_more", page.HasMore);
        w.WriteString("url", url);
        w.WriteEndObject();
    }
}
