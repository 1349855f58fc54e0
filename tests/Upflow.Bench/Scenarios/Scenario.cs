using System.Diagnostics;
using Npgsql;
using Spectre.Console;

namespace Upflow.Bench.Scenarios;

/// <summary>What scenarios 4–7 share: waiting on the product, a database handle, latency percentiles.</summary>
internal static class Scenario
{
    public static void Note(string scenario, string text) =>
        AnsiConsole.MarkupLine($"[grey]{Markup.Escape(scenario)}: {Markup.Escape(text)}[/]");

    /// <summary>Polls the sync status until the backfill is over; throws unless it ended live.</summary>
    public static async Task<SyncReading> WaitLiveAsync(HttpClient organization, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var reading = await ProductClient.ReadSyncAsync(organization);
            if (reading.State == "live") return reading;
            if (reading.State != "backfilling") throw new InvalidOperationException($"The backfill ended {reading.State}: {reading.LastError}");
            if (clock.Elapsed > timeout) throw new TimeoutException($"The backfill did not finish within {timeout}.");
            await Task.Delay(200);
        }
    }

    public static async Task<long> ScalarAsync(string connectionString, string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters) command.Parameters.AddWithValue(parameter);
        return Convert.ToInt64(await command.ExecuteScalarAsync());
    }

    /// <summary>The q-quantile (0–1) of already sorted values, nearest rank.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double q) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(q * sorted.Count) - 1, 0, sorted.Count - 1)];
}
