using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Upflow.Orleans.Storage;

namespace Upflow.Orleans.Tests.Infrastructure;

/// <summary>
/// A fresh PostgreSQL database with our schema, dropped at the end. The server comes from
/// UPFLOW_TEST_PG, which scripts/test.sh sets after starting the project-local PostgreSQL.
/// </summary>
public sealed class TestDatabase : IAsyncLifetime
{
    private static string Server => Environment.GetEnvironmentVariable("UPFLOW_TEST_PG") is { Length: > 0 } server
        ? server
        : throw new InvalidOperationException("UPFLOW_TEST_PG is not set: run the tests with scripts/test.sh.");

    private readonly string _name = "upflow_test_" + Guid.NewGuid().ToString("N")[..12];

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        await ExecuteOnServerAsync($"CREATE DATABASE {_name}");
        ConnectionString = new NpgsqlConnectionStringBuilder(Server) { Database = _name }.ConnectionString;
        await Schema.ApplyAsync(ConnectionString, NullLogger.Instance);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await ExecuteOnServerAsync($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)");
    }

    public async Task<long> CountAsync(string table)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand($"SELECT count(*) FROM {table}", connection);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The payload upflow_events holds for an event, or null.</summary>
    public async Task<string?> EventPayloadAsync(string organizationId, string eventId)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT payload FROM upflow_events WHERE organization_id = $1 AND event_id = $2", connection);
        command.Parameters.AddWithValue(organizationId);
        command.Parameters.AddWithValue(eventId);
        return await command.ExecuteScalarAsync() as string;
    }

    /// <summary>Every row of every table as text: what an attacker with the database would read.</summary>
    public async Task<string> DumpAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT tablename FROM pg_tables WHERE schemaname = 'public'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        var dump = new System.Text.StringBuilder();
        foreach (var table in tables)
        {
            await using var rows = new NpgsqlCommand($"SELECT t::text FROM {table} t", connection);
            await using var reader = await rows.ExecuteReaderAsync();
            while (await reader.ReadAsync()) dump.AppendLine(reader.GetString(0));
        }
        return dump.ToString();
    }

    private static async Task ExecuteOnServerAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Server) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }
}
