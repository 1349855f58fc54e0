using Orleans.Concurrency;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Organizations;

/// <summary>An organization (tenant): its profile and time zone. Key: the organization id.</summary>
[Alias("upflow.IOrganizationGrain")]
public interface IOrganizationGrain : IGrainWithStringKey
{
    /// <summary>Creates the organization and issues its API key, returned only this once.</summary>
    [Alias("Create")]
    Task<CreatedOrganization> Create(string name, string timeZone);

    /// <summary>The profile, or null when no organization has this id.</summary>
    [Alias("Get")]
    Task<OrganizationProfile?> Get();

    [Alias("ChangeTimeZone")]
    Task<OrganizationProfile> ChangeTimeZone(string timeZone);

    /// <summary>
    /// The settings that shape contacts and custom fields of every synced object. Interleaved: entity
    /// grains ask for it while a settings change waits for the re-derivation (which waits for them).
    /// </summary>
    [Alias("GetSyncSettings"), AlwaysInterleave]
    Task<SyncSettings> GetSyncSettings();

    /// <summary>
    /// Stores the custom field settings (validated by the caller) and starts re-deriving every synced
    /// object with them; returns the settings now in force. Unchanged settings change nothing.
    /// </summary>
    [Alias("ChangeCustomFieldSettings")]
    Task<SyncSettings> ChangeCustomFieldSettings(CustomFieldSettings customFields);

    /// <summary>Same as <see cref="ChangeCustomFieldSettings"/> for the contact fields.</summary>
    [Alias("ChangeContactFieldSettings")]
    Task<SyncSettings> ChangeContactFieldSettings(ContactFieldSettings contacts);
}

[GenerateSerializer, Immutable, Alias("upflow.OrganizationProfile")]
public sealed record OrganizationProfile(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string TimeZone,
    [property: Id(3)] DateTimeOffset CreatedAt);

[GenerateSerializer, Immutable, Alias("upflow.CreatedOrganization")]
public sealed record CreatedOrganization(
    [property: Id(0)] OrganizationProfile Profile,
    [property: Id(1)] string ApiKey);
