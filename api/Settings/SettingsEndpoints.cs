using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Upflow.Orleans.Api.Auth;
using Upflow.Orleans.Api.Http;
using Upflow.Orleans.Organizations;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Api.Settings;

/// <summary>
/// CONTRACT §2 "Settings": which Stripe metadata and native fields become custom fields and contacts.
/// A PUT replaces the resource; it is stored before the response and applied to every synced object
/// in the background (progress in GET /v1/stripe/sync, <c>settings</c>).
/// </summary>
public static class SettingsEndpoints
{
    public static IEndpointRouteBuilder MapSettingsEndpoints(this IEndpointRouteBuilder routes)
    {
        var settings = routes.MapGroup("/v1/settings")
            .RequireAuthorization(UpflowClaims.OrganizationPolicy)
            .WithTags("Settings");
        settings.MapGet("/custom-fields", GetCustomFields).WithName("GetCustomFieldSettings");
        settings.MapPut("/custom-fields", PutCustomFields).WithName("PutCustomFieldSettings");
        settings.MapGet("/contact-fields", GetContactFields).WithName("GetContactFieldSettings");
        settings.MapPut("/contact-fields", PutContactFields).WithName("PutContactFieldSettings");
        return routes;
    }

    private static async Task<Ok<CustomFieldsBody>> GetCustomFields(ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(CustomFieldsBody.From((await Organization(user, grains).GetSyncSettings()).CustomFields));

    private static async Task<Results<Ok<CustomFieldsBody>, ProblemHttpResult>> PutCustomFields(
        CustomFieldsBody request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var settings = request.ToSettings();
        var unknown = settings.Customer.Native.Where(name => !CustomerNativeFieldNames.All.Contains(name, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0)
            return Problems.Validation(
                $"Unknown native customer field(s) {string.Join(", ", unknown.Select(name => $"'{name}'"))}; allowed: {string.Join(", ", CustomerNativeFieldNames.All)}.",
                "unknown_native_field");
        if (settings.Validate() is { Count: > 0 } problems)
            return Problems.Validation(string.Join(" ", problems), "invalid_custom_fields");
        var stored = await Organization(user, grains).ChangeCustomFieldSettings(settings);
        return TypedResults.Ok(CustomFieldsBody.From(stored.CustomFields));
    }

    private static async Task<Ok<ContactFieldsBody>> GetContactFields(ClaimsPrincipal user, IGrainFactory grains) =>
        TypedResults.Ok(ContactFieldsBody.From((await Organization(user, grains).GetSyncSettings()).Contacts));

    private static async Task<Results<Ok<ContactFieldsBody>, ProblemHttpResult>> PutContactFields(
        ContactFieldsBody request, ClaimsPrincipal user, IGrainFactory grains)
    {
        var settings = new ContactFieldSettings([.. request.To], [.. request.Cc]);
        if (settings.Validate() is { Count: > 0 } problems)
            return Problems.Validation(string.Join(" ", problems), "invalid_contact_fields");
        var stored = await Organization(user, grains).ChangeContactFieldSettings(settings);
        return TypedResults.Ok(ContactFieldsBody.From(stored.Contacts));
    }

    private static IOrganizationGrain Organization(ClaimsPrincipal user, IGrainFactory grains) =>
        grains.GetGrain<IOrganizationGrain>(UpflowClaims.OrganizationIdOf(user));
}

/// <summary>
/// <c>{ customer: { metadata, native }, invoice: { metadata }, payment: { metadata } }</c>. In a PUT an
/// entity or list left out means none; any other member (an unknown entity, <c>native</c> on an
/// invoice) is refused by the strict JSON reader.
/// </summary>
public sealed record CustomFieldsBody(
    CustomerFieldsBody? Customer = null,
    EntityFieldsBody? Invoice = null,
    EntityFieldsBody? Payment = null)
{
    public CustomFieldSettings ToSettings() => new(
        new EntityFieldSettings([.. Customer?.Metadata ?? []], [.. Customer?.Native ?? []]),
        new EntityFieldSettings([.. Invoice?.Metadata ?? []], []),
        new EntityFieldSettings([.. Payment?.Metadata ?? []], []));

    public static CustomFieldsBody From(CustomFieldSettings settings) => new(
        new CustomerFieldsBody(settings.Customer.Metadata, settings.Customer.Native),
        new EntityFieldsBody(settings.Invoice.Metadata),
        new EntityFieldsBody(settings.Payment.Metadata));
}

public sealed record CustomerFieldsBody(IReadOnlyList<string>? Metadata = null, IReadOnlyList<string>? Native = null);

public sealed record EntityFieldsBody(IReadOnlyList<string>? Metadata = null);

/// <summary><c>{ to: [...], cc: [...] }</c>: both required, as a PUT replaces the whole resource.</summary>
public sealed record ContactFieldsBody(IReadOnlyList<string> To, IReadOnlyList<string> Cc)
{
    public static ContactFieldsBody From(ContactFieldSettings settings) => new(settings.To, settings.Cc);
}
