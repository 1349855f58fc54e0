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
    [Description("all | backfill | live-limits | tenants")]
    public string Scenario { get; init; } = "all";

    [CommandOption("--objects")]
    [Description("Objects to backfill (customers + invoices + payments), default 100000.")]
    public int Objects { get; init; } = 100_000;

    [CommandOption("--tenants")]
    [Description("Tenants for the many-tenants scenario, default 100.")]
    public int Tenants { get; init; } = 100;

    public override ValidationResult Validate() =>
        Scenario is "all" or "backfill" or "live-limits" or "tenants"
            ? Objects > 0 && Tenants > 0 ? ValidationResult.Success() : ValidationResult.Error("--objects and --tenants must be positive.")
            : ValidationResult.Error($"Unknown scenario '{Scenario}'.");
}

internal sealed class BenchCommand : AsyncCommand<BenchSettings>
{
    public override async Task<int> ExecuteAsync(CommandContext context, BenchSettings settings, CancellationToken cancellationToken)
    {
        var report = new Report();
        var all = settings.Scenario == "all";
        if (all || settings.Scenario == "backfill") report.AddRange(await BackfillScenarios.ThroughputAsync(settings.Objects));
        if (all || settings.Scenario == "live-limits") report.AddRange(await BackfillScenarios.LiveLimitsAsync(Math.Min(settings.Objects, 100_000)));
        if (all || settings.Scenario == "tenants") report.AddRange(await BackfillScenarios.ManyTenantsAsync(settings.Objects, settings.Tenants));
        report.Print();
        AnsiConsole.MarkupLine($"[grey]Saved {Markup.Escape(report.Save())}[/]");
        return 0;
    }
}
