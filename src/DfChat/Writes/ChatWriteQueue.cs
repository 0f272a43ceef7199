using System.Collections.Concurrent;
using DfChat.Events;
using DfChat.Options;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DfChat.Writes;

/// <summary>
/// The one road every chat write takes: writes queue in a lane (one per room on PostgreSQL; one for the
/// whole database on SQLite, which has a single writer), and whoever finds its lane idle drains it in
/// batches. A batch is one transaction, one lock of the room, one commit and so one disk flush, for as
/// many writes as arrived meanwhile (group commit), while each write keeps its own result: a failing
/// write is rolled back to its savepoint and fails alone. Sends are prepared writes (see
/// <see cref="RunPreparedAsync"/>): a batch's sends share one read of their members, one insert
/// statement and one write of their events, rather than paying each for their own round trips.
/// </summary>
/// <remarks>
/// Transient failures (deadlock, serialization failure, busy file, lost connection) retry the batch
/// with a fresh DbContext, a bounded number of times; a write that still cannot complete answers
/// <see cref="ChatError.Unavailable"/> (503). Writes run to completion whatever happens to the request
/// that asked for them, so a client that disconnects after sending still causes its events.
/// </remarks>
internal sealed partial class ChatWriteQueue(
    IServiceScopeFactory scopes,
    ChatOutbox outbox,
    HostTransactions hostTransactions,
    IOptionsMonitor<DfChatOptions> options,
    ILogger<ChatWriteQueue> logger) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lane> _lanes = new(StringComparer.Ordinal);

    /// <summary>
    /// The one writer of a SQLite database, shared by its partitions' lanes: writes of two tenants never
    /// share a batch, yet never contend for the file either (SQLite answers a second writer with a busy
    /// wait that costs far more than waiting in turn).
    /// </summary>
    private readonly SemaphoreSlim _singleWriter = new(1, 1);

    /// <summary>Runs <paramref name="work"/> in the lane <paramref name="lane"/>, batched with whatever else waits there.</summary>
    public Task<ChatResult<T>> RunAsync<T>(string lane, Func<WriteBatch, Task<ChatResult<T>>> work, WriteHint? hint = null) =>
        EnqueueAsync(lane, new WriteItem<T>(work) { Hint = hint });

    /// <summary>
    /// Runs a prepared write in the lane <paramref name="lane"/>: <paramref name="prepare"/> reads, checks
    /// and adds rows without saving anything, and hands back what to do once the rows of every prepared
    /// write of the batch are saved together (build the answer from the new ids, record the events).
    /// </summary>
    /// <remarks>
    /// This is how a busy room's sends share their round trips: one insert statement, one read of the
    /// members, one of the authors' names, one of the events, one commit for the whole batch. A prepare
    /// that fails must not have added anything (check first, then add), so it needs no savepoint.
    /// </remarks>
    public Task<ChatResult<T>> RunPreparedAsync<T>(string lane, WriteHint hint, Func<WriteBatch, Task<ChatResult<AfterSave<T>>>> prepare) =>
        EnqueueAsync(lane, new PreparedWriteItem<T>(prepare) { Hint = hint });

    private async Task<ChatResult<T>> EnqueueAsync<T>(string lane, ResultItem<T> item)
    {
        var queue = _lanes.GetOrAdd(lane, static key => new Lane(WriteLanes.IsSingleWriterPartition(key)));
        bool start;
        lock (queue)
        {
            queue.Waiting.Enqueue(item);
            start = !queue.Draining;
            queue.Draining = true;
        }

        // An idle lane: the caller runs the first batch (its own write first) itself, without a thread hop.
        if (start)
            await DrainAsync(lane, queue, until: item);

        try
        {
            return await item.Result.WaitAsync(options.CurrentValue.Writes.Timeout);
        }
        catch (TimeoutException) when (item.TryAbandon())
        {
            // Not started: it never will be, so the client may safely retry.
            return ChatError.Unavailable;
        }
        catch (TimeoutException)
        {
            // Started: it commits or fails soon, and the client must learn which.
            return await item.Result;
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> inside the transaction the host opened on <paramref name="host"/>:
    /// its writes commit or roll back with the host's, and its events go out only once the host commits.
    /// A failing write is rolled back to its savepoint, leaving the host's transaction usable.
    /// </summary>
    public async Task<ChatResult<T>> RunInHostTransactionAsync<T>(DbContext host, Func<WriteBatch, Task<ChatResult<T>>> work, CancellationToken cancellationToken)
    {
        await using var batch = await WriteBatch.JoinAsync(scopes, host, cancellationToken);
        await batch.SavepointAsync(cancellationToken);
        ChatResult<T> result;
        try
        {
            result = await work(batch);
            if (result.Succeeded)
                await batch.Db.SaveChangesAsync(cancellationToken);
        }
        catch
        {
            await batch.RollbackToSavepointAsync(CancellationToken.None);
            throw;
        }

        if (!result.Succeeded)
        {
            await batch.RollbackToSavepointAsync(cancellationToken);
            return result;
        }

        hostTransactions.Add(batch.DbTransaction, batch.Events);
        return result;
    }

    /// <summary>
    /// Runs the lane's batches until it is empty, or, when <paramref name="until"/> is given, until the
    /// batch that holds it has run: the rest is then left to the thread pool, so that its caller answers.
    /// </summary>
    private async Task DrainAsync(string key, Lane lane, WriteItem? until = null)
    {
        while (true)
        {
            var batch = new List<WriteItem>();
            lock (lane)
            {
                var max = options.CurrentValue.Writes.MaxBatchSize;
                while (batch.Count < max && lane.Waiting.TryDequeue(out var item))
                {
                    if (item.TryStart())
                        batch.Add(item);
                }

                if (batch.Count == 0)
                {
                    lane.Draining = false;
                    _lanes.TryRemove(new KeyValuePair<string, Lane>(key, lane));
                    return;
                }
            }

            if (lane.SharesSingleWriter)
                await _singleWriter.WaitAsync();
            try
            {
                await RunBatchAsync(batch);
            }
            finally
            {
                if (lane.SharesSingleWriter)
                    _singleWriter.Release();
            }

            if (until is not null && batch.Contains(until))
            {
                // The rest of the lane is nobody's request: it must not run in this one's context.
                using (ExecutionContext.SuppressFlow())
                    _ = Task.Run(() => DrainAsync(key, lane));
                return;
            }
        }
    }

    private async Task RunBatchAsync(List<WriteItem> items)
    {
        var settings = options.CurrentValue.Writes;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // The batch's DbContext is made in its first write's context: whatever the host's context
                // reads from the request when it is made (a tenant) is that write's, and the lane's
                // partition guarantees the batch's other writes agree (IChatWritePartition).
                await using var batch = await items[0].InOwnContextAsync(() => WriteBatch.BeginAsync(scopes, items, CancellationToken.None));
                var saveOneByOne = HostObservesSaves(batch.Db);
                var kept = 0;
                var prepared = new List<WriteItem>();
                foreach (var item in items)
                {
                    if (item is IPreparedWrite)
                    {
                        if (await item.InOwnContextAsync(() => item.RunAsync(batch)))
                        {
                            prepared.Add(item);
                            if (saveOneByOne)
                                kept += await SavePreparedAsync(batch, prepared);
                        }

                        continue;
                    }

                    // In arrival order: what was prepared before this write is saved before it runs.
                    kept += await SavePreparedAsync(batch, prepared);
                    if (await item.InOwnContextAsync(() => RunOneAsync(batch, item, alone: items.Count == 1)))
                        kept++;

                    // It may have changed memberships or names that the batch has read once for everyone.
                    batch.ForgetReads();
                }

                kept += await SavePreparedAsync(batch, prepared);

                // With nothing kept, disposing the batch rolls back whatever a failed write did.
                if (kept > 0)
                {
                    if (!await TryCommitAsync(batch, items))
                        return;
                    outbox.Committed(batch.Events);
                }

                foreach (var item in items)
                    item.Complete();
                return;
            }
            catch (Exception e) when (TransientFailures.IsTransient(e) && attempt < settings.MaxAttempts)
            {
                LogRetry(logger, e, attempt, items.Count);
                await Task.Delay(Backoff(attempt));
            }
            catch (Exception e) when (TransientFailures.IsUnavailable(e))
            {
                LogGaveUp(logger, e, attempt, items.Count);
                foreach (var item in items)
                    item.Fail(ChatError.Unavailable);
                return;
            }
            catch (DbUpdateException) when (items.Count == 1 && attempt == 1)
            {
                // A unique index stopped a write that raced another transaction: one more run, whose
                // checks now see what the other committed and answer as they should.
            }
            catch (Exception e) when (items.Count > 1)
            {
                // A save shared by prepared writes, or the commit, failed: each alone, so that the one at fault fails alone.
                LogBatchFailed(logger, e, items.Count);
                foreach (var item in items)
                    await RunBatchAsync([item]);
                return;
            }
            catch (Exception e)
            {
                items[0].Fail(e);
                return;
            }
        }
    }

    /// <summary>
    /// Commits; false when the commit itself failed. Its outcome is then unknown (the database may have
    /// committed before the connection dropped), so the batch is never run again, which could apply it
    /// twice: each write answers 503, and a client that retries a send with its clientMessageId gets the
    /// stored message back if it was kept. The outbox's recovery publishes its events if it was.
    /// </summary>
    private async Task<bool> TryCommitAsync(WriteBatch batch, List<WriteItem> items)
    {
        try
        {
            await batch.CommitAsync(CancellationToken.None);
            return true;
        }
        catch (Exception e) when (TransientFailures.IsUnavailable(e))
        {
            LogCommitUnknown(logger, e, items.Count);
            foreach (var item in items)
                item.Fail(ChatError.Unavailable);
            return false;
        }
    }

    /// <summary>
    /// Saves the rows of the prepared writes in one go, lets each finish with its new ids (its answer, its
    /// events), and saves those too; the number of writes kept.
    /// </summary>
    private static async Task<int> SavePreparedAsync(WriteBatch batch, List<WriteItem> prepared)
    {
        if (prepared.Count == 0)
            return 0;
        async Task<int> SaveAsync()
        {
            await batch.Db.SaveChangesAsync(CancellationToken.None);
            foreach (var item in prepared)
                ((IPreparedWrite)item).AfterSave();
            await batch.Db.SaveChangesAsync(CancellationToken.None);
            return prepared.Count;
        }

        // One write's rows are saved in that write's own context; several are saved together only when
        // no host code watches the save (HostObservesSaves), so none of it can see another's request.
        var count = prepared.Count == 1 ? await prepared[0].InOwnContextAsync(SaveAsync) : await SaveAsync();
        prepared.Clear();
        return count;
    }

    /// <summary>
    /// True when host code runs inside SaveChanges (a save-changes interceptor, or a context that
    /// overrides SaveChanges): then a batch saves each write's rows on their own, in that write's
    /// context, so that code stamping "modified by" from the request stamps each row with its own.
    /// </summary>
    private static bool HostObservesSaves(DbContext db)
    {
        var interceptors = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors;
        return (interceptors is not null && interceptors.Any(i => i is ISaveChangesInterceptor))
            || OverridesSaveChanges.GetOrAdd(db.GetType(), static type =>
                type.GetMethod(nameof(DbContext.SaveChanges), [typeof(bool)])!.DeclaringType != typeof(DbContext)
                || type.GetMethod(nameof(DbContext.SaveChangesAsync), [typeof(bool), typeof(CancellationToken)])!.DeclaringType != typeof(DbContext));
    }

    private static readonly ConcurrentDictionary<Type, bool> OverridesSaveChanges = new();

    /// <summary>
    /// Runs one write within the batch; true when its changes stay. Among others, a write that fails (an
    /// error result, or an exception such as a unique index losing a race) is rolled back to its
    /// savepoint and fails alone; after an exception it gets one more run, whose checks then see what
    /// the other writer committed and answer as they should (a 4xx, or the existing row).
    /// </summary>
    private static async Task<bool> RunOneAsync(WriteBatch batch, WriteItem item, bool alone)
    {
        if (alone)
        {
            if (!await item.RunAsync(batch))
                return false;
            await batch.Db.SaveChangesAsync(CancellationToken.None);
            return true;
        }

        for (var run = 1; ; run++)
        {
            await batch.SavepointAsync(CancellationToken.None);
            try
            {
                if (await item.RunAsync(batch))
                {
                    await batch.Db.SaveChangesAsync(CancellationToken.None);
                    return true;
                }
            }
            catch (DbUpdateException e) when (!TransientFailures.IsTransient(e) && run == 1)
            {
                await batch.RollbackToSavepointAsync(CancellationToken.None);
                continue;
            }

            await batch.RollbackToSavepointAsync(CancellationToken.None);
            return false;
        }
    }

    public void Dispose() => _singleWriter.Dispose();

    private static TimeSpan Backoff(int attempt) =>
        TimeSpan.FromMilliseconds(Random.Shared.Next(5, 20) * (1 << Math.Min(attempt, 6)));

    [LoggerMessage(EventId = 1101, Level = LogLevel.Information, Message = "A batch of {Count} chat writes met a transient failure (attempt {Attempt}); retrying.")]
    private static partial void LogRetry(ILogger logger, Exception exception, int attempt, int count);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "A batch of {Count} chat writes could not complete after {Attempt} attempts: answering 503.")]
    private static partial void LogGaveUp(ILogger logger, Exception exception, int attempt, int count);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "The commit of a batch of {Count} chat writes failed, its outcome unknown: answering 503 without a retry.")]
    private static partial void LogCommitUnknown(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Warning, Message = "A batch of {Count} chat writes failed to commit; running each alone.")]
    private static partial void LogBatchFailed(ILogger logger, Exception exception, int count);

    private sealed class Lane(bool sharesSingleWriter)
    {
        public Queue<WriteItem> Waiting { get; } = new();

        /// <summary>A partition's lane of a SQLite database: its batches take the database's one writer in turn with the other partitions'.</summary>
        public bool SharesSingleWriter { get; } = sharesSingleWriter;

        public bool Draining { get; set; }
    }
}

/// <summary>
/// Who writes where, known before the write runs, so that a batch can read the members of all its writes at once:
/// their callers, and the users they mention (<see cref="Mentioned"/>, a list of the host's keys, unchecked).
/// </summary>
internal readonly record struct WriteHint(long RoomId, object Caller, System.Collections.IEnumerable? Mentioned = null);

/// <summary>What a prepared write does once the batch's rows are saved and have their ids.</summary>
internal delegate ChatResult<T> AfterSave<T>();

/// <summary>A write in two steps: prepare (read, check, add rows), then, after the batch's save, finish.</summary>
internal interface IPreparedWrite
{
    /// <summary>Builds the answer from the saved rows and records the events.</summary>
    void AfterSave();
}

/// <summary>A write waiting in a lane: its work, and the result its request awaits.</summary>
internal abstract class WriteItem
{
    private const int Waiting = 0;
    private const int Started = 1;
    private const int Abandoned = 2;
    private int _state;

    /// <summary>Claims the item for a batch, unless its request gave up waiting.</summary>
    public bool TryStart() => Interlocked.CompareExchange(ref _state, Started, Waiting) == Waiting;

    /// <summary>Gives up on an item no batch has started.</summary>
    public bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Waiting) == Waiting;

    /// <summary>The room and caller of the write, when known in advance.</summary>
    public WriteHint? Hint { get; init; }

    /// <summary>
    /// The execution context of the code that queued the write (its request's: <c>IHttpContextAccessor</c>,
    /// <c>Activity.Current</c>, the culture, any <c>AsyncLocal</c>), captured when it was queued; null when
    /// that code suppressed the flow.
    /// </summary>
    public ExecutionContext? Context { get; } = ExecutionContext.Capture();

    /// <summary>
    /// Runs <paramref name="work"/> in <see cref="Context"/>, whichever request's flow runs the batch:
    /// host code that runs during the write (interceptors, query filters, the DbContext's own
    /// construction) sees this write's request.
    /// </summary>
    public Task<TResult> InOwnContextAsync<TResult>(Func<Task<TResult>> work)
    {
        if (Context is not { } context)
            return work();
        Task<TResult>? running = null;
        ExecutionContext.Run(context, _ => running = work(), null);
        return running!;
    }

    /// <summary>Runs the work; true when it succeeded and its changes should stay.</summary>
    public abstract Task<bool> RunAsync(WriteBatch batch);

    /// <summary>Hands the result of the last run to the request, once committed.</summary>
    public abstract void Complete();

    public abstract void Fail(ChatError error);

    public abstract void Fail(Exception exception);
}

/// <summary>A write item whose request awaits a <see cref="ChatResult{T}"/>.</summary>
internal abstract class ResultItem<T> : WriteItem
{
    private readonly TaskCompletionSource<ChatResult<T>> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<ChatResult<T>> Result => _result.Task;

    /// <summary>The result of the last run, handed to the request once committed.</summary>
    protected ChatResult<T> Last { get; set; }

    public override void Complete() => _result.TrySetResult(Last);

    public override void Fail(ChatError error) => _result.TrySetResult(error);

    public override void Fail(Exception exception) => _result.TrySetException(exception);
}

/// <summary>A write in one step: its work reads, checks, writes and records its events.</summary>
internal sealed class WriteItem<T>(Func<WriteBatch, Task<ChatResult<T>>> work) : ResultItem<T>
{
    public override async Task<bool> RunAsync(WriteBatch batch)
    {
        Last = await work(batch);
        return Last.Succeeded;
    }
}

/// <summary>A write in two steps: <see cref="RunAsync"/> prepares (nothing saved yet), <see cref="AfterSave"/> finishes.</summary>
internal sealed class PreparedWriteItem<T>(Func<WriteBatch, Task<ChatResult<AfterSave<T>>>> prepare) : ResultItem<T>, IPreparedWrite
{
    private AfterSave<T>? _afterSave;

    public override async Task<bool> RunAsync(WriteBatch batch)
    {
        var prepared = await prepare(batch);
        _afterSave = prepared.Value;
        Last = prepared.Succeeded ? default(ChatResult<T>) : prepared.Error!;
        return prepared.Succeeded;
    }

    public void AfterSave() => Last = _afterSave!();
}
