using Orleans.Concurrency;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Organizations;

/// <summary>
/// Applies an organization's settings change to every object it already synced: pages through the
/// read model and derives each object's contacts and custom fields again from the Stripe snapshot
/// it holds. Key: the organization id. Survives silo restarts (reminder).
/// </summary>
[Alias("upflow.IRederivationGrain")]
public interface IRederivationGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts re-deriving with these settings, restarting a run of older ones; settings no newer than
    /// the current run's are ignored, so the organization grain may repeat the call.
    /// </summary>
    [Alias("Start")]
    Task Start(SyncSettings settings);

    [Alias("GetStatus"), AlwaysInterleave]
    Task<RederivationStatus> GetStatus();
}

public static class RederivationStates
{
    /// <summary>Every object shows the settings in force (also before any change).</summary>
    public const string Applied = "applied";

    /// <summary>A change is being applied; <c>applied</c> of <c>total</c> objects done.</summary>
    public const string Applying = "applying";
}

[GenerateSerializer, Immutable, Alias("upflow.RederivationStatus")]
public sealed record RederivationStatus(
    [property: Id(0)] string State,
    [property: Id(1)] long Applied,
    [property: Id(2)] long Total,
    [property: Id(3)] DateTimeOffset? StartedAt,
    [property: Id(4)] DateTimeOffset? CompletedAt);
