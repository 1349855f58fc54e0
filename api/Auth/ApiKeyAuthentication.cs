using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Upflow.Orleans.Api.Http;
using Upflow.Orleans.Organizations;

namespace Upflow.Orleans.Api.Auth;

public sealed class ApiKeyAuthenticationOptions : AuthenticationSchemeOptions
{
    /// <summary>Upflow:AdminKey. Null disables the admin endpoints.</summary>
    public string? AdminKey { get; set; }
}

/// <summary>
/// <c>Authorization: Bearer &lt;key&gt;</c>: the admin key (compared in constant time) or an
/// organization key (verified against its hash). Either way the key itself never leaves this class.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<ApiKeyAuthenticationOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore apiKeys) : AuthenticationHandler<ApiKeyAuthenticationOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header)) return AuthenticateResult.NoResult();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.Fail("The Authorization header is not a bearer key.");
        var key = header["Bearer ".Length..].Trim();

        if (Options.AdminKey is { Length: > 0 } adminKey && FixedTimeEquals(key, adminKey))
            return Success(new Claim(ClaimTypes.Role, UpflowClaims.AdminRole));

        var organizationId = await apiKeys.FindOrganizationAsync(key, Context.RequestAborted);
        return organizationId is null
            ? AuthenticateResult.Fail("Unknown API key.")
            : Success(new Claim(UpflowClaims.OrganizationId, organizationId));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return Problems.Create(StatusCodes.Status401Unauthorized, "Authentication required.",
            "Send a valid API key as 'Authorization: Bearer <key>'.", "unauthorized").ExecuteAsync(Context);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        // The admin key is not an organization key: on organization endpoints it is as unknown as any other.
        if (Context.User.IsInRole(UpflowClaims.AdminRole))
        {
            Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Create(StatusCodes.Status401Unauthorized, "Authentication required.",
                "The admin key is not an organization key.", "unauthorized").ExecuteAsync(Context);
        }
        return Problems.Create(StatusCodes.Status403Forbidden, "Forbidden.",
            "An organization key cannot use this endpoint.", "forbidden").ExecuteAsync(Context);
    }

    private AuthenticateResult Success(Claim claim) =>
        AuthenticateResult.Success(new AuthenticationTicket(
            new ClaimsPrincipal(new ClaimsIdentity([claim], SchemeName)), SchemeName));

    private static bool FixedTimeEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));
}
