using System.Text.Json;
using Upflow.StripeEmulator.Json;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Http;

internal static class StripeResponses
{
    public static IResult Json(Action<Utf8JsonWriter> write) =>
        Results.Bytes(JsonBytes.Render(write), "application/json");

    /// <summary>Renders under the account's read lock so a page is one consistent snapshot.</summary>
    public static IResult Read(StripeAccount account, Action<Utf8JsonWriter> write) =>
        Results.Bytes(account.Read(() => JsonBytes.Render(write)), "application/json");

    public static StripeAccount Account(this HttpContext context) =>
        (StripeAccount)context.Items[typeof(StripeAccount)]!;

    public static StripeParams Query(this HttpContext context) => StripeParams.From(context.Request.Query);

    public static async Task<StripeParams> Form(this HttpContext context) =>
        context.Request.HasFormContentType
            ? StripeParams.From(await context.Request.ReadFormAsync(context.RequestAborted))
            : StripeParams.From([]);

    /// <summary>A retrieve accepts only expand[]; anything else is Stripe's "unknown parameter".</summary>
    public static Expansion RetrieveExpansion(this HttpContext context, string objectType)
    {
        var p = context.Query();
        p.EnsureOnly("expand");
        var expand = p.List("expand");
        ExpansionSchema.Validate(objectType, expand);
        return new Expansion(expand);
    }
}
