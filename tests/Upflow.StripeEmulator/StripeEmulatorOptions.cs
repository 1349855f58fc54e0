using Upflow.StripeEmulator.Generation;

namespace Upflow.StripeEmulator;

public sealed record StripeEmulatorOptions
{
    /// <summary>Where Kestrel listens; port 0 picks a free port (read it back from <see cref="StripeEmulator.BaseUrl"/>).</summary>
    public string Urls { get; init; } = "http://127.0.0.1:0";
    /// <summary>Seeds account ids, keys and generated data; null for random accounts.</summary>
    public int? Seed { get; init; } = 42;
    /// <summary>When set, one account is created at start with this data.</summary>
    public GenerationSpec? Generate { get; init; }
    public bool Logging { get; init; }
}
