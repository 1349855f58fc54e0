using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using Upflow.Bench;
using Upflow.Bench.Scenarios;

var app = new CommandApp<BenchCommand>();
app.Configure(config => config.SetApplicationName("bench"));
return await app.RunAsync(args);

internal sealed class BenchSettings : CommandSettings
{
    [CommandArgument(0, "[scenario]")]
    [Description("all | backfill | live-limits | slow-account | tenants | webhooks | reads | writeback | recovery")]
    public string Scenario { get; init; } = "all";

    [CommandOption("--objects")]
    [Description("Objects to backfill (customers + invoices + payments), default 100000 (recovery: 1000000).")]
    public int? Objects { get; init; }

    [CommandOption("--tenants")]
    [Description("Tenants for the many-tenants scenario, default 100.")]
    public int Tenants { get; init; } = 100;

    [CommandOption("--events")]
    [Description("Webhooks to post, default 30000.")]
    public int Events { get; init; } = 30_000;

    [CommandOption("--connections")]
    [Description("Concurrent HTTP connections posting webhooks, default 100.")]
    public int Connections { get; init; } = 100;

    [CommandOption("--invoices")]
    [Description("Invoices seeded in one tenant for the reads scenario, default 1000000.")]
    public int Invoices { get; init; } = 1_000_000;

    [CommandOption("--payments")]
    [Description("Portal payments written back to Stripe, default 10000.")]
    public int Payments { get; init; } = 10_000;

    public static readonly string[] Scenarios = ["all", "backfill", "live-limits", "slow-account", "tenants", "webhooks", "reads", "writeback", "recovery"];

    public override ValidationResult Validate() =>
        !Scenarios.Contains(Scenario) ? ValidationResult.Error($"Unknown scenario '{Scenario}'.")
        : Objects is <= 0 || Tenants <= 0 || Events <= 0 || Connections <= 0 || Invoices <= 0 || Payments <= 0
            ? ValidationResult.Error("--objects, --tenants, --events, --connections, --invoices and --payments must be positive.")
            : ValidationResult.Success();
}

internal sealed class BenchCommand : AsyncCommand<BenchSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchSettings settings, CancellationToken cancellationToken)
    {
        var report = new Report();
        var all = settings.Scenario == "all";
        var objects = settings.Objects ?? 100_000;
        if (all || settings.Scenario == "backfill") report.AddRange(await BackfillScenarios.ThroughputAsync(objects));
        if (all || settings.Scenario == "live-limits") report.AddRange(await BackfillScenarios.LiveLimitsAsync(Math.Min(objects, 100_000)));
        if (all || settings.Scenario == "slow-account") report.AddRange(await BackfillScenarios.SlowAccountAsync(Math.Min(objects, 50_000)));
        if (all || settings.Scenario == "tenants") report.AddRange(await BackfillScenarios.ManyTenantsAsync(objects, settings.Tenants));
        if (all || settings.Scenario == "webhooks") report.AddRange(await WebhookScenario.RunAsync(settings.Events, settings.Connections, customers: 2_000));
        if (all || settings.Scenario == "reads") report.AddRange(await ReadScenario.RunAsync(settings.Invoices));
        if (all || settings.Scenario == "writeback") report.AddRange(await WriteBackScenario.RunAsync(settings.Payments));
        if (all || settings.Scenario == "recovery") report.AddRange(await RecoveryScenario.RunAsync(settings.Objects ?? 1_000_000));
        report.Print();
        AnsiConsole.MarkupLine($"[grey]Saved {Markup.Escape(report.Save())}[/]");
        return 0;
    }
}
