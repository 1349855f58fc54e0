using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Organizations;

/// <summary>The latest settings change of an organization and how far applying it has gone.</summary>
[GenerateSerializer, Alias("upflow.RederivationState")]
public sealed class RederivationState
{
    /// <summary>The settings being (or last) applied; null before the first change.</summary>
    [Id(0)] public SyncSettings? Target { get; set; }
    /// <summary>The entities (LedgerEntities) this change touches.</summary>
    [Id(1)] public List<string> Entities { get; set; } = [];
    /// <summary>Entities still to walk, the current one first; its rows after <see cref="After"/> remain.</summary>
    [Id(2)] public List<string> Pending { get; set; } = [];
    [Id(3)] public string? After { get; set; }
    [Id(4)] public long Applied { get; set; }
    [Id(5)] public long Total { get; set; }
    [Id(6)] public DateTimeOffset? StartedAt { get; set; }
    [Id(7)] public DateTimeOffset? CompletedAt { get; set; }
    /// <summary>When the pending round is due (see RederivationGrain); null: at once, or nothing pending.</summary>
    [Id(8)] public DateTimeOffset? SweepDue { get; set; }
    /// <summary>0: the pass; 1: the settling pass (both counted); 2: the late sweep, after completion.</summary>
    [Id(9)] public int Round { get; set; }
}
