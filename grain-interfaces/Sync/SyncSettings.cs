namespace Upflow.Orleans.Sync;

/// <summary>An organization's settings that shape derived data: which metadata becomes contacts and custom fields.</summary>
/// <param name="Version">
/// Raised by the organization grain at each change. An entity grain derives with the newest settings
/// it has seen, so a backfill page or an event that read the settings just before a change cannot
/// write back the old derivation over the new one.
/// </param>
[GenerateSerializer, Immutable, Alias("upflow.SyncSettings")]
public sealed record SyncSettings(
    [property: Id(0)] ContactFieldSettings Contacts,
    [property: Id(1)] CustomFieldSettings CustomFields,
    [property: Id(2)] long Version = 0)
{
    public static SyncSettings Default { get; } = new(ContactFieldSettings.Default, CustomFieldSettings.Empty);
}
