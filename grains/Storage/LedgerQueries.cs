using Npgsql;
using NpgsqlTypes;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Storage;

/// <summary>
/// The list endpoints' reads: keyset pages over the read-model tables, each filter served by an
/// index in the list's order (deploy/sql/110_upflow_ledger.sql), never OFFSET, never a grain.
/// </summary>
/// <remarks>
/// Lists are ordered by id, except DUE and OVERDUE invoices, which are ordered by due date (no due
/// date last), then id: the order a collector works in, and one index range whatever the mix of
/// due and overdue invoices. Limits are validated by the API (1–500).
/// </remarks>
public sealed class LedgerQueries(NpgsqlDataSource dataSource, LedgerStore store)
{
    public const int MaxLimit = 500;

    public Task<CustomerRecord?> FindCustomerAsync(string organizationId, string id) => store.FindCustomerAsync(organizationId, id);

    public Task<InvoiceRecord?> FindInvoiceAsync(string organizationId, string id) => store.FindInvoiceAsync(organizationId, id);

    public Task<PaymentRecord?> FindPaymentAsync(string organizationId, string id) => store.FindPaymentAsync(organizationId, id);

    /// <summary>Customers by id; customers deleted in Stripe are left out.</summary>
    public async Task<Page<CustomerRecord>> ListCustomersAsync(string organizationId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var after = LedgerCursor.Decode(cursor, LedgerCursor.Customers);
        var query = new Query(organizationId, "upflow_customers", "NOT deleted");
        query.AfterId(after);
        var rows = await query.ReadDocumentsAsync(dataSource, limit, LedgerJson.Deserialize<CustomerRecord>, cancellationToken);
        return Paged(rows, limit, last => new LedgerCursor(LedgerCursor.Customers, last.Id));
    }

    /// <param name="source">stripe | custom_field; null for both.</param>
    public async Task<Page<ContactRecord>> ListContactsAsync(string organizationId, string? customerId, string? source, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var after = LedgerCursor.Decode(cursor, LedgerCursor.Contacts);
        var query = new Query(organizationId, "upflow_contacts", columns: "id, customer_id, email, source, role");
        query.Equal("customer_id", customerId);
        query.Equal("source", source);
        query.AfterId(after);
        var rows = await query.ReadAsync(dataSource, limit, reader => new ContactRecord(
            organizationId, reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4)), cancellationToken);
        return Paged(rows, limit, last => new LedgerCursor(LedgerCursor.Contacts, last.Id));
    }

    /// <param name="startOfTodayInZone">
    /// The instant today began in the organization's zone: an open invoice due before it is OVERDUE,
    /// one due at or after it (or with no due date) is DUE.
    /// </param>
    public async Task<Page<InvoiceRecord>> ListInvoicesAsync(
        string organizationId,
        LedgerInvoiceStatus? status,
        string? customerId,
        DateTimeOffset startOfTodayInZone,
        int limit,
        string? cursor,
        CancellationToken cancellationToken = default)
    {
        var byDue = status is LedgerInvoiceStatus.DUE or LedgerInvoiceStatus.OVERDUE;
        var after = LedgerCursor.Decode(cursor, byDue ? LedgerCursor.InvoicesByDue : LedgerCursor.Invoices);
        var query = new Query(organizationId, "upflow_invoices", columns: "id, due_at, document::text");
        query.Equal("customer_id", customerId);
        switch (status)
        {
            // The literals match the partial indexes' predicates, so the planner can use them.
            case LedgerInvoiceStatus.OVERDUE:
                query.Where("stripe_status = 'open'");
                query.Where($"due_key < {query.Parameter(startOfTodayInZone.UtcDateTime, NpgsqlDbType.TimestampTz)}");
                break;
            case LedgerInvoiceStatus.DUE:
                query.Where("stripe_status = 'open'");
                query.Where($"due_key >= {query.Parameter(startOfTodayInZone.UtcDateTime, NpgsqlDbType.TimestampTz)}");
                break;
            case LedgerInvoiceStatus.PAID:
                query.Where("stripe_status IN ('paid', 'uncollectible')");
                break;
            case LedgerInvoiceStatus.VOIDED:
                query.Where("stripe_status = 'void'");
                break;
        }

        if (byDue)
        {
            query.OrderBy = "due_key, id";
            if (after is { } position)
            {
                var due = query.Parameter(position.DueTicks is { } ticks ? new DateTime(ticks, DateTimeKind.Utc) : DBNull.Value, NpgsqlDbType.TimestampTz);
                query.Where($"(due_key, id) > (COALESCE({due}, 'infinity'::timestamptz), {query.Parameter(position.Id, NpgsqlDbType.Text)})");
            }
        }
        else
        {
            query.AfterId(after);
        }

        var rows = await query.ReadAsync(
            dataSource,
            limit,
            reader => (DueTicks: reader.IsDBNull(1) ? (long?)null : reader.GetFieldValue<DateTime>(1).Ticks, Record: LedgerJson.Deserialize<InvoiceRecord>(reader.GetString(2))),
            cancellationToken);
        var page = Paged(rows, limit, last => byDue
            ? new LedgerCursor(LedgerCursor.InvoicesByDue, last.Record.Id, last.DueTicks)
            : new LedgerCursor(LedgerCursor.Invoices, last.Record.Id));
        return new Page<InvoiceRecord>(page.Items.Select(r => r.Record).ToList(), page.NextCursor);
    }

    /// <param name="exportStatus">not_applicable | pending | exported | error; null for all.</param>
    /// <param name="source">stripe | portal; null for both.</param>
    public async Task<Page<PaymentRecord>> ListPaymentsAsync(
        string organizationId,
        string? exportStatus,
        string? invoiceId,
        string? source,
        int limit,
        string? cursor,
        CancellationToken cancellationToken = default)
    {
        var after = LedgerCursor.Decode(cursor, LedgerCursor.Payments);
        var query = new Query(organizationId, "upflow_payments");
        if (exportStatus is not null)
        {
            query.Equal("export_status", exportStatus);
            if (exportStatus != ExportStatuses.NotApplicable)
            {
                // Repeats the partial index's predicate: a parameter alone would not prove it.
                query.Where("export_status <> 'not_applicable'");
            }
        }

        query.Equal("invoice_id", invoiceId);
        query.Equal("source", source);
        query.AfterId(after);
        var rows = await query.ReadDocumentsAsync(dataSource, limit, LedgerJson.Deserialize<PaymentRecord>, cancellationToken);
        return Paged(rows, limit, last => new LedgerCursor(LedgerCursor.Payments, last.Id));
    }

    private static Page<T> Paged<T>(List<T> rows, int limit, Func<T, LedgerCursor> cursorOf)
    {
        // One row more than the page was read: its presence is what says there is a next page.
        if (rows.Count <= limit)
        {
            return new Page<T>(rows, null);
        }

        rows.RemoveAt(rows.Count - 1);
        return new Page<T>(rows, cursorOf(rows[^1]).Encode());
    }

    private sealed class Query(string organizationId, string table, string? condition = null, string columns = "id, document::text")
    {
        private readonly List<string> _where = [];
        private readonly List<NpgsqlParameter> _parameters = [];

        public string OrderBy { get; set; } = "id";

        public string Parameter(object value, NpgsqlDbType type)
        {
            _parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
            return "$" + _parameters.Count;
        }

        public void Where(string sql) => _where.Add(sql);

        public void Equal(string column, string? value)
        {
            if (value is not null)
            {
                Where($"{column} = {Parameter(value, NpgsqlDbType.Text)}");
            }
        }

        public void AfterId(LedgerCursor? after)
        {
            if (after is { } position)
            {
                Where($"id > {Parameter(position.Id, NpgsqlDbType.Text)}");
            }
        }

        /// <summary>Rows whose second column is the document.</summary>
        public Task<List<T>> ReadDocumentsAsync<T>(NpgsqlDataSource dataSource, int limit, Func<string, T> fromDocument, CancellationToken cancellationToken) =>
            ReadAsync(dataSource, limit, reader => fromDocument(reader.GetString(1)), cancellationToken);

        public async Task<List<T>> ReadAsync<T>(NpgsqlDataSource dataSource, int limit, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
            ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxLimit);
            var organization = Parameter(organizationId, NpgsqlDbType.Text);
            var conditions = new List<string> { $"organization_id = {organization}" };
            if (condition is not null)
            {
                conditions.Add(condition);
            }

            conditions.AddRange(_where);
            var sql = $"SELECT {columns} FROM {table} WHERE {string.Join(" AND ", conditions)} ORDER BY {OrderBy} LIMIT {limit + 1}";
            await using var command = dataSource.CreateCommand(sql);
            command.Parameters.AddRange(_parameters.ToArray());
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            var rows = new List<T>(limit + 1);
            while (await reader.ReadAsync(cancellationToken))
            {
                rows.Add(read(reader));
            }

            return rows;
        }
    }
}
