using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;
using Orleans.Configuration;
using Upflow.Orleans.Tests.Infrastructure;

namespace Upflow.Orleans.Tests.Telemetry;

/// <summary>
/// The product and its emulator with every finished span kept in memory (OpenTelemetry's in-memory
/// exporter, on the host's own tracing pipeline) and every log line, Debug and up, captured.
/// </summary>
public sealed class TelemetryApp : SyncApp
{
    public static readonly string EncryptionKey = NewEncryptionKey();

    private readonly List<Activity> _spans = [];

    public CapturedLogs Logs { get; } = new();

    /// <summary>The spans exported so far (the exporter appends while this copies: torn slots are skipped).</summary>
    public IReadOnlyList<Activity> Spans() => [.. _spans.ToArray().Where(span => span is not null)];

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        .. base.Settings(),
        new("Upflow:EncryptionKey", EncryptionKey),
        // Spans are recorded only when something exports them; here the in-memory exporter does.
        new("Upflow:Tracing", "true"),
        new("Stripe:MaxRequestsPerSecond", "1000"),
        new("Upflow:WriteBack:ReminderPeriod", "00:00:01"),
    ];

    protected override void ConfigureServices(IServiceCollection services)
    {
        services.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(_spans));
        services.AddSingleton<ILoggerProvider>(Logs);
        services.Configure<LoggerFilterOptions>(options => options.AddFilter<CapturedLogs>(null, LogLevel.Debug));
    }

    protected override Task AfterStartAsync()
    {
        Stripe.UseWebhookTransport(ServerHandler());
        return Task.CompletedTask;
    }
}

/// <summary>Every log line as it would be written: message, structured values, scopes and exception.</summary>
public sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
{
    private readonly ConcurrentQueue<string> _lines = new();
    private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

    public IReadOnlyList<string> Lines => [.. _lines];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

    public void Dispose() { }

    private sealed class Logger(CapturedLogs logs, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => logs._scopes.Push(state);

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var line = new System.Text.StringBuilder($"{logLevel} {category}: {formatter(state, exception)}");
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
                foreach (var (key, value) in values) line.Append($" | {key}={value}");
            logs._scopes.ForEachScope((scope, builder) =>
            {
                builder.Append(" | scope: ").Append(scope);
                if (scope is IEnumerable<KeyValuePair<string, object?>> items)
                    foreach (var (key, value) in items) builder.Append($" {key}={value}");
            }, line);
            if (exception is not null) line.Append(" | ").Append(exception);
            logs._lines.Enqueue(line.ToString());
        }
    }
}
