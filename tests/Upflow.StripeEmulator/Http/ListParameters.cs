using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Json;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Http;

/// <summary>The parameters every Stripe list endpoint shares.</summary>
internal sealed record ListParameters(int Limit, string? StartingAfter, string? EndingBefore, CreatedRange Created, Expansion Expansion)
{
    public static readonly string[] Common = ["limit", "starting_after", "ending_before", "expand", "created"];

    public static ListParameters Parse(StripeParams p, string itemType, params string[] filters)
    {
        p.EnsureOnly([.. Common, .. filters]);
        var limit = p.Integer("limit") ?? 10;
        if (limit < 1) throw StripeApiException.InvalidRequest("This value must be greater than or equal to 1.", "parameter_invalid_integer", "limit");
        if (limit > 100) throw StripeApiException.InvalidRequest("This value must be less than or equal to 100.", "parameter_invalid_integer", "limit");
        var startingAfter = p.String("starting_after");
        var endingBefore = p.String("ending_before");
        if (startingAfter is not null && endingBefore is not null)
            throw StripeApiException.InvalidRequest("You may only specify one of these parameters: ending_before, starting_after.");
        var expand = p.List("expand");
        ExpansionSchema.Validate(ExpansionSchema.List(itemType), expand);
        return new ListParameters((int)limit, startingAfter, endingBefore, p.Range("created"), new Expansion(expand));
    }

    /// <summary>Resolves the cursors; Stripe answers an unknown cursor id with resource_missing.</summary>
    public ListQuery<T> Query<T>(ObjectCollection<T> collection, string noun, Func<T, bool>? filter = null) where T : StripeObject =>
        new(Limit, Cursor(collection, noun, StartingAfter, "starting_after"), Cursor(collection, noun, EndingBefore, "ending_before"), Created, filter);

    private static T? Cursor<T>(ObjectCollection<T> collection, string noun, string? id, string param) where T : StripeObject =>
        id is null ? null : collection.Find(id) ?? throw StripeApiException.NoSuch(noun, id, param, System.Net.HttpStatusCode.BadRequest);
}
