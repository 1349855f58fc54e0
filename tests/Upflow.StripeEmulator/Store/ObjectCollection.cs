using Upflow.StripeEmulator.Domain;

namespace Upflow.StripeEmulator.Store;

/// <summary>
/// One kind of Stripe object for one account: by id, in list order, and optionally partitioned by a
/// parent id (invoices by customer, invoice payments by invoice) so filtered lists stay cheap.
/// </summary>
internal sealed class ObjectCollection<T>(Func<T, string?>? partitionKey = null) where T : StripeObject
{
    private readonly Dictionary<string, T> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedIndex<T>> _partitions = new(StringComparer.Ordinal);

    public SortedIndex<T> Listed { get; } = new();
    public int Count => _byId.Count;
    public IEnumerable<T> All => _byId.Values;

    public T? Find(string id) => _byId.GetValueOrDefault(id);

    public void Add(T item)
    {
        _byId.Add(item.Id, item);
        Listed.Add(item);
        if (partitionKey?.Invoke(item) is { } key) Partition(key).Add(item);
    }

    public void AddRange(IReadOnlyCollection<T> items)
    {
        foreach (var item in items) _byId.Add(item.Id, item);
        Listed.AddRange(items);
        if (partitionKey is null) return;
        foreach (var group in items.Where(i => partitionKey(i) is not null).GroupBy(i => partitionKey(i)!))
            Partition(group.Key).AddRange(group);
    }

    /// <summary>Removes from lists only: Stripe still answers a retrieve of a deleted customer.</summary>
    public void Unlist(T item)
    {
        Listed.Remove(item);
        if (partitionKey?.Invoke(item) is { } key && _partitions.TryGetValue(key, out var partition)) partition.Remove(item);
    }

    public SortedIndex<T> PartitionOrEmpty(string key) => _partitions.GetValueOrDefault(key) ?? Empty;

    private SortedIndex<T> Partition(string key)
    {
        if (!_partitions.TryGetValue(key, out var partition)) _partitions[key] = partition = new SortedIndex<T>();
        return partition;
    }

    private static readonly SortedIndex<T> Empty = new();
}
