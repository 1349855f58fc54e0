using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Organizations;

/// <summary>
/// The settings an entity grain derives with: the newest of those offered with a snapshot and those
/// it already knew, or the organization's current ones when its row was derived with a newer
/// version than both (the snapshot's reader saw the settings just before a change).
/// </summary>
public static class NewestSettings
{
    public static async Task<SyncSettings> ResolveAsync(
        IGrainFactory grains, string organizationId, SyncSettings offered, SyncSettings? known, long storedVersion)
    {
        var newest = SettingsRules.Newest(offered, known);
        return storedVersion > newest.Version
            ? await grains.GetGrain<IOrganizationGrain>(organizationId).GetSyncSettings()
            : newest;
    }
}
