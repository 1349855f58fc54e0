using Npgsql;
using NpgsqlTypes;
using Upflow.Orleans.Storage;
using Upflow.Orleans.Sync;

namespace Upflow.Orleans.Webhooks;

/// <summary>
/// upflow_events: the durable acknowledgement of every Stripe event and its dedupe (DESIGN.md,
/// "Webhook ingress"). Recording is group-committed: concurrent webhooks gathered for a millisecond
/// become one multi-row INSERT … ON CONFLICT DO NOTHING, and each caller learns whether its row was new.
/// </summary>
public sealed class EventLog : IAsyncDisposable
{
    private const int MaxBatch = 500;
    private static readonly TimeSpan Linger = TimeSpan.FromMilliseconds(1);

    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _clock;
    private readonly GroupCommit<StripeEventRecord, RecordOutcome> _records;
    private readonly GroupCommit<AppliedEvent, bool> _applied;

    public EventLog(NpgsqlDataSource dataSource, TimeProvider clock)
    {
        _dataSource = dataSource;
        _clock = clock;
        _records = new(InsertAsync, MaxBatch, Linger, maxInFlight: 4, "upflow_events insert", r => r.OrganizationId);
        _applied = new(MarkAppliedAsync, MaxBatch, Linger, maxInFlight: 2, "upflow_events mark applied", a => a.OrganizationId);
    }

    /// <summary>Completes once the event is committed (or found already there): only then may Stripe be told 200.</summary>
    public Task<RecordOutcome> RecordAsync(StripeEventRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return _records.EnqueueAsync(record);
    }

    public Task MarkAppliedAsync(string organizationId, string eventId, string outcome) =>
        _applied.EnqueueAsync(new AppliedEvent(organizationId, eventId, outcome));

    /// <summary>
    /// Events acknowledged but not yet applied, received before <paramref name="receivedBefore"/>, oldest
    /// first, after <paramref name="after"/> (the last one of the previous page): a drain reads each at most once.
    /// </summary>
    public async Task<(IReadOnlyList<StripeEventRecord> Events, UnappliedPosition? Last)> ListUnappliedAsync(
        DateTimeOffset receivedBefore, UnappliedPosition? after, int limit, CancellationToken cancellation)
    {
        await using var command = _dataSource.CreateCommand("""
            SELECT organization_id, event_id, type, created, payload, source, trace_parent, received_at
            FROM upflow_events
            WHERE applied_at IS NULL AND received_at < $1
              AND ($3::timestamptz IS NULL OR (received_at, organization_id, event_id) > ($3, $4, $5))
            ORDER BY received_at, organization_id, event_id
            LIMIT $2
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = receivedBefore.UtcDateTime, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after?.ReceivedAt.UtcDateTime ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after?.OrganizationId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)after?.EventId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        var events = new List<StripeEventRecord>();
        UnappliedPosition? last = null;
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        while (await reader.ReadAsync(cancellation))
        {
            events.Add(new StripeEventRecord(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero), reader.GetString(4), reader.GetString(5),
                TraceParent: reader.IsDBNull(6) ? null : reader.GetString(6)));
            last = new UnappliedPosition(new DateTimeOffset(reader.GetDateTime(7), TimeSpan.Zero), reader.GetString(0), reader.GetString(1));
        }

        return (events, last);
    }

    /// <summary>
    /// lastEventAt: Stripe's time of the newest event received. Lag: while events wait to be applied,
    /// how long ago Stripe created the oldest of them; otherwise how long the newest event took from
    /// Stripe creating it to its grain applying it.
    /// </summary>
    public async Task<EventStreamStatus> ReadStatusAsync(string organizationId, CancellationToken cancellation = default)
    {
        await using var command = _dataSource.CreateCommand("""
            SELECT
                (SELECT max(created) FROM upflow_events WHERE organization_id = $1),
                (SELECT min(created) FROM upflow_events WHERE organization_id = $1 AND applied_at IS NULL AND outcome IS NULL),
                (SELECT count(*) FROM upflow_events WHERE organization_id = $1 AND applied_at IS NULL),
                (SELECT extract(epoch FROM applied_at - created)::float8 FROM upflow_events
                 WHERE organization_id = $1 AND applied_at IS NOT NULL AND outcome <> 'ignored'
                 ORDER BY created DESC LIMIT 1)
            """);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = organizationId });
        await using var reader = await command.ExecuteReaderAsync(cancellation);
        await reader.ReadAsync(cancellation);
        DateTimeOffset? last = reader.IsDBNull(0) ? null : new DateTimeOffset(reader.GetDateTime(0), TimeSpan.Zero);
        DateTimeOffset? oldestWaiting = reader.IsDBNull(1) ? null : new DateTimeOffset(reader.GetDateTime(1), TimeSpan.Zero);
        var waiting = reader.GetInt64(2);
        double? appliedLag = reader.IsDBNull(3) ? null : reader.GetDouble(3);
        var lag = oldestWaiting is { } oldest ? (_clock.GetUtcNow() - oldest).TotalSeconds : appliedLag;
        return new EventStreamStatus(last, lag is { } l ? Math.Max(0, Math.Round(l, 3)) : null, waiting);
    }

    public async ValueTask DisposeAsync()
    {
        await _records.DisposeAsync();
        await _applied.DisposeAsync();
    }

    private const string Insert = """
        INSERT INTO upflow_events (organization_id, event_id, type, created, source, payload, applied_at, outcome, trace_parent)
        SELECT r.organization_id, r.event_id, r.type, r.created, r.source, r.payload,
               CASE WHEN r.ignored THEN now() END, CASE WHEN r.ignored THEN 'ignored' END, r.trace_parent
        FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::text[], $6::text[], $7::boolean[], $8::text[])
             AS r(organization_id, event_id, type, created, source, payload, ignored, trace_parent)
        ON CONFLICT (organization_id, event_id) DO NOTHING
        RETURNING organization_id, event_id
        """;

    private async Task<IReadOnlyList<RecordOutcome>> InsertAsync(IReadOnlyList<StripeEventRecord> batch)
    {
        // A batch can hold the same event twice (a duplicate delivered within the linger): the first
        // copy is inserted, the others are duplicates.
        var firsts = new Dictionary<(string, string), int>();
        for (var i = 0; i < batch.Count; i++) firsts.TryAdd((batch[i].OrganizationId, batch[i].EventId), i);
        var rows = firsts.Values.Order().Select(i => batch[i]).ToList();

        await using var command = _dataSource.CreateCommand(Insert);
        command.Parameters.Add(LedgerStore.Text(rows.Select(r => r.OrganizationId)));
        command.Parameters.Add(LedgerStore.Text(rows.Select(r => r.EventId)));
        command.Parameters.Add(LedgerStore.Text(rows.Select(r => r.Type)));
        command.Parameters.Add(new NpgsqlParameter<DateTime[]>
        {
            TypedValue = rows.Select(r => r.Created.UtcDateTime).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz,
        });
        command.Parameters.Add(LedgerStore.Text(rows.Select(r => r.Source)));
        command.Parameters.Add(LedgerStore.Text(rows.Select(r => r.Payload)));
        command.Parameters.Add(new NpgsqlParameter<bool[]> { TypedValue = rows.Select(r => !StripeEventRoutes.IsKnown(r.Type)).ToArray() });
        command.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = rows.Select(r => r.TraceParent).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });

        var inserted = new HashSet<(string, string)>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) inserted.Add((reader.GetString(0), reader.GetString(1)));
        }

        var outcomes = new RecordOutcome[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            var key = (batch[i].OrganizationId, batch[i].EventId);
            outcomes[i] = firsts[key] != i || !inserted.Contains(key) ? RecordOutcome.Duplicate
                : StripeEventRoutes.IsKnown(batch[i].Type) ? RecordOutcome.New
                : RecordOutcome.Ignored;
        }

        return outcomes;
    }

    private const string MarkApplied = """
        UPDATE upflow_events e SET applied_at = now(), outcome = a.outcome
        FROM unnest($1::text[], $2::text[], $3::text[]) AS a(organization_id, event_id, outcome)
        WHERE e.organization_id = a.organization_id AND e.event_id = a.event_id AND e.applied_at IS NULL
        """;

    private async Task<IReadOnlyList<bool>> MarkAppliedAsync(IReadOnlyList<AppliedEvent> batch)
    {
        var rows = batch.DistinctBy(a => (a.OrganizationId, a.EventId))
            .OrderBy(a => a.OrganizationId, StringComparer.Ordinal).ThenBy(a => a.EventId, StringComparer.Ordinal).ToList();
        // A mark lost in a PostgreSQL crash leaves its event to the drain, which applies it again and
        // its grain answers from its row: the commit need not wait for the WAL flush (synchronous_commit
        // off, for this transaction only), and the flushes are left to the webhook acknowledgements
        // (bench, four interleaved pairs: acks/s up 9% on average). The ledger write a mark follows
        // was itself flushed before the mark was sent: no crash keeps the mark without it.
        await using var command = _dataSource.CreateBatch();
        command.BatchCommands.Add(new NpgsqlBatchCommand("SELECT set_config('synchronous_commit', 'off', true)"));
        command.BatchCommands.Add(LedgerStore.Statement(MarkApplied,
            LedgerStore.Text(rows.Select(r => r.OrganizationId)),
            LedgerStore.Text(rows.Select(r => r.EventId)),
            LedgerStore.Text(rows.Select(r => r.Outcome))));
        await command.ExecuteNonQueryAsync();
        return Enumerable.Repeat(true, batch.Count).ToArray();
    }

    private sealed record AppliedEvent(string OrganizationId, string EventId, string Outcome);
}

/// <summary>Where a read of unapplied events stopped: the last event's receipt time and key.</summary>
public readonly record struct UnappliedPosition(DateTimeOffset ReceivedAt, string OrganizationId, string EventId);
