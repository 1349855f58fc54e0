using Npgsql;

namespace Upflow.Bench;

/// <summary>A fresh database per scenario on the project's PostgreSQL (UPFLOW_PG, set by scripts/bench.sh).</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    private readonly string _server;
    private readonly string _name = "upflow_bench_" + Guid.NewGuid().ToString("N")[..10];

    private BenchDatabase(string server) => _server = server;

    public string ConnectionString => new NpgsqlConnectionStringBuilder(_server) { Database = _name, MaxPoolSize = 200 }.ConnectionString;

    public static async Task<BenchDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable("UPFLOW_PG") is { Length: > 0 } value
            ? value
            : throw new InvalidOperationException("UPFLOW_PG is not set: run the bench through scripts/bench.sh.");
        var database = new BenchDatabase(server);
        await database.ExecuteAsync($"CREATE DATABASE {database._name}");
        return database;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_server) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
