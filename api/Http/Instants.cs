namespace Upflow.Orleans.Api.Http;

public static class Instants
{
    /// <summary>An instant shown with the organization's UTC offset at that moment (the contract's rendering).</summary>
    public static DateTimeOffset InZone(DateTimeOffset instant, string timeZone) =>
        TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(timeZone));

    public static DateTimeOffset? InZone(DateTimeOffset? instant, string timeZone) =>
        instant is { } value ? InZone(value, timeZone) : null;
}
