namespace Upflow.Orleans.Sync;

/// <summary>
/// Renders UTC instants in an organization's IANA time zone. Stored data stays UTC; the zone is
/// applied at render time, so changing it re-renders everything without a re-sync.
/// </summary>
public static class OrganizationTimeZone
{
    /// <summary>
    /// Finds an IANA zone ("Europe/Paris"). Windows ids ("Romance Standard Time") are refused even
    /// though .NET would convert them: the contract accepts IANA ids only.
    /// </summary>
    public static bool TryFind(string? ianaId, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (string.IsNullOrWhiteSpace(ianaId)
            || !TimeZoneInfo.TryFindSystemTimeZoneById(ianaId, out var found)
            || !found.HasIanaId)
        {
            return false;
        }

        zone = found;
        return true;
    }

    /// <summary>The calendar date the instant falls on in the zone.</summary>
    public static DateOnly CalendarDate(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);

    /// <summary>The same instant, carrying the zone's UTC offset at that instant (for ISO-8601 output).</summary>
    public static DateTimeOffset Local(DateTimeOffset instant, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(instant, zone);

    /// <summary>Today in the zone.</summary>
    public static DateOnly Today(DateTimeOffset now, TimeZoneInfo zone) => CalendarDate(now, zone);
}
