using System.Diagnostics;
using Upflow.Orleans.Stripe;

namespace Upflow.Orleans.Organizations;

/// <summary>
/// The organization a unit of work belongs to, for telemetry: the current span gets the
/// <c>organization.id</c> tag, and Orleans' RequestContext carries it to every grain call made from
/// here on (and so to their spans, and to the log scopes of the spans that carry it). Entry points
/// call <see cref="Enter"/>: the webhook endpoint, API-key authentication, the event dispatcher, timers
/// and reminders that start work of their own.
/// </summary>
public static class OrganizationContext
{
    public const string Key = StripeTelemetry.OrganizationTag;

    public static void Enter(string organizationId)
    {
        RequestContext.Set(Key, organizationId);
        Activity.Current?.SetTag(Key, organizationId);
    }

    /// <summary>The organization of the grain call or request this runs in, if one entered it.</summary>
    public static string? Current => RequestContext.Get(Key) as string;
}
