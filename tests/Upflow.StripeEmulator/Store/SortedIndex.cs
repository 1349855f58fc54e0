using Upflow.StripeEmulator.Domain;

namespace Upflow.StripeEmulator.Store;

/// <summary>
/// Objects kept in ascending (created, sequence) order so a list page is a binary search plus a walk
/// of limit+1 entries, never a sort. New objects are created "now" and land at the end (O(1));
/// back-dated inserts pay a memmove, which only the generator and control API do.
/// Not thread-safe: the owning account's lock guards it.
/// </summary>
internal sealed class SortedIndex<T> where T : StripeObject
{
    private readonly List<T> _items = [];

    public int Count => _items.Count;
    public T this[int position] => _items[position];

    public void Add(T item)
    {
        if (_items.Count == 0 || Compare(_items[^1], item) < 0)
        {
            _items.Add(item);
            return;
        }
        _items.Insert(~PositionOf(item.Created, item.Sequence), item);
    }

    /// <summary>Bulk load for the generator: append unsorted, then one sort.</summary>
    public void AddRange(IEnumerable<T> items)
    {
        _items.AddRange(items);
        _items.Sort(Compare);
    }

    public bool Remove(T item)
    {
        var position = PositionOf(item.Created, item.Sequence);
        if (position < 0) return false;
        _items.RemoveAt(position);
        return true;
    }

    /// <summary>Position of the object if present, else the bitwise complement of where it would go.</summary>
    public int PositionOf(T item) => PositionOf(item.Created, item.Sequence);

    /// <summary>First position whose created is &gt;= the given second.</summary>
    public int FirstCreatedAtOrAfter(long created)
    {
        var position = PositionOf(created, long.MinValue);
        return position < 0 ? ~position : position;
    }

    private int PositionOf(long created, long sequence)
    {
        int lo = 0, hi = _items.Count - 1;
        while (lo <= hi)
        {
            var mid = lo + ((hi - lo) >> 1);
            var item = _items[mid];
            var cmp = item.Created != created ? item.Created.CompareTo(created) : item.Sequence.CompareTo(sequence);
            if (cmp == 0) return mid;
            if (cmp < 0) lo = mid + 1; else hi = mid - 1;
        }
        return ~lo;
    }

    private static int Compare(T a, T b) =>
        a.Created != b.Created ? a.Created.CompareTo(b.Created) : a.Sequence.CompareTo(b.Sequence);
}
