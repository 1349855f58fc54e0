using Npgsql;
using NpgsqlTypes;

namespace Upflow.Orleans.Storage;

/// <summary>The read-model entities whose derived fields depend on the organization's settings.</summary>
public static class LedgerEntities
{
    public const string Customers = "customers";
    public const string Invoices = "invoices";
    public const string Payments = "payments";

    public static IReadOnlyList<string> All { get; } = [Customers, Invoices, Payments];

    internal static string TableOf(string entity) => entity switch
    {
        Customers => "upflow_customers",
        Invoices => "upflow_invoices",
        Payments => "upflow_payments",
        _ => throw new ArgumentOutOfRangeException(nameof(entity), entity, "Not a ledger entity."),
    };
}

/// <summary>
/// What a settings change still has to re-derive: rows whose <c>settings_version</c> is below the new
/// version, read by keyset on the primary key (organization_id, id), so a page costs an index range
/// and a tenant of any size is walked once. Customers deleted in Stripe are left out: nobody sees them.
/// </summary>
public sealed class RederivationQueries(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyList<string>> ListStaleIdsAsync(
        string organizationId, string entity, long version, string? afterId, int limit, CancellationToken cancellationToken = default)
    {
        var table = LedgerEntities.TableOf(entity);
        var live = entity == LedgerEntities.Customers ? "AND NOT deleted" : "";
        await using var command = dataSource.CreateCommand($"""
            SELECT id FROM {table}
            WHERE organization_id = $1 AND id > $2 AND settings_version < $3 {live}
            ORDER BY id LIMIT $4
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = organizationId, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = afterId ?? "", NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = version, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
        var ids = new List<string>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            ids.Add(reader.GetString(0));
        return ids;
    }

    public async Task<long> CountStaleAsync(string organizationId, IEnumerable<string> entities, long version, CancellationToken cancellationToken = default)
    {
        long total = 0;
        foreach (var entity in entities)
        {
            var live = entity == LedgerEntities.Customers ? "AND NOT deleted" : "";
            await using var command = dataSource.CreateCommand(
                $"SELECT count(*) FROM {LedgerEntities.TableOf(entity)} WHERE organization_id = $1 AND settings_version < $2 {live}");
            command.Parameters.Add(new NpgsqlParameter { Value = organizationId, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = version, NpgsqlDbType = NpgsqlDbType.Bigint });
            total += (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        return total;
    }
}
