using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Upflow.Orleans.Accounts;

namespace Upflow.Orleans.Webhooks;

/// <summary>
/// Per silo, once it is active: runs the dispatcher's workers, applies acknowledged events that no
/// grain applied (a silo that stopped between the 200 and the grain) at start and every
/// <see cref="RealTimeOptions.EventDrainInterval"/>, and asks every connected account to catch up
/// from Stripe's Events API at start (endpoint down, silo restart).
/// </summary>
public sealed partial class EventDrain(
    EventDispatcher dispatcher,
    EventLog events,
    IGrainFactory grains,
    NpgsqlDataSource dataSource,
    IOptions<RealTimeOptions> options,
    TimeProvider clock,
    ILogger<EventDrain> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private const int DrainBatch = 500;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _abandonQueue = new();
    private Task _running = Task.CompletedTask;
    private Task _dispatching = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(EventDrain), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private Task StartAsync(CancellationToken cancellation)
    {
        _dispatching = dispatcher.RunAsync(_abandonQueue.Token);
        _running = Task.WhenAll(DrainLoopAsync(_stopping.Token), CatchUpAllAsync(_stopping.Token));
        return Task.CompletedTask;
    }

    /// <summary>
    /// Stops with the silo's Active stage, before grains deactivate (the web server has already
    /// stopped and its in-flight webhooks got their answer): events acknowledged and queued are applied
    /// while the grains are still there, within the shutdown budget; what is left then is the drain's
    /// at the next start. The periodic drain and the start-up catch-up just stop.
    /// </summary>
    private async Task StopAsync(CancellationToken cancellation)
    {
        dispatcher.Complete();
        await _stopping.CancelAsync();
        try { await _dispatching.WaitAsync(cancellation); }
        catch (OperationCanceledException)
        {
            await _abandonQueue.CancelAsync();
            LogQueueAbandoned(logger);
        }
        try { await _running.WaitAsync(cancellation); }
        catch (OperationCanceledException) { }
    }

    private async Task DrainLoopAsync(CancellationToken stopping)
    {
        using var timer = new PeriodicTimer(options.Value.EventDrainInterval, clock);
        do
        {
            try
            {
                await DrainAsync(stopping);
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                LogDrainFailed(logger, exception);
            }
        } while (await WaitAsync(timer, stopping));
    }

    /// <summary>Applies every unapplied event older than the grace period; returns how many were applied.</summary>
    public async Task<int> DrainAsync(CancellationToken stopping)
    {
        var applied = 0;
        var receivedBefore = clock.GetUtcNow() - options.Value.EventDrainGrace;
        UnappliedPosition? after = null;
        while (!stopping.IsCancellationRequested)
        {
            // Paged forward, so a tick reads each waiting event once, however long the backlog.
            var (waiting, last) = await events.ListUnappliedAsync(receivedBefore, after, DrainBatch, stopping);
            after = last;
            // Under a backlog, events older than the grace may still be queued here: the workers have them.
            var results = await Task.WhenAll(waiting.Where(record => !dispatcher.IsQueued(record)).Select(dispatcher.TryApplyAsync));
            applied += results.Count(ok => ok);
            // A batch that applied nothing (Stripe or a grain down) is retried at the next tick, not in a loop.
            if (waiting.Count < DrainBatch || results.Length > 0 && results.All(ok => !ok)) break;
        }

        if (applied > 0) LogDrained(logger, applied);
        return applied;
    }

    private async Task CatchUpAllAsync(CancellationToken stopping)
    {
        try
        {
            // Every organization has an API key row; the account grain of one that is not connected says so and stops.
            var organizations = new List<string>();
            await using (var command = dataSource.CreateCommand("SELECT DISTINCT organization_id FROM upflow_api_keys"))
            await using (var reader = await command.ExecuteReaderAsync(stopping))
                while (await reader.ReadAsync(stopping)) organizations.Add(reader.GetString(0));
            await Parallel.ForEachAsync(organizations, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = stopping },
                async (organization, _) => await grains.GetGrain<IStripeAccountGrain>(organization).StartCatchUp());
        }
        catch (Exception exception) when (!stopping.IsCancellationRequested)
        {
            LogCatchUpAllFailed(logger, exception);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stopping)
    {
        try { return await timer.WaitForNextTickAsync(stopping); }
        catch (OperationCanceledException) { return false; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The shutdown budget ran out before every queued webhook event was applied; the drain applies the rest at the next start")]
    private static partial void LogQueueAbandoned(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} acknowledged events that were waiting")]
    private static partial void LogDrained(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Draining unapplied events failed; the next tick retries")]
    private static partial void LogDrainFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Asking connected accounts to catch up at silo start failed; their catch-up reminders will")]
    private static partial void LogCatchUpAllFailed(ILogger logger, Exception exception);
}
