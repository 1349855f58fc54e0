using Npgsql;
using NpgsqlTypes;

namespace Upflow.Orleans.Storage;

/// <summary>The read-model entities whose derived fields depend on the organization's settings.</summary>
public static class LedgerEntities
{
    public const string Customers = "customers";
    public const string Invoices = "invoices";
    /// <summary>Stripe payments.</summary>
    public const string Payments = "payments";

    /// <summary>Payments recorded in the AR portal: their grain also writes export state, so it re-derives them.</summary>
    public const string PortalPayments = "portal_payments";

    public static IReadOnlyList<string> All { get; } = [Customers, Invoices, Payments, PortalPayments];

    internal static string TableOf(string entity) => entity switch
    {
        Customers => "upflow_customers",
        Invoices => "upflow_invoices",
        Payments or PortalPayments => "upflow_payments",
        _ => throw new ArgumentOutOfRangeException(nameof(entity), entity, "Not a ledger entity."),
    };

    /// <summary>Customers deleted in Stripe are never shown, so never re-derived.</summary>
    internal static string ConditionOf(string entity) => entity switch
    {
        Customers => "AND NOT deleted",
        Payments => "AND source = 'stripe'",
        PortalPayments => "AND source = 'portal'",
        _ => "",
    };
}

/// <summary>A read-model row as read for re-derivation, with the token that detects a write since.</summary>
public sealed record StaleRow<T>(T Record, uint Token);

/// <summary>
/// The bulk side of a settings change: reads the rows whose <c>settings_version</c> is below the new
/// version by keyset on the primary key (organization_id, id), so a page costs an index range and a
/// tenant of any size is walked once, and writes their re-derived documents back in one statement
/// per page. A write is conditional on the row's <c>xmin</c> being the one read: if its grain wrote
/// in between (an event, a backfill page), that newer row wins and is left to the grain, which
/// derives with the newest settings, or to the next pass. Customers deleted in Stripe are left out.
/// </summary>
/// <remarks>
/// The grains' in-memory copies are not refreshed, and need not be: a customer or invoice grain
/// derives every write afresh from its snapshot, and a Stripe payment grain's only write is the
/// same. Portal payments, whose grains also write export state from their copy, are re-derived
/// through their grain instead (<see cref="ListStaleIdsAsync"/>).
/// </remarks>
public sealed class RederivationStore(NpgsqlDataSource dataSource)
{
    public Task<IReadOnlyList<StaleRow<CustomerRecord>>> ReadStaleCustomersAsync(string organizationId, long version, string? afterId, int limit, CancellationToken cancellationToken = default) =>
        ReadStaleAsync<CustomerRecord>(organizationId, LedgerEntities.Customers, version, afterId, limit, cancellationToken);

    public Task<IReadOnlyList<StaleRow<InvoiceRecord>>> ReadStaleInvoicesAsync(string organizationId, long version, string? afterId, int limit, CancellationToken cancellationToken = default) =>
        ReadStaleAsync<InvoiceRecord>(organizationId, LedgerEntities.Invoices, version, afterId, limit, cancellationToken);

    /// <summary>Stripe payments only; portal payments go through their grain.</summary>
    public Task<IReadOnlyList<StaleRow<PaymentRecord>>> ReadStaleStripePaymentsAsync(string organizationId, long version, string? afterId, int limit, CancellationToken cancellationToken = default) =>
        ReadStaleAsync<PaymentRecord>(organizationId, LedgerEntities.Payments, version, afterId, limit, cancellationToken);

    /// <summary>Ids of portal payments still below the version.</summary>
    public async Task<IReadOnlyList<string>> ListStaleIdsAsync(string organizationId, long version, string? afterId, int limit, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT id FROM upflow_payments
            WHERE organization_id = $1 AND id > $2 AND settings_version < $3 AND source = 'portal'
            ORDER BY id LIMIT $4
            """);
        AddKeyset(command, organizationId, afterId, version, limit);
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
            await using var command = dataSource.CreateCommand(
                $"SELECT count(*) FROM {LedgerEntities.TableOf(entity)} WHERE organization_id = $1 AND settings_version < $2 {LedgerEntities.ConditionOf(entity)}");
            command.Parameters.Add(new NpgsqlParameter { Value = organizationId, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = version, NpgsqlDbType = NpgsqlDbType.Bigint });
            total += (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        return total;
    }

    // The customer, then its contacts replaced, only for the customers actually updated; one
    // statement, so one transaction, as LedgerStore does for a grain's save.
    private const string UpdateCustomers = """
        WITH input AS (
            SELECT * FROM unnest($1::text[], $2::text[], $3::xid[], $4::jsonb[], $5::bigint[], $6::timestamptz[])
                AS k(organization_id, id, token, document, settings_version, updated_at)),
        updated AS (
            UPDATE upflow_customers t
            SET document = k.document, settings_version = k.settings_version, updated_at = k.updated_at
            FROM input k
            WHERE t.organization_id = k.organization_id AND t.id = k.id AND t.xmin = k.token
            RETURNING t.organization_id, t.id),
        contacts AS (
            SELECT * FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
                AS c(organization_id, id, customer_id, email, source, role)),
        replaced AS (
            SELECT u.organization_id, u.id FROM updated u
            JOIN unnest($13::text[]) AS r(id) ON r.id = u.id),
        removed AS (
            DELETE FROM upflow_contacts c
            USING replaced u
            WHERE c.organization_id = u.organization_id AND c.customer_id = u.id
              AND NOT EXISTS (SELECT 1 FROM contacts n WHERE n.organization_id = c.organization_id AND n.id = c.id)),
        upserted AS (
            INSERT INTO upflow_contacts AS t (organization_id, id, customer_id, email, source, role)
            SELECT n.organization_id, n.id, n.customer_id, n.email, n.source, n.role
            FROM contacts n JOIN replaced u ON u.organization_id = n.organization_id AND u.id = n.customer_id
            ON CONFLICT (organization_id, id) DO UPDATE
                SET email = EXCLUDED.email, source = EXCLUDED.source, role = EXCLUDED.role
                WHERE (t.email, t.source, t.role) IS DISTINCT FROM (EXCLUDED.email, EXCLUDED.source, EXCLUDED.role))
        SELECT count(*) FROM updated
        """;

    private const string UpdateDocuments = """
        WITH updated AS (
            UPDATE {0} t
            SET document = k.document, settings_version = k.settings_version, updated_at = k.updated_at
            FROM unnest($1::text[], $2::text[], $3::xid[], $4::jsonb[], $5::bigint[], $6::timestamptz[])
                AS k(organization_id, id, token, document, settings_version, updated_at)
            WHERE t.organization_id = k.organization_id AND t.id = k.id AND t.xmin = k.token
            RETURNING 1)
        SELECT count(*) FROM updated
        """;

    /// <param name="contactsChanged">The customers whose contacts differ from the row's: only theirs are replaced.</param>
    /// <returns>How many rows were written; the others changed since they were read.</returns>
    public async Task<long> WriteCustomersAsync(
        IReadOnlyList<StaleRow<CustomerRecord>> rows, IReadOnlySet<string> contactsChanged, CancellationToken cancellationToken = default)
    {
        if (rows.Count == 0) return 0;
        var contacts = rows
            .Where(r => contactsChanged.Contains(r.Record.Id))
            .SelectMany(r => r.Record.Contacts.Select(c => new ContactRecord(
                r.Record.OrganizationId, ContactRecord.IdFor(r.Record.Id, c.Email), r.Record.Id, c.Email, c.Source, c.Role)))
            .DistinctBy(c => (c.OrganizationId, c.Id))
            .ToList();
        await using var command = dataSource.CreateCommand(UpdateCustomers);
        AddRows(command, rows, r => r.Id);
        command.Parameters.Add(LedgerStore.Text(contacts.Select(c => c.OrganizationId)));
        command.Parameters.Add(LedgerStore.Text(contacts.Select(c => c.Id)));
        command.Parameters.Add(LedgerStore.Text(contacts.Select(c => c.CustomerId)));
        command.Parameters.Add(LedgerStore.Text(contacts.Select(c => c.Email)));
        command.Parameters.Add(LedgerStore.Text(contacts.Select(c => c.Source)));
        command.Parameters.Add(LedgerStore.Text(contacts.Select(c => c.Role)));
        command.Parameters.Add(LedgerStore.Text(contactsChanged));
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public Task<long> WriteInvoicesAsync(IReadOnlyList<StaleRow<InvoiceRecord>> rows, CancellationToken cancellationToken = default) =>
        WriteDocumentsAsync("upflow_invoices", rows, r => r.Id, cancellationToken);

    public Task<long> WritePaymentsAsync(IReadOnlyList<StaleRow<PaymentRecord>> rows, CancellationToken cancellationToken = default) =>
        WriteDocumentsAsync("upflow_payments", rows, r => r.Id, cancellationToken);

    private async Task<long> WriteDocumentsAsync<T>(string table, IReadOnlyList<StaleRow<T>> rows, Func<T, string> id, CancellationToken cancellationToken)
        where T : class
    {
        if (rows.Count == 0) return 0;
        await using var command = dataSource.CreateCommand(string.Format(System.Globalization.CultureInfo.InvariantCulture, UpdateDocuments, table));
        AddRows(command, rows, id);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static void AddRows<T>(NpgsqlCommand command, IReadOnlyList<StaleRow<T>> rows, Func<T, string> id)
        where T : class
    {
        command.Parameters.Add(LedgerStore.Text(rows.Select(r => OrganizationOf(r.Record))));
        command.Parameters.Add(LedgerStore.Text(rows.Select(r => id(r.Record))));
        command.Parameters.Add(new NpgsqlParameter<uint[]> { TypedValue = rows.Select(r => r.Token).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Xid });
        command.Parameters.Add(new NpgsqlParameter<string[]>
        {
            TypedValue = rows.Select(r => LedgerJson.Serialize(r.Record)).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
        });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = rows.Select(r => VersionOf(r.Record)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>
        {
            TypedValue = rows.Select(r => UpdatedAtOf(r.Record).UtcDateTime).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
        });
    }

    private static string OrganizationOf(object record) => record switch
    {
        CustomerRecord c => c.OrganizationId,
        InvoiceRecord i => i.OrganizationId,
        PaymentRecord p => p.OrganizationId,
        _ => throw new ArgumentException("Not a ledger record.", nameof(record)),
    };

    private static long VersionOf(object record) => record switch
    {
        CustomerRecord c => c.SettingsVersion,
        InvoiceRecord i => i.SettingsVersion,
        PaymentRecord p => p.SettingsVersion,
        _ => throw new ArgumentException("Not a ledger record.", nameof(record)),
    };

    private static DateTimeOffset UpdatedAtOf(object record) => record switch
    {
        CustomerRecord c => c.UpdatedAt,
        InvoiceRecord i => i.UpdatedAt,
        PaymentRecord p => p.UpdatedAt,
        _ => throw new ArgumentException("Not a ledger record.", nameof(record)),
    };

    private async Task<IReadOnlyList<StaleRow<T>>> ReadStaleAsync<T>(
        string organizationId, string entity, long version, string? afterId, int limit, CancellationToken cancellationToken)
        where T : class
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT xmin, document::text FROM {LedgerEntities.TableOf(entity)}
            WHERE organization_id = $1 AND id > $2 AND settings_version < $3 {LedgerEntities.ConditionOf(entity)}
            ORDER BY id LIMIT $4
            """);
        AddKeyset(command, organizationId, afterId, version, limit);
        var rows = new List<StaleRow<T>>(limit);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(new StaleRow<T>(LedgerJson.Deserialize<T>(reader.GetString(1)), reader.GetFieldValue<uint>(0)));
        return rows;
    }

    private static void AddKeyset(NpgsqlCommand command, string organizationId, string? afterId, long version, int limit)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = organizationId, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = afterId ?? "", NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = version, NpgsqlDbType = NpgsqlDbType.Bigint });
        command.Parameters.Add(new NpgsqlParameter { Value = limit, NpgsqlDbType = NpgsqlDbType.Integer });
    }
}
