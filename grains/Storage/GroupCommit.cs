using System.Diagnostics;
using System.Threading.Channels;
using Npgsql;
using Upflow.Orleans.Stripe;

namespace Upflow.Orleans.Storage;

/// <summary>
/// Group commit: requests that arrive while the database is busy (or within <c>linger</c> of each
/// other) are handed to <c>flush</c> together, so a backfill page of a hundred grains saving at once
/// costs one statement instead of a hundred. A caller's task completes only when the batch holding
/// its request has been executed — for writes, committed — so an acknowledged write is durable.
/// </summary>
/// <remarks>
/// A caller must await one write before writing the same object again (a grain does so by nature):
/// batches in flight at the same time are not ordered relative to each other.
/// When a batch fails on a PostgreSQL error, its requests are retried one by one, so one bad row
/// fails only its own caller; a connection failure fails the whole batch.
/// Tracing: one statement serves many callers, so each batch is one span parented on the first
/// caller's span and linked to every other caller's, with the SQL spans under it: every caller's
/// trace reaches PostgreSQL, the first directly, the others through a link.
/// </remarks>
internal sealed class GroupCommit<TRequest, TResult> : IAsyncDisposable
{
    private static readonly ActivitySource Source = new(StripeTelemetry.Name);

    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> _flush;
    private readonly int _maxBatch;
    private readonly TimeSpan _linger;
    private readonly SemaphoreSlim _slots;
    private readonly int _maxInFlight;
    private readonly Task _loop;
    private readonly string _name;
    private readonly Func<TRequest, string> _organizationOf;

    /// <param name="name">The batch span's name, e.g. "upflow_customers upsert".</param>
    /// <param name="organizationOf">The organization of a request: the batch span's <c>organization.id</c> is its first caller's.</param>
    public GroupCommit(Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> flush, int maxBatch, TimeSpan linger, int maxInFlight,
        string name, Func<TRequest, string> organizationOf)
    {
        _flush = flush;
        _maxBatch = maxBatch;
        _linger = linger;
        _maxInFlight = maxInFlight;
        _name = name;
        _organizationOf = organizationOf;
        _slots = new SemaphoreSlim(maxInFlight, maxInFlight);
        // Not the constructing caller's execution context: its span (whichever request happened to
        // create the store) would otherwise be the ambient parent of every batch for the silo's life.
        using (ExecutionContext.SuppressFlow()) _loop = Task.Run(RunAsync);
    }

    public Task<TResult> EnqueueAsync(TRequest request)
    {
        var pending = new Pending(request, new TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously),
            Activity.Current?.Context ?? default);
        if (!_queue.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(LedgerStore), "The ledger store is shutting down.");
        }

        return pending.Completion.Task;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
        // Wait for the batches still in flight: their callers are owed an answer.
        for (var i = 0; i < _maxInFlight; i++)
        {
            await _slots.WaitAsync().ConfigureAwait(false);
        }
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // While every slot is busy, requests pile up in the queue: that is what makes batches large under load.
            await _slots.WaitAsync().ConfigureAwait(false);
            var batch = new List<Pending>(Math.Min(_maxBatch, 64));
            Drain(reader, batch);
            if (batch.Count < _maxBatch && _linger > TimeSpan.Zero)
            {
                await Task.Delay(_linger).ConfigureAwait(false);
                Drain(reader, batch);
            }

            if (batch.Count == 0)
            {
                _slots.Release();
                continue;
            }

            _ = FlushAsync(batch);
        }
    }

    private void Drain(ChannelReader<Pending> reader, List<Pending> batch)
    {
        while (batch.Count < _maxBatch && reader.TryRead(out var pending))
        {
            batch.Add(pending);
        }
    }

    private async Task FlushAsync(List<Pending> batch)
    {
        try
        {
            using var activity = StartBatchActivity(batch);
            await FlushOrSplitAsync(batch).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }
    }

    private Activity? StartBatchActivity(List<Pending> batch)
    {
        if (!Source.HasListeners()) return null;
        var parent = batch[0].Caller;
        var links = new List<ActivityLink>();
        var seen = new HashSet<ActivitySpanId> { parent.SpanId };
        foreach (var pending in batch)
        {
            if (pending.Caller == default || !seen.Add(pending.Caller.SpanId)) continue;
            links.Add(new ActivityLink(pending.Caller, new ActivityTagsCollection { [StripeTelemetry.OrganizationTag] = _organizationOf(pending.Request) }));
        }

        var activity = Source.StartActivity(_name, ActivityKind.Internal, parent, links: links);
        activity?.SetTag(StripeTelemetry.OrganizationTag, _organizationOf(batch[0].Request));
        activity?.SetTag("upflow.batch.size", batch.Count);
        return activity;
    }

    private async Task FlushOrSplitAsync(List<Pending> batch)
    {
        IReadOnlyList<TResult> results;
        try
        {
            results = await _flush(batch.ConvertAll(p => p.Request)).ConfigureAwait(false);
        }
        catch (PostgresException) when (batch.Count > 1)
        {
            foreach (var pending in batch)
            {
                await FlushOrSplitAsync([pending]).ConfigureAwait(false);
            }

            return;
        }
        catch (Exception exception)
        {
            foreach (var pending in batch)
            {
                pending.Completion.TrySetException(exception);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            batch[i].Completion.TrySetResult(results[i]);
        }
    }

    private sealed record Pending(TRequest Request, TaskCompletionSource<TResult> Completion, ActivityContext Caller);
}
