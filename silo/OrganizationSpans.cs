using System.Diagnostics;
using OpenTelemetry;
using Upflow.Orleans.Organizations;

namespace Upflow.Orleans.Silo;

/// <summary>
/// Gives every span the <c>organization.id</c> of the work it belongs to, whoever created it
/// (ASP.NET Core, HttpClient, Npgsql, Orleans' grain calls): from Orleans' RequestContext, which
/// <see cref="OrganizationContext"/> fills at each entry point and Orleans carries along grain calls,
/// or else from the nearest in-process parent that has one (a SQL span under its group-commit batch),
/// or else, for a grain call that no request started (a timer, a reminder), from the grain's key: every
/// grain of an organization is keyed by its id (<c>{organizationId}</c> or <c>{organizationId}/{stripeId}</c>).
/// </summary>
internal sealed class OrganizationSpans : BaseProcessor<Activity>
{
    public override void OnStart(Activity activity) => Tag(activity);

    // Tags set after a span started (the webhook endpoint learns its organization from the route).
    public override void OnEnd(Activity activity) => Tag(activity);

    private static void Tag(Activity activity)
    {
        if (activity.GetTagItem(OrganizationContext.Key) is not null) return;
        var organizationId = OrganizationContext.Current;
        for (var parent = activity.Parent; organizationId is null && parent is not null; parent = parent.Parent)
            organizationId = parent.GetTagItem(OrganizationContext.Key) as string;
        organizationId ??= FromGrainKey(activity.GetTagItem("orleans.rpc.target_id") as string);
        if (organizationId is not null) activity.SetTag(OrganizationContext.Key, organizationId);
    }

    /// <summary>"payment/org_…/pay_…" → "org_…"; null for grains and system targets not keyed by an organization.</summary>
    private static string? FromGrainKey(string? grainId)
    {
        if (grainId is null || grainId.IndexOf('/') is var slash && slash < 0) return null;
        var key = grainId.AsSpan(slash + 1);
        var end = key.IndexOf('/');
        var candidate = (end < 0 ? key : key[..end]).ToString();
        return OrganizationId.IsWellFormed(candidate) ? candidate : null;
    }
}
