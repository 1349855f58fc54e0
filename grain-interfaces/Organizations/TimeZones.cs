namespace Upflow.Orleans.Organizations;

public static class TimeZones
{
    /// <summary>
    /// True for an IANA zone id this machine knows ("Europe/Paris", "UTC"). Windows ids are refused:
    /// the contract speaks IANA, and accepting both would make the stored value ambiguous.
    /// </summary>
    public static bool IsIana(string? id) =>
        !string.IsNullOrWhiteSpace(id)
        && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
        && zone.HasIanaId
        && string.Equals(zone.Id, id, StringComparison.Ordinal);
}
