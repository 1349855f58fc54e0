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

    private OrganizationProfile Profile() =>
        new(this.GetPrimaryKeyString(), state.State.Name, state.State.TimeZone, state.State.CreatedAt);

    private static void EnsureIana(string timeZone)
    {
        if (!TimeZones.IsIana(timeZone))
            throw new ArgumentException($"'{timeZone}' is not an IANA time zone id.", nameof(timeZone));
    }
}
