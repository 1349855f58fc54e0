using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Organizations;

public sealed class OrganizationGrain(
    [PersistentState("organization")] IPersistentState<OrganizationState> state,
    ApiKeyStore apiKeys,
    TimeProvider clock) : Grain, IOrganizationGrain
{
    public async Task<CreatedOrganization> Create(string name, string timeZone)
    {
        if (state.RecordExists)
            throw new InvalidOperationException($"Organization {this.GetPrimaryKeyString()} already exists.");
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        EnsureIana(timeZone);

        state.State = new OrganizationState { Name = name.Trim(), TimeZone = timeZone, CreatedAt = clock.GetUtcNow() };
        await state.WriteStateAsync();
        // The key is issued after the organization exists, so a key never points at nothing.
        var apiKey = await apiKeys.IssueAsync(this.GetPrimaryKeyString());
        return new CreatedOrganization(Profile(), apiKey);
    }

    public Task<OrganizationProfile?> Get() =>
        Task.FromResult(state.RecordExists ? Profile() : null);

    public async Task<OrganizationProfile> ChangeTimeZone(string timeZone)
    {
        if (!state.RecordExists)
            throw new InvalidOperationException($"Organization {this.GetPrimaryKeyString()} does not exist.");
        EnsureIana(timeZone);
        if (state.State.TimeZone != timeZone)
        {
            state.State.TimeZone = timeZone;
            await state.WriteStateAsync();
        }
        return Profile();
    }

    public Task<SyncSettings> GetSyncSettings() => Task.FromResult(state.State.SyncSettings);

    public Task<SyncSettings> ChangeCustomFieldSettings(CustomFieldSettings customFields)
    {
        if (customFields.Validate() is [var problem, ..])
            throw new ArgumentException(problem, nameof(customFields));
        return ChangeSyncSettingsAsync(state.State.SyncSettings with { CustomFields = customFields });
    }

    public Task<SyncSettings> ChangeContactFieldSettings(ContactFieldSettings contacts)
    {
        if (contacts.Validate() is [var problem, ..])
            throw new ArgumentException(problem, nameof(contacts));
        return ChangeSyncSettingsAsync(state.State.SyncSettings with { Contacts = contacts });
    }

    /// <summary>
    /// The settings are durable before any object is re-derived with them, and the re-derivation is
    /// durable (its grain's state and reminder) before the caller hears back. Unchanged settings keep
    /// their version; the re-derivation is asked again anyway, in case an earlier call stored the
    /// settings but failed to reach it.
    /// </summary>
    private async Task<SyncSettings> ChangeSyncSettingsAsync(SyncSettings changed)
    {
        if (!state.RecordExists)
            throw new InvalidOperationException($"Organization {this.GetPrimaryKeyString()} does not exist.");
        var current = state.State.SyncSettings;
        if (!SettingsRules.SameDerivation(current, changed))
        {
            state.State.SyncSettings = changed with { Version = current.Version + 1 };
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                // Interleaved readers must not go on seeing settings that were never stored.
                state.State.SyncSettings = current;
                throw;
            }
        }

        var settings = state.State.SyncSettings;
        await GrainFactory.GetGrain<IRederivationGrain>(this.GetPrimaryKeyString()).Start(settings);
        return settings;
    }

    private OrganizationProfile Profile() =>
        new(this.GetPrimaryKeyString(), state.State.Name, state.State.TimeZone, state.State.CreatedAt);

    private static void EnsureIana(string timeZone)
    {
        if (!TimeZones.IsIana(timeZone))
            throw new ArgumentException($"'{timeZone}' is not an IANA time zone id.", nameof(timeZone));
    }
}
