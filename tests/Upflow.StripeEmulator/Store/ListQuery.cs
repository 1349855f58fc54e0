using Upflow.StripeEmulator.Domain;

namespace Upflow.StripeEmulator.Store;

/// <summary>Bounds of a created[gt|gte|lt|lte] filter, in Unix seconds, inclusive.</summary>
public readonly record struct CreatedRange(long From, long To)
{
    public static readonly CreatedRange All = new(long.MinValue, long.MaxValue);
    public bool Contains(long created) => created >= From && created <= To;
}

internal sealed record ListQuery<T>(int Limit, T? StartingAfter, T? EndingBefore, CreatedRange Created, Func<T, bool>? Filter)
    where T : StripeObject;

internal sealed record ListPage<T>(IReadOnlyList<T> Data, bool HasMore);

internal static class ListPaging
{
    /// <summary>
    /// Stripe's list order: newest first. starting_after walks older from the cursor, ending_before
    /// takes the objects just newer than the cursor, still returned newest first. Objects inserted
    /// while a client pages are newer than any cursor it holds, so they never shift its pages.
    /// </summary>
    public static ListPage<T> Page<T>(SortedIndex<T> index, ListQuery<T> query) where T : StripeObject
    {
        var lo = query.Created.From == long.MinValue ? 0 : index.FirstCreatedAtOrAfter(query.Created.From);
        var hi = query.Created.To == long.MaxValue ? index.Count : index.FirstCreatedAtOrAfter(query.Created.To + 1);
        if (query.StartingAfter is { } after)
        {
            var position = index.PositionOf(after);
            hi = Math.Min(hi, position < 0 ? ~position : position);
        }
        if (query.EndingBefore is { } before)
        {
            // A cursor no longer listed (a deleted customer) still marks its place in the order.
            var position = index.PositionOf(before);
            lo = Math.Max(lo, position < 0 ? ~position : position + 1);
        }

        var page = new List<T>(Math.Min(query.Limit + 1, 101));
        if (query.EndingBefore is not null)
        {
            for (var i = lo; i < hi && page.Count <= query.Limit; i++)
                if (query.Filter?.Invoke(index[i]) ?? true) page.Add(index[i]);
            var hasMoreNewer = page.Count > query.Limit;
            if (hasMoreNewer) page.RemoveAt(page.Count - 1);
            page.Reverse();
            return new ListPage<T>(page, hasMoreNewer);
        }
        for (var i = hi - 1; i >= lo && page.Count <= query.Limit; i--)
            if (query.Filter?.Invoke(index[i]) ?? true) page.Add(index[i]);
        var hasMore = page.Count > query.Limit;
        if (hasMore) page.RemoveAt(page.Count - 1);
        return new ListPage<T>(page, hasMore);
    }
}
