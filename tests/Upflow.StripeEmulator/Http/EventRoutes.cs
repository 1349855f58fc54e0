using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Json;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Http;

internal static class EventRoutes
{
    public static void MapEvents(this IEndpointRouteBuilder v1)
    {
        v1.MapGet("/events", (HttpContext http, TimeProvider clock) =>
        {
            var a = http.Account();
            var p = http.Query();
            var list = ListParameters.Parse(p, "event", "type", "types", "delivery_success");
            var type = p.String("type");
            var types = p.List("types");
            if (type is not null && types.Count > 0)
                throw StripeApiException.InvalidRequest("You may only specify one of these parameters: type, types.");
            var typeFilter = TypeFilter(type, types);
            // Events older than the retention window are gone, whatever created[] asks for.
            var retained = RetainedSince(clock);
            var created = list.Created with { From = Math.Max(list.Created.From, retained) };
            return StripeResponses.Read(a, w =>
            {
                var query = list.Query(a.Events, "event", typeFilter) with { Created = created };
                ListJson.Write(w, ListPaging.Page(a.Events.Listed, query), "/v1/events", Expansion.None, (e, _) => EventJson.Write(w, e));
            });
        });

        v1.MapGet("/events/{id}", (HttpContext http, string id, TimeProvider clock) =>
        {
            var a = http.Account();
            http.RetrieveExpansion("event");
            var retained = RetainedSince(clock);
            return StripeResponses.Read(a, w =>
            {
                var ev = a.Events.Find(id);
                if (ev is null || ev.Created < retained) throw StripeApiException.NoSuch("event", id);
                EventJson.Write(w, ev);
            });
        });
    }

    private static long RetainedSince(TimeProvider clock) => (clock.GetUtcNow() - StripeApi.EventRetention).ToUnixTimeSeconds();

    /// <summary>type and types[] accept a trailing "*" wildcard, as in "invoice.*".</summary>
    private static Func<StripeEvent, bool>? TypeFilter(string? type, IReadOnlyList<string> types)
    {
        var patterns = type is not null ? [type] : types;
        if (patterns.Count == 0) return null;
        return ev => patterns.Any(pattern => pattern.EndsWith('*')
            ? ev.Type.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : ev.Type == pattern);
    }
}
