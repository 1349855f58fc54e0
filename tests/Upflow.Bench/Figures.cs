using System.Text.Json;
using Spectre.Console;

namespace Upflow.Bench;

/// <summary>One measured figure, next to its target when the issue sets one.</summary>
public sealed record Figure(string Scenario, string Name, double Value, string Unit, string? Target = null, bool? Met = null);

public sealed class Report
{
    private readonly List<Figure> _figures = [];

    public void Add(Figure figure) => _figures.Add(figure);

    public void AddRange(IEnumerable<Figure> figures) => _figures.AddRange(figures);

    public void Print()
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Scenario", "Figure", "Value", "Target", "");
        foreach (var figure in _figures)
            table.AddRow(
                Markup.Escape(figure.Scenario), Markup.Escape(figure.Name),
                Markup.Escape($"{Format(figure.Value)} {figure.Unit}".Trim()),
                Markup.Escape(figure.Target ?? ""),
                figure.Met switch { true => "[green]met[/]", false => "[red]missed[/]", null => "" });
        AnsiConsole.Write(table);
    }

    public string Save()
    {
        var folder = Path.Combine(Repository.Root, "bench", "results");
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new
        {
            machine = new { Environment.ProcessorCount, os = Environment.OSVersion.ToString(), dotnet = Environment.Version.ToString() },
            measuredAt = DateTimeOffset.UtcNow,
            figures = _figures,
        }, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        return path;
    }

    private static string Format(double value) => value switch
    {
        >= 100 => value.ToString("N0"),
        _ when value == Math.Floor(value) => value.ToString("N0"),
        >= 10 => value.ToString("N1"),
        _ => value.ToString("N2"),
    };
}
