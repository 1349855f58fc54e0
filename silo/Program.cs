using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Npgsql;
using OpenTelemetry;
using Orleans.Dashboard;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Upflow.Orleans;
using Upflow.Orleans.Api;
using Upflow.Orleans.Api.Http;
using Upflow.Orleans.OperatorConsole;
using Upflow.Orleans.Silo;
using Upflow.Orleans.Storage;

if (args is ["migrate", ..])
{
    // `migrate`: apply deploy/sql to ConnectionStrings:Upflow and exit (for a migration job).
    var configuration = new ConfigurationBuilder().AddJsonFile("appsettings.json", optional: true)
        .AddEnvironmentVariables().AddCommandLine(args[1..]).Build();
    using var loggers = LoggerFactory.Create(logging => logging.AddSimpleConsole());
    await Schema.ApplyAsync(configuration.RequiredConnectionString(), loggers.CreateLogger("migrate"));
    return;
}

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = RequestBodyLimit.MaxBytes);

if (!builder.Environment.IsDevelopment())
{
    // Fail at start, not at the first connection: both keys are needed to run for real.
    foreach (var required in new[] { "Upflow:AdminKey", "Upflow:EncryptionKey" })
        if (string.IsNullOrEmpty(builder.Configuration[required]))
            throw new InvalidOperationException($"{required} must be set outside Development (env {required.Replace(":", "__")}).");
}

// Configuration is read when the host is built, not here, so that test hosts can override it.
builder.Services.AddUpflowGrainServices(builder.Configuration, services => services.GetRequiredService<IConfiguration>().RequiredConnectionString());
var dashboard = OperatorDashboard.FromConfiguration(builder.Configuration);
builder.UseOrleans(silo =>
{
    silo.UseUpflowEndpoints().UseUpflowPostgres().UseUpflowKubernetesHosting(builder.Configuration);
    // Off by default in Orleans 10: grain calls would start new traces. This carries the caller's
    // traceparent (and RequestContext) into each call, with a client and a server span around it.
    silo.AddActivityPropagation();
    if (dashboard is not null) silo.AddDashboard();
});
dashboard?.AddTo(builder);

// SIGTERM (a pod deleted, a rolling update): Kestrel stops accepting and lets in-flight requests finish,
// then the silo deactivates its grains (writing their state) and leaves the membership table. All of it
// must fit in this budget, and Kubernetes' terminationGracePeriodSeconds must exceed it.
builder.Services.AddOptions<HostOptions>().Configure<IConfiguration>((options, configuration) =>
    options.ShutdownTimeout = configuration.GetValue("Upflow:ShutdownTimeout", TimeSpan.FromSeconds(60)));
builder.Services.AddUpflowApi(builder.Configuration);

builder.Services.AddHealthChecks()
    .AddCheck<PostgresReadiness>("postgresql", tags: ["ready"])
    .AddCheck<SiloReadiness>("silo", tags: ["ready"]);

// OTEL_* variables configure exporters; without OTEL_EXPORTER_OTLP_ENDPOINT nothing is exported, and
// then no span is recorded either (Upflow:Tracing overrides): spans nobody reads cost the backfill
// and the webhook path about a tenth of their CPU, most of it the grain-call spans.
// No instrumentation records headers, bodies or SQL parameters (none is enabled here): the Stripe key
// travels in Authorization, the webhook secret never travels, and keys are never in a URL.
builder.Services.AddOpenTelemetry()
    .ConfigureResource(resource => resource.AddService("upflow-orleans"))
    .WithTracing(tracing => tracing
        .SetSampler(services => TracingSampler(services.GetRequiredService<IConfiguration>()))
        .AddProcessor<OrganizationSpans>()
        .AddAspNetCoreInstrumentation()
        .AddHttpClientInstrumentation()
        .AddNpgsql()
        .AddSource("Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application", "Upflow.Orleans"))
    .WithMetrics(metrics => metrics
        .AddAspNetCoreInstrumentation()
        .AddHttpClientInstrumentation()
        .AddRuntimeInstrumentation()
        .AddMeter("Microsoft.Orleans", "Upflow.Orleans"));
if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
    builder.Services.AddOpenTelemetry().UseOtlpExporter();

// Every log written within a span carries its trace, span and tags (organization.id among them) as a scope.
builder.Logging.Configure(logging => logging.ActivityTrackingOptions =
    ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId | ActivityTrackingOptions.Tags);

var app = builder.Build();
app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false })
    .AllowAnonymous().WithMetadata(new SkipQueryValidation());
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") })
    .AllowAnonymous().WithMetadata(new SkipQueryValidation());
app.UseUpflowApi();
// The operator console's pages are public shells (their data comes from the API with the key the
// operator enters); the API's rule against unknown query parameters is for API endpoints only.
app.MapOperatorConsole().WithMetadata(new SkipQueryValidation());
dashboard?.MapTo(app);
app.Run();

// Spans are recorded when something reads them: an OTLP endpoint, or Upflow:Tracing=true (an in-process
// exporter). A sampler set in code replaces the SDK's reading of OTEL_TRACES_SAMPLER, so the standard
// values are honoured here (parent-based, always on, by default).
static Sampler TracingSampler(IConfiguration configuration)
{
    var enabled = configuration.GetValue<bool?>("Upflow:Tracing") ?? !string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
    if (!enabled) return new AlwaysOffSampler();
    var ratio = double.TryParse(configuration["OTEL_TRACES_SAMPLER_ARG"], System.Globalization.NumberStyles.Float,
        System.Globalization.CultureInfo.InvariantCulture, out var arg) ? Math.Clamp(arg, 0, 1) : 1.0;
    return configuration["OTEL_TRACES_SAMPLER"] switch
    {
        "always_on" => new AlwaysOnSampler(),
        "always_off" => new AlwaysOffSampler(),
        "traceidratio" => new TraceIdRatioBasedSampler(ratio),
        "parentbased_always_off" => new ParentBasedSampler(new AlwaysOffSampler()),
        "parentbased_traceidratio" => new ParentBasedSampler(new TraceIdRatioBasedSampler(ratio)),
        _ => new ParentBasedSampler(new AlwaysOnSampler()),
    };
}

public partial class Program;
