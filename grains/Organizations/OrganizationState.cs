using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Organizations;

[GenerateSerializer, Alias("upflow.OrganizationState")]
public sealed class OrganizationState
{
    [Id(0)] public string Name { get; set; } = "";
    [Id(1)] public string TimeZone { get; set; } = "UTC";
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }
    [Id(3)] public SyncSettings SyncSettings { get; set; } = SyncSettings.Default;
}
