using System.Text.Json;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Json;

internal static class AccountJson
{
    public static void Write(Utf8JsonWriter w, StripeAccount a)
    {
        w.WriteStartObject();
        w.WriteString("id", a.Id);
        w.WriteString("object", "account");
        w.WriteStartObject("business_profile");
        w.WriteNull("mcc");
        w.WriteString("name", a.BusinessName);
        w.WriteString("support_email", a.Email);
        w.WriteNull("url");
        w.WriteEndObject();
        w.WriteString("business_type", "company");
        w.WriteBoolean("charges_enabled", true);
        w.WriteString("country", a.Country);
        w.WriteNumber("created", a.Created);
        w.WriteString("default_currency", a.DefaultCurrency);
        w.WriteBoolean("details_submitted", true);
        w.WriteString("email", a.Email);
        w.WriteMetadata(new Dictionary<string, string>());
        w.WriteBoolean("payouts_enabled", true);
        w.WriteStartObject("settings");
        w.WriteStartObject("dashboard");
        w.WriteString("display_name", a.BusinessName);
        w.WriteString("timezone", a.Timezone);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteString("type", "standard");
        w.WriteEndObject();
    }
}
