using System.Security.Claims;

namespace Upflow.Orleans.Api.Auth;

public static class UpflowClaims
{
    public const string AdminRole = "upflow-admin";
    public const string OrganizationId = "upflow:organization";

    public const string AdminPolicy = "admin";
    public const string OrganizationPolicy = "organization";

    /// <summary>The organization of an authenticated organization key (guaranteed by the policy).</summary>
    public static string OrganizationIdOf(ClaimsPrincipal user) =>
        user.FindFirstValue(OrganizationId) ?? throw new InvalidOperationException("Not an organization key.");
}
