using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Http;
using Upflow.StripeEmulator.Json;
using Upflow.StripeEmulator.Store;

namespace Upflow.StripeEmulator.Mutations;

/// <summary>What a new customer looks like; the emulator assigns id and created.</summary>
public sealed record NewCustomer
{
    public string? Email { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public string? Currency { get; init; } = "eur";
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
    public bool Delinquent { get; init; }
    public string TaxExempt { get; init; } = "none";
    public string? TaxLocationCountry { get; init; }
}

/// <summary>A partial update: null leaves a field unchanged; a metadata value of "" removes the key, as in Stripe.</summary>
public sealed record CustomerUpdate
{
    public string? Email { get; init; }
    public string? Name { get; init; }
    public string? Description { get; init; }
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}

internal sealed class CustomerMutations(EventRecorder events)
{
    public Customer Create(StripeAccount a, NewCustomer spec) => a.Write(() =>
    {
        var customer = a.Stamp(new Customer
        {
            Id = a.NewId("cus"),
            Created = events.Now,
            Email = spec.Email,
            Name = spec.Name,
            Description = spec.Description,
            Currency = spec.Currency,
            Delinquent = spec.Delinquent,
            TaxExempt = spec.TaxExempt,
            TaxLocationCountry = spec.TaxLocationCountry,
            Metadata = new Dictionary<string, string>(spec.Metadata ?? new Dictionary<string, string>(), StringComparer.Ordinal),
        });
        a.Customers.Add(customer);
        events.Customer(a, "customer.created", customer, null, RequestOrigin.Dashboard);
        return customer;
    });

    public Customer Update(StripeAccount a, string id, CustomerUpdate update) => a.Write(() =>
    {
        var c = Find(a, id);
        var previousEmail = c.Email;
        var previousName = c.Name;
        var previousDescription = c.Description;
        var previousMetadata = new Dictionary<string, string>(c.Metadata);
        if (update.Email is not null) c.Email = update.Email;
        if (update.Name is not null) c.Name = update.Name;
        if (update.Description is not null) c.Description = update.Description;
        foreach (var (key, value) in update.Metadata ?? new Dictionary<string, string>())
            if (value.Length == 0) c.Metadata.Remove(key); else c.Metadata[key] = value;
        events.Customer(a, "customer.updated", c, w =>
        {
            w.WriteStartObject();
            if (update.Email is not null) w.WriteNullableString("email", previousEmail);
            if (update.Name is not null) w.WriteNullableString("name", previousName);
            if (update.Description is not null) w.WriteNullableString("description", previousDescription);
            if (update.Metadata is not null) w.WriteMetadata(previousMetadata);
            w.WriteEndObject();
        }, RequestOrigin.Dashboard);
        return c;
    });

    /// <summary>Stripe's customer.deleted carries the customer as it was; afterwards only {id, deleted} remains.</summary>
    public void Delete(StripeAccount a, string id) => a.Write(() =>
    {
        var c = Find(a, id);
        events.Customer(a, "customer.deleted", c, null, RequestOrigin.Dashboard);
        a.Customers.Unlist(c);
        c.Deleted = true;
        return c;
    });

    internal static Customer Find(StripeAccount a, string id) =>
        a.Customers.Find(id) is { Deleted: false } c ? c : throw StripeApiException.NoSuch("customer", id);
}
