using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Upflow.Orleans.Storage;

/// <summary>
/// Applies deploy/sql/*.sql (embedded in this assembly) in file-name order. Every script is
/// idempotent, so the whole set runs at each silo start; an advisory lock keeps silos that start
/// together from applying it concurrently.
/// </summary>
public static partial class Schema
{
    private const long AdvisoryLockKey = 0x5570_666C_6F77; // "Upflow"
    private const string ResourcePrefix = "Upflow.Sql.";

    public static IReadOnlyList<string> ScriptNames { get; } = typeof(Schema).Assembly
        .GetManifestResourceNames()
        .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .Order(StringComparer.Ordinal)
        .ToArray();

    public static async Task ApplyAsync(string connectionString, ILogger logger, CancellationToken cancellationToken = default)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var take = new NpgsqlCommand($"SELECT pg_advisory_lock({AdvisoryLockKey})", connection))
            await take.ExecuteNonQueryAsync(cancellationToken);
        try
        {
            foreach (var name in ScriptNames)
            {
                await using var command = new NpgsqlCommand(ReadScript(name), connection);
                await command.ExecuteNonQueryAsync(cancellationToken);
                LogApplied(logger, name[ResourcePrefix.Length..]);
            }
        }
        finally
        {
            await using var release = new NpgsqlCommand($"SELECT pg_advisory_unlock({AdvisoryLockKey})", connection);
            await release.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static string ReadScript(string resourceName)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resourceName)
            ?? throw new InvalidOperationException($"Missing embedded SQL script {resourceName}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied schema script {Script}")]
    private static partial void LogApplied(ILogger logger, string script);
}
