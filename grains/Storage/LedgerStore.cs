using Npgsql;
using NpgsqlTypes;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Storage;

/// <summary>
/// The read-model rows the entity grains own: one durable upsert per change, group-committed so a
/// backfill page costs a handful of statements (see <see cref="GroupCommit{TRequest,TResult}"/>).
/// Single-row reads (a grain loading its row at activation) are batched the same way.
/// </summary>
/// <remarks>
/// A row is created either by its grain or, for an object new to the ledger, by a backfill page
/// (inserts that leave an existing row alone); once it exists its grain is the only writer, and
/// awaits each save, so its saves land in order. A save that changes nothing rewrites nothing, and
/// one that would undo what the grain's ordering rule forbids (an older snapshot, a status moving
/// back, an undeleted customer: a late write from a silo already declared dead) changes nothing
/// either. A deleted Stripe customer stays stored (its grain reloads the tombstone so no late event
/// can resurrect it) but leaves the lists, and its contacts are removed.
/// </remarks>
public sealed class LedgerStore : IAsyncDisposable
{
    internal const int MaxBatch = 500;
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(1);
    private const int WritesInFlight = 4;
    private const int ReadsInFlight = 4;

    private readonly NpgsqlDataSource _dataSource;
    private readonly GroupCommit<CustomerRecord, bool> _customerWrites;
    private readonly GroupCommit<InvoiceRecord, bool> _invoiceWrites;
    private readonly GroupCommit<PaymentRecord, bool> _paymentWrites;
    private readonly GroupCommit<CustomerRecord, bool> _customerInserts;
    private readonly GroupCommit<InvoiceRecord, bool> _invoiceInserts;
    private readonly GroupCommit<PaymentRecord, bool> _paymentInserts;
    private readonly GroupCommit<RowKey, CustomerRecord?> _customerReads;
    private readonly GroupCommit<RowKey, InvoiceRecord?> _invoiceReads;
    private readonly GroupCommit<RowKey, PaymentRecord?> _paymentReads;

    public LedgerStore(NpgsqlDataSource dataSource)
    {
        _dataSource = dataSource;
        _customerWrites = new(WriteCustomersAsync, MaxBatch, Linger, WritesInFlight, "upflow_customers upsert", r => r.OrganizationId);
        _invoiceWrites = new(WriteInvoicesAsync, MaxBatch, Linger, WritesInFlight, "upflow_invoices upsert", r => r.OrganizationId);
        _paymentWrites = new(WritePaymentsAsync, MaxBatch, Linger, WritesInFlight, "upflow_payments upsert", r => r.OrganizationId);
        _customerInserts = new(InsertCustomersAsync, MaxBatch, Linger, WritesInFlight, "upflow_customers insert", r => r.OrganizationId);
        _invoiceInserts = new(InsertInvoicesAsync, MaxBatch, Linger, WritesInFlight, "upflow_invoices insert", r => r.OrganizationId);
        _paymentInserts = new(InsertPaymentsAsync, MaxBatch, Linger, WritesInFlight, "upflow_payments insert", r => r.OrganizationId);
        _customerReads = new(keys => ReadAsync<CustomerRecord>("upflow_customers", keys), MaxBatch, Linger, ReadsInFlight, "upflow_customers read", k => k.OrganizationId);
        _invoiceReads = new(keys => ReadAsync<InvoiceRecord>("upflow_invoices", keys), MaxBatch, Linger, ReadsInFlight, "upflow_invoices read", k => k.OrganizationId);
        _paymentReads = new(keys => ReadAsync<PaymentRecord>("upflow_payments", keys), MaxBatch, Linger, ReadsInFlight, "upflow_payments read", k => k.OrganizationId);
    }

    public Task<CustomerRecord?> FindCustomerAsync(string organizationId, string id) =>
        _customerReads.EnqueueAsync(new RowKey(organizationId, id));

    public Task<InvoiceRecord?> FindInvoiceAsync(string organizationId, string id) =>
        _invoiceReads.EnqueueAsync(new RowKey(organizationId, id));

    public Task<PaymentRecord?> FindPaymentAsync(string organizationId, string id) =>
        _paymentReads.EnqueueAsync(new RowKey(organizationId, id));

    /// <summary>Upserts the customer and replaces its contacts (unless the row is newer); completes once committed.</summary>
    public Task SaveCustomerAsync(CustomerRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        RequireKey(record.OrganizationId, record.Id);
        return _customerWrites.EnqueueAsync(record);
    }

    /// <summary>Upserts the invoice; completes once committed. Drafts and deleted invoices are refused: they are never imported.</summary>
    public Task SaveInvoiceAsync(InvoiceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        RequireKey(record.OrganizationId, record.Id);
        RefuseDraft(record);
        return _invoiceWrites.EnqueueAsync(record);
    }

    /// <summary>Upserts the payment; completes once committed.</summary>
    public Task SavePaymentAsync(PaymentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        RequireKey(record.OrganizationId, record.Id);
        return _paymentWrites.EnqueueAsync(record);
    }

    /// <summary>
    /// Stores the customer and its contacts if the ledger has no row for it yet: true once committed;
    /// false, changing nothing, when a row exists (its grain's to change).
    /// </summary>
    public Task<bool> InsertCustomerAsync(CustomerRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        RequireKey(record.OrganizationId, record.Id);
        return _customerInserts.EnqueueAsync(record);
    }

    /// <summary>Stores the invoice if the ledger has no row for it yet (see <see cref="InsertCustomerAsync"/>). Drafts are refused.</summary>
    public Task<bool> InsertInvoiceAsync(InvoiceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        RequireKey(record.OrganizationId, record.Id);
        RefuseDraft(record);
        return _invoiceInserts.EnqueueAsync(record);
    }

    /// <summary>Stores the payment if the ledger has no row for it yet (see <see cref="InsertCustomerAsync"/>).</summary>
    public Task<bool> InsertPaymentAsync(PaymentRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        RequireKey(record.OrganizationId, record.Id);
        return _paymentInserts.EnqueueAsync(record);
    }

    public async ValueTask DisposeAsync()
    {
        await _customerWrites.DisposeAsync();
        await _invoiceWrites.DisposeAsync();
        await _paymentWrites.DisposeAsync();
        await _customerInserts.DisposeAsync();
        await _invoiceInserts.DisposeAsync();
        await _paymentInserts.DisposeAsync();
        await _customerReads.DisposeAsync();
        await _invoiceReads.DisposeAsync();
        await _paymentReads.DisposeAsync();
    }

    private static void RefuseDraft(InvoiceRecord record)
    {
        if (!InvoiceStatusRules.IsImported(record.Snapshot))
        {
            throw new ArgumentException($"Invoice {record.Id} is a draft or deleted: drafts are never imported.", nameof(record));
        }
    }

    private static void RequireKey(string organizationId, string id)
    {
        if (string.IsNullOrEmpty(organizationId) || string.IsNullOrEmpty(id))
        {
            throw new ArgumentException("A read-model row needs an organization id and an object id.");
        }
    }

    // ---- writes -------------------------------------------------------------------------------

    private const string CustomerRows = """
        INSERT INTO upflow_customers AS t (organization_id, id, deleted, updated_at, document, settings_version)
        SELECT * FROM unnest($1::text[], $2::text[], $3::boolean[], $4::timestamptz[], $5::jsonb[], $6::bigint[])
        """;

    // The snapshot's "as of" inside a row's document: when Stripe's state was read.
    private const string RowAsOf = "(t.document #>> '{snapshot,asOf}')::timestamptz";
    private const string IncomingAsOf = "(EXCLUDED.document #>> '{snapshot,asOf}')::timestamptz";

    private const string UpsertCustomers = CustomerRows + "\n" + $$"""
        ON CONFLICT (organization_id, id) DO UPDATE
            SET deleted = EXCLUDED.deleted, updated_at = EXCLUDED.updated_at, document = EXCLUDED.document,
                settings_version = EXCLUDED.settings_version
            WHERE t.document IS DISTINCT FROM EXCLUDED.document
              -- The customer grain's own rule (SnapshotOrdering), kept here against late writes from an
              -- activation on a silo already declared dead: newest wins, and deleted is final (Stripe
              -- cannot undelete).
              AND NOT (t.deleted AND NOT EXCLUDED.deleted)
              AND (EXCLUDED.deleted OR {{IncomingAsOf}} >= {{RowAsOf}})
        """;

    // The customers whose row is the record just saved (its updated_at, stamped at each derivation,
    // tells them apart): a record the guards refused must not replace the row's contacts. Separate
    // statements after the upsert, so each sees every save committed before it.
    private const string SavedCustomers = """
        SELECT k.organization_id, k.customer_id
        FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS k(organization_id, customer_id, updated_at)
        JOIN upflow_customers s ON s.organization_id = k.organization_id AND s.id = k.customer_id AND s.updated_at = k.updated_at
        """;

    // A saved customer's contacts are exactly those of the record: every other row of it goes.
    private const string DeleteReplacedContacts = $$"""
        DELETE FROM upflow_contacts c
        USING ({{SavedCustomers}}) AS k
        WHERE c.organization_id = k.organization_id AND c.customer_id = k.customer_id
          AND NOT EXISTS (
              SELECT 1 FROM unnest($4::text[], $5::text[]) AS n(organization_id, id)
              WHERE n.organization_id = c.organization_id AND n.id = c.id)
        """;

    private const string UpsertContacts = $$"""
        INSERT INTO upflow_contacts AS t (organization_id, id, customer_id, email, source, role)
        SELECT n.* FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[])
            AS n(organization_id, id, customer_id, email, source, role)
        JOIN ({{SavedCustomers}}) AS k ON k.organization_id = n.organization_id AND k.customer_id = n.customer_id
        ON CONFLICT (organization_id, id) DO UPDATE
            SET email = EXCLUDED.email, source = EXCLUDED.source, role = EXCLUDED.role
            WHERE (t.email, t.source, t.role) IS DISTINCT FROM (EXCLUDED.email, EXCLUDED.source, EXCLUDED.role)
        """;

    // New customers and, in the same statement, the contacts of those actually inserted.
    private const string InsertCustomers = "WITH inserted AS (\n" + CustomerRows + "\n" + """
            ON CONFLICT (organization_id, id) DO NOTHING
            RETURNING organization_id, id
        ), contacts AS (
            INSERT INTO upflow_contacts (organization_id, id, customer_id, email, source, role)
            SELECT c.* FROM unnest($7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[])
                AS c(organization_id, id, customer_id, email, source, role)
            JOIN inserted i ON i.organization_id = c.organization_id AND i.id = c.customer_id
            ON CONFLICT (organization_id, id) DO NOTHING
        )
        SELECT organization_id, id FROM inserted
        """;

    private const string InvoiceRows = """
        INSERT INTO upflow_invoices AS t (organization_id, id, customer_id, stripe_status, due_at, issue_at, paid_at, updated_at, document, settings_version)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::timestamptz[], $6::timestamptz[], $7::timestamptz[], $8::timestamptz[], $9::jsonb[], $10::bigint[])
        """;

    private const string UpsertInvoices = InvoiceRows + "\n" + $$"""
        ON CONFLICT (organization_id, id) DO UPDATE
            SET customer_id = EXCLUDED.customer_id, stripe_status = EXCLUDED.stripe_status, due_at = EXCLUDED.due_at,
                issue_at = EXCLUDED.issue_at, paid_at = EXCLUDED.paid_at, updated_at = EXCLUDED.updated_at, document = EXCLUDED.document,
                settings_version = EXCLUDED.settings_version
            WHERE t.document IS DISTINCT FROM EXCLUDED.document
              -- The invoice grain's own rule (SnapshotOrdering), kept here against late writes from an
              -- activation on a silo already declared dead: status only moves forward (open <
              -- uncollectible < paid = void; paid and void final), and within a status newest wins.
              AND ({{IncomingRank}} > {{RowRank}} OR ({{IncomingRank}} = {{RowRank}} AND {{IncomingAsOf}} >= {{RowAsOf}}))
              AND NOT (t.stripe_status IN ('paid', 'void') AND EXCLUDED.stripe_status <> t.stripe_status)
        """;

    // SnapshotOrdering.InvoiceRank, in SQL (drafts are never stored).
    private const string RowRank = "(CASE t.stripe_status WHEN 'open' THEN 1 WHEN 'uncollectible' THEN 2 ELSE 3 END)";
    private const string IncomingRank = "(CASE EXCLUDED.stripe_status WHEN 'open' THEN 1 WHEN 'uncollectible' THEN 2 ELSE 3 END)";

    private const string PaymentRows = """
        INSERT INTO upflow_payments AS t (organization_id, id, source, invoice_id, customer_id, export_status, paid_at, updated_at, document, settings_version)
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::timestamptz[], $9::jsonb[], $10::bigint[])
        """;

    private const string UpsertPayments = PaymentRows + "\n" + """
        ON CONFLICT (organization_id, id) DO UPDATE
            SET source = EXCLUDED.source, invoice_id = EXCLUDED.invoice_id, customer_id = EXCLUDED.customer_id,
                export_status = EXCLUDED.export_status, paid_at = EXCLUDED.paid_at, updated_at = EXCLUDED.updated_at,
                document = EXCLUDED.document, settings_version = EXCLUDED.settings_version
            WHERE t.document IS DISTINCT FROM EXCLUDED.document
              -- Exported is final: a late write from an activation on a silo already declared dead
              -- (a pending row it saved before the payment was exported elsewhere) must not revive it.
              AND NOT (t.export_status = 'exported' AND EXCLUDED.export_status <> 'exported')
        """;

    private const string InsertOnlyNew = "\nON CONFLICT (organization_id, id) DO NOTHING RETURNING organization_id, id";

    private async Task<IReadOnlyList<bool>> WriteCustomersAsync(IReadOnlyList<CustomerRecord> batch)
    {
        var rows = LatestPerRow(batch, r => new RowKey(r.OrganizationId, r.Id));
        var contacts = ContactsOf(rows);
        NpgsqlParameter[] Saved() =>
        [
            Text(rows.Select(r => r.OrganizationId)),
            Text(rows.Select(r => r.Id)),
            Instants(rows.Select(r => (DateTimeOffset?)r.UpdatedAt)),
        ];
        await using var command = _dataSource.CreateBatch();
        command.BatchCommands.Add(Statement(UpsertCustomers, CustomerColumns(rows)));
        command.BatchCommands.Add(Statement(DeleteReplacedContacts, [.. Saved(),
            Text(contacts.Select(c => c.OrganizationId)),
            Text(contacts.Select(c => c.Id))]));
        if (contacts.Count > 0)
        {
            command.BatchCommands.Add(Statement(UpsertContacts, [.. Saved(), .. ContactColumns(contacts)]));
        }

        // One batch, one implicit transaction: the customer and its contacts commit together.
        await command.ExecuteNonQueryAsync();
        return Acknowledged(batch.Count);
    }

    private Task<IReadOnlyList<bool>> InsertCustomersAsync(IReadOnlyList<CustomerRecord> batch) =>
        InsertNewAsync(batch, r => new RowKey(r.OrganizationId, r.Id),
            rows => Statement(InsertCustomers, [.. CustomerColumns(rows), .. ContactColumns(ContactsOf(rows))]));

    private async Task<IReadOnlyList<bool>> WriteInvoicesAsync(IReadOnlyList<InvoiceRecord> batch)
    {
        var rows = LatestPerRow(batch, r => new RowKey(r.OrganizationId, r.Id));
        await using var command = _dataSource.CreateBatch();
        command.BatchCommands.Add(Statement(UpsertInvoices, InvoiceColumns(rows)));
        await command.ExecuteNonQueryAsync();
        return Acknowledged(batch.Count);
    }

    private Task<IReadOnlyList<bool>> InsertInvoicesAsync(IReadOnlyList<InvoiceRecord> batch) =>
        InsertNewAsync(batch, r => new RowKey(r.OrganizationId, r.Id), rows => Statement(InvoiceRows + InsertOnlyNew, InvoiceColumns(rows)));

    private async Task<IReadOnlyList<bool>> WritePaymentsAsync(IReadOnlyList<PaymentRecord> batch)
    {
        var rows = LatestPerRow(batch, r => new RowKey(r.OrganizationId, r.Id));
        await using var command = _dataSource.CreateBatch();
        command.BatchCommands.Add(Statement(UpsertPayments, PaymentColumns(rows)));
        await command.ExecuteNonQueryAsync();
        return Acknowledged(batch.Count);
    }

    private Task<IReadOnlyList<bool>> InsertPaymentsAsync(IReadOnlyList<PaymentRecord> batch) =>
        InsertNewAsync(batch, r => new RowKey(r.OrganizationId, r.Id), rows => Statement(PaymentRows + InsertOnlyNew, PaymentColumns(rows)));

    /// <summary>
    /// Inserts the rows not stored yet and answers, for each request, whether its record is now the
    /// row: when one batch holds two inserts of the same object, only the first can be.
    /// </summary>
    private async Task<IReadOnlyList<bool>> InsertNewAsync<T>(IReadOnlyList<T> batch, Func<T, RowKey> key, Func<List<T>, NpgsqlBatchCommand> insert)
        where T : class
    {
        var first = new Dictionary<RowKey, T>(batch.Count);
        foreach (var record in batch) first.TryAdd(key(record), record);
        var rows = ByKey(first);

        var inserted = new HashSet<RowKey>();
        await using var command = _dataSource.CreateBatch();
        command.BatchCommands.Add(insert(rows));
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) inserted.Add(new RowKey(reader.GetString(0), reader.GetString(1)));
        }

        return batch.Select(r => inserted.Contains(key(r)) && ReferenceEquals(first[key(r)], r)).ToList();
    }

    private static List<ContactRecord> ContactsOf(IEnumerable<CustomerRecord> customers) => customers
        .SelectMany(r => r.Contacts
            .Select(c => new ContactRecord(r.OrganizationId, ContactRecord.IdFor(r.Id, c.Email), r.Id, c.Email, c.Source, c.Role)))
        .DistinctBy(c => new RowKey(c.OrganizationId, c.Id))
        .OrderBy(c => c.OrganizationId, StringComparer.Ordinal).ThenBy(c => c.Id, StringComparer.Ordinal)
        .ToList();

    private static NpgsqlParameter[] CustomerColumns(List<CustomerRecord> rows) =>
    [
        Text(rows.Select(r => r.OrganizationId)),
        Text(rows.Select(r => r.Id)),
        new NpgsqlParameter<bool[]> { TypedValue = rows.Select(r => r.Snapshot.Deleted).ToArray() },
        Instants(rows.Select(r => (DateTimeOffset?)r.UpdatedAt)),
        Documents(rows),
        Versions(rows.Select(r => r.SettingsVersion)),
    ];

    private static NpgsqlParameter[] ContactColumns(List<ContactRecord> contacts) =>
    [
        Text(contacts.Select(c => c.OrganizationId)),
        Text(contacts.Select(c => c.Id)),
        Text(contacts.Select(c => c.CustomerId)),
        Text(contacts.Select(c => c.Email)),
        Text(contacts.Select(c => c.Source)),
        Text(contacts.Select(c => c.Role)),
    ];

    private static NpgsqlParameter[] InvoiceColumns(List<InvoiceRecord> rows) =>
    [
        Text(rows.Select(r => r.OrganizationId)),
        Text(rows.Select(r => r.Id)),
        Text(rows.Select(r => r.Snapshot.CustomerId)),
        Text(rows.Select(r => r.Snapshot.StripeStatus)),
        Instants(rows.Select(r => r.Snapshot.DueDate)),
        Instants(rows.Select(r => (DateTimeOffset?)InvoiceDates.IssueInstant(r.Snapshot))),
        Instants(rows.Select(r => r.Snapshot.PaidAt)),
        Instants(rows.Select(r => (DateTimeOffset?)r.UpdatedAt)),
        Documents(rows),
        Versions(rows.Select(r => r.SettingsVersion)),
    ];

    private static NpgsqlParameter[] PaymentColumns(List<PaymentRecord> rows) =>
    [
        Text(rows.Select(r => r.OrganizationId)),
        Text(rows.Select(r => r.Id)),
        Text(rows.Select(r => r.Source)),
        Text(rows.Select(r => r.InvoiceId)),
        Text(rows.Select(r => r.CustomerId)),
        Text(rows.Select(r => r.Export.Status)),
        Instants(rows.Select(r => r.PaidAt)),
        Instants(rows.Select(r => (DateTimeOffset?)r.UpdatedAt)),
        Documents(rows),
        Versions(rows.Select(r => r.SettingsVersion)),
    ];

    /// <summary>
    /// One row per key, the last request winning (an upsert cannot touch a row twice), sorted by key.
    /// </summary>
    private static List<T> LatestPerRow<T>(IReadOnlyList<T> batch, Func<T, RowKey> key)
    {
        var latest = new Dictionary<RowKey, T>(batch.Count);
        foreach (var item in batch)
        {
            latest[key(item)] = item;
        }

        return ByKey(latest);
    }

    /// <summary>Sorted by key, so concurrent batches lock rows in the same order and cannot deadlock.</summary>
    private static List<T> ByKey<T>(Dictionary<RowKey, T> rows) => rows
        .OrderBy(pair => pair.Key.OrganizationId, StringComparer.Ordinal)
        .ThenBy(pair => pair.Key.Id, StringComparer.Ordinal)
        .Select(pair => pair.Value)
        .ToList();

    private static IReadOnlyList<bool> Acknowledged(int count) => Enumerable.Repeat(true, count).ToArray();

    // ---- reads --------------------------------------------------------------------------------

    private async Task<IReadOnlyList<T?>> ReadAsync<T>(string table, IReadOnlyList<RowKey> keys)
        where T : class
    {
        var found = new Dictionary<RowKey, T>(keys.Count);
        await using (var command = _dataSource.CreateCommand(
            $"""
            SELECT t.organization_id, t.id, t.document::text
            FROM unnest($1::text[], $2::text[]) AS k(organization_id, id)
            JOIN {table} t ON t.organization_id = k.organization_id AND t.id = k.id
            """))
        {
            command.Parameters.Add(Text(keys.Select(k => k.OrganizationId)));
            command.Parameters.Add(Text(keys.Select(k => k.Id)));
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                found[new RowKey(reader.GetString(0), reader.GetString(1))] = LedgerJson.Deserialize<T>(reader.GetString(2));
            }
        }

        return keys.Select(k => found.GetValueOrDefault(k)).ToList();
    }

    // ---- parameters ---------------------------------------------------------------------------

    internal static NpgsqlBatchCommand Statement(string sql, params NpgsqlParameter[] parameters)
    {
        var statement = new NpgsqlBatchCommand(sql);
        statement.Parameters.AddRange(parameters);
        return statement;
    }

    internal static NpgsqlParameter Text(IEnumerable<string?> values) =>
        new NpgsqlParameter<string?[]> { TypedValue = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text };

    private static NpgsqlParameter Instants(IEnumerable<DateTimeOffset?> values) =>
        new NpgsqlParameter<DateTime?[]>
        {
            TypedValue = values.Select(v => v?.UtcDateTime).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
        };

    private static NpgsqlParameter Versions(IEnumerable<long> values) =>
        new NpgsqlParameter<long[]> { TypedValue = values.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint };

    private static NpgsqlParameter Documents<T>(IEnumerable<T> records) =>
        new NpgsqlParameter<string[]>
        {
            TypedValue = records.Select(r => LedgerJson.Serialize(r)).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb,
        };

    private readonly record struct RowKey(string OrganizationId, string Id);
}
