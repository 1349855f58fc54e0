namespace Upflow.Orleans.Sync;

/// <summary>An organization's settings that shape derived data: which metadata becomes contacts and custom fields.</summary>
[GenerateSerializer, Immutable, Alias("upflow.SyncSettings")]
public sealed record SyncSettings(
    [property: Id(0)] ContactFieldSettings Contacts,
    [property: Id(1)] CustomFieldSettings CustomFields)
{
    public static SyncSettings Default { get; } = new(ContactFieldSettings.Default, CustomFieldSettings.Empty);
}
