using System.Diagnostics;
using OpenTelemetry;
using Upflow.Orleans.Organizations;

namespace Upflow.Orleans.Silo;

/// <summary>
/// Gives every span the <c>organization.id</c> of the work it belongs to, whoever created it
/// (ASP.NET Core, HttpClient, Npgsql, Orleans' grain calls): from Orleans' RequestContext, which
/// <see cref="OrganizationContext"/> fills at each entry point and Orleans carries along grain calls,
/// or else from the nearest in-process parent that has one (a SQL span under its group-commit batch).
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
        if (organizationId is not null) activity.SetTag(OrganizationContext.Key, organizationId);
    }
}
