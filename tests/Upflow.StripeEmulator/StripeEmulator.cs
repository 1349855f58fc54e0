using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Upflow.StripeEmulator.Control;
using Upflow.StripeEmulator.Domain;
using Upflow.StripeEmulator.Faults;
using Upflow.StripeEmulator.Generation;
using Upflow.StripeEmulator.Http;
using Upflow.StripeEmulator.Mutations;
using Upflow.StripeEmulator.Store;
using Upflow.StripeEmulator.Webhooks;

namespace Upflow.StripeEmulator;

/// <summary>
/// A Stripe API emulator on real HTTP. Point Stripe.net at <see cref="BaseUrl"/> (StripeClient apiBase)
/// with an account's <see cref="StripeAccount.SecretKey"/>; drive and inspect it with the methods here
/// or the same operations under /_emulator/.
/// </summary>
public sealed class StripeEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly AccountRegistry _accounts;
    private readonly CustomerMutations _customers;
    private readonly InvoiceMutations _invoices;
    private readonly PaymentMutations _payments;
    private readonly WebhookDispatcher _webhooks;

    private StripeEmulator(WebApplication app)
    {
        _app = app;
        _accounts = app.Services.GetRequiredService<AccountRegistry>();
        _customers = app.Services.GetRequiredService<CustomerMutations>();
        _invoices = app.Services.GetRequiredService<InvoiceMutations>();
        _payments = app.Services.GetRequiredService<PaymentMutations>();
        _webhooks = app.Services.GetRequiredService<WebhookDispatcher>();
        Clock = app.Services.GetRequiredService<EmulatorClock>();
    }

    public string BaseUrl { get; private set; } = "";
    public EmulatorClock Clock { get; }
    /// <summary>The account created at start when <see cref="StripeEmulatorOptions.Generate"/> is set.</summary>
    public StripeAccount? GeneratedAccount { get; private set; }
    public GeneratedCounts? GeneratedCounts { get; private set; }
    public IReadOnlyCollection<StripeAccount> Accounts => _accounts.All;
    internal int? Seed { get; private init; }

    public static async Task<StripeEmulator> StartAsync(StripeEmulatorOptions? options = null, string[]? args = null, CancellationToken cancellation = default)
    {
        options ??= new StripeEmulatorOptions();
        // No content root to watch: the emulator reads no files, and a config watcher on the working
        // directory (the repository, with PostgreSQL's data under it in the bench) spent a sixth of a
        // core on the database's file events.
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [.. args ?? [], "--hostBuilder:reloadConfigOnChange=false"],
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseUrls(options.Urls);
        if (!options.Logging) builder.Logging.ClearProviders();
        builder.Services.AddStripeEmulator();
        var app = builder.Build();
        app.UseRouting();
        app.UseWhen(http => http.Request.Path.StartsWithSegments("/v1"), v1 => v1.UseMiddleware<StripeRequestPipeline>());
        var stripe = app.MapGroup("/v1");
        stripe.MapBilling();
        stripe.MapPayments();
        stripe.MapEvents();
        var emulator = new StripeEmulator(app) { Seed = options.Seed };
        app.MapControl(emulator);
        await app.StartAsync(cancellation);
        emulator.BaseUrl = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!
            .Addresses.First().TrimEnd('/');
        if (options.Generate is { } spec)
        {
            emulator.GeneratedAccount = emulator.CreateAccount();
            emulator.GeneratedCounts = emulator.Generate(emulator.GeneratedAccount.Id, spec);
        }
        return emulator;
    }

    // Accounts and data

    public StripeAccount CreateAccount(string? email = null, string? businessName = null, string timezone = "Europe/Paris") =>
        _accounts.Create(Seed, email, businessName, timezone);

    public StripeAccount Account(string accountId) => _accounts.Get(accountId);

    public GeneratedCounts Generate(string accountId, GenerationSpec spec) =>
        new DataGenerator(Account(accountId), spec, Clock.GetUtcNow().ToUnixTimeSeconds()).Generate();

    /// <summary>Ids of an account's invoices with a status, newest first: lets tests pick an open invoice to pay.</summary>
    public IReadOnlyList<string> InvoiceIds(string accountId, string status)
    {
        var account = Account(accountId);
        return account.Read(() => Enumerable.Range(0, account.Invoices.Listed.Count).Reverse()
            .Select(i => account.Invoices.Listed[i]).Where(i => i.Status == status).Select(i => i.Id).ToList());
    }

    // Mutations, each emitting the events Stripe would

    public string CreateCustomer(string accountId, NewCustomer customer) => _customers.Create(Account(accountId), customer).Id;
    public void UpdateCustomer(string accountId, string customerId, CustomerUpdate update) => _customers.Update(Account(accountId), customerId, update);
    public void DeleteCustomer(string accountId, string customerId) => _customers.Delete(Account(accountId), customerId);
    public string CreateInvoice(string accountId, NewInvoice invoice) => _invoices.Create(Account(accountId), invoice).Id;
    public void FinalizeInvoice(string accountId, string invoiceId) => _invoices.Finalize(Account(accountId), invoiceId);
    public void VoidInvoice(string accountId, string invoiceId) => _invoices.Void(Account(accountId), invoiceId);
    public void MarkInvoiceUncollectible(string accountId, string invoiceId) => _invoices.MarkUncollectible(Account(accountId), invoiceId);
    public void UpdateInvoiceMetadata(string accountId, string invoiceId, IReadOnlyDictionary<string, string> metadata) =>
        _invoices.UpdateMetadata(Account(accountId), invoiceId, metadata);
    public void DeleteDraftInvoice(string accountId, string invoiceId) => _invoices.DeleteDraft(Account(accountId), invoiceId);
    /// <summary>Pays the invoice out of band, as the Dashboard's "mark as paid" does (not recorded as a product write).</summary>
    public void PayInvoiceOutOfBand(string accountId, string invoiceId) => _invoices.PayOutOfBand(Account(accountId), invoiceId, RequestOrigin.Dashboard);
    public CreatedPayment CreatePayment(string accountId, NewPayment payment) => _payments.Create(Account(accountId), payment);
    public string AttachPaymentMethod(string accountId, string customerId, NewPaymentMethod method) =>
        _payments.AttachPaymentMethod(Account(accountId), customerId, method).Id;

    // Faults and webhooks

    public void ConfigureFaults(string accountId, FaultSettings faults) => Account(accountId).Faults.Settings = faults;

    /// <summary>Sets the account's endpoint; returns its whsec_ signing secret (generated unless given).</summary>
    public string ConfigureWebhook(string accountId, string url, string? secret = null, bool autoDeliver = true)
    {
        var endpoint = Account(accountId).Webhook;
        endpoint.Url = url;
        endpoint.Secret = secret ?? "whsec_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        endpoint.AutoDeliver = autoDeliver;
        return endpoint.Secret;
    }

    /// <summary>Delivers the given events (all retained ones when null) now, with the requested misbehaviour.</summary>
    public Task DeliverEventsAsync(string accountId, IReadOnlyCollection<string>? eventIds, WebhookDeliveryOptions options, CancellationToken cancellation = default)
    {
        var account = Account(accountId);
        var events = account.Read(() => account.Events.All
            .Where(e => eventIds is null || eventIds.Contains(e.Id))
            .OrderBy(e => e.Created).ThenBy(e => e.Sequence).ToList());
        return _webhooks.DeliverAsync(account, events, options, cancellation);
    }

    /// <summary>Delivers webhooks through this handler (an in-memory test server's) rather than over TCP.</summary>
    public void UseWebhookTransport(HttpMessageHandler handler) => _webhooks.UseTransport(handler);

    public Task WaitForWebhooksAsync(TimeSpan? timeout = null) => _webhooks.WaitIdleAsync(timeout ?? TimeSpan.FromSeconds(10));
    public IReadOnlyList<WebhookDelivery> WebhookDeliveries(string accountId) => Account(accountId).Webhook.Deliveries;

    /// <summary>Event ids and types, oldest first, including those older than the retention window.</summary>
    public IReadOnlyList<(string Id, string Type)> Events(string accountId)
    {
        var account = Account(accountId);
        return account.Read(() => Enumerable.Range(0, account.Events.Listed.Count)
            .Select(i => account.Events.Listed[i]).Select(e => (e.Id, e.Type)).ToList());
    }

    // What the product did

    public IReadOnlyList<OutOfBandPayment> OutOfBandPayments(string accountId) => Account(accountId).Activity.OutOfBandPayments();
    public IReadOnlyList<EndpointRequestCount> RequestCounts(string accountId) => Account(accountId).Activity.RequestCounts();
    public long RequestCount(string accountId, string endpoint) =>
        RequestCounts(accountId).FirstOrDefault(r => r.Endpoint == endpoint)?.Requests ?? 0;
    public void ResetRequestCounts(string accountId) => Account(accountId).Activity.ResetRequestCounts();

    public Task WaitForShutdownAsync(CancellationToken cancellation = default) => _app.WaitForShutdownAsync(cancellation);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

internal static class EmulatorServices
{
    public static IServiceCollection AddStripeEmulator(this IServiceCollection services)
    {
        var clock = new EmulatorClock();
        services.AddSingleton(clock);
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton<AccountRegistry>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddSingleton<EventRecorder>();
        services.AddSingleton<CustomerMutations>();
        services.AddSingleton<InvoiceMutations>();
        services.AddSingleton<PaymentMutations>();
        services.ConfigureHttpJsonOptions(json => json.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower);
        return services;
    }
}
