using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Threading.Channels;
using DfChat.Entities;
using DfChat.Options;
using DfChat.Services;
using DfChat.Storage;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DfChat.Events;

/// <summary>
/// Publishes the outbox: every event a write recorded is handed to the <see cref="IChatEventListener"/>s
/// after its transaction commits, by this dispatcher rather than by the request, in <c>seq</c> order per
/// room, at least once. Events committed here are published at once from memory; events nobody
/// published (the host stopped right after a commit, a host committed its own transaction outside
/// EF Core) are found in the table by <see cref="RecoverAsync"/>, which the host runs at start and
/// periodically. Published events are marked in batches, off the write path, and removed after
/// <see cref="EventOptions.Retention"/>.
/// </summary>
internal sealed partial class ChatOutbox : IAsyncDisposable, IDisposable
{
    private readonly IServiceScopeFactory _scopes;
    private readonly IServiceProvider _services;
    private readonly IOptionsMonitor<DfChatOptions> _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<ChatOutbox> _logger;

    /// <summary>How long a recovery pass holds the rows it claimed; another node may take them afterwards.</summary>
    private static readonly TimeSpan ClaimLease = TimeSpan.FromMinutes(2);

    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private static readonly Meter Meter = new("DfChat");

    /// <summary>Events a host listener never got (retries exhausted): an operator alerts on this.</summary>
    private static readonly Counter<long> ListenerParked = Meter.CreateCounter<long>(
        "dfchat.events.listener_parked", unit: "{event}", description: "Chat events a host listener failed on every attempt, logged with event id 1011.");

    /// <summary>This outbox's name in <see cref="ChatRoomEvent.ClaimedBy"/>: one per process.</summary>
    private readonly string _node = Guid.NewGuid().ToString("N");
    /// <summary>The events of each committed transaction (or recovery pass), kept together so that they are published in one batch.</summary>
    private readonly Channel<IReadOnlyList<ChatRoomEvent>> _committed = Channel.CreateUnbounded<IReadOnlyList<ChatRoomEvent>>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _gate = new();
    private readonly List<long> _published = [];
    private readonly OutboxRedactions _redactions;
    private Task? _loop;
    private readonly ConcurrentDictionary<Type, ListenerLane> _lanes = new();
    private long _pending;
    private long _listenerPending;
    private long _lastCheckpoint;

    public ChatOutbox(IServiceScopeFactory scopes, IServiceProvider services, IOptionsMonitor<DfChatOptions> options, TimeProvider clock, ILogger<ChatOutbox> logger)
    {
        _scopes = scopes;
        _services = services;
        _options = options;
        _clock = clock;
        _logger = logger;
        _lastCheckpoint = clock.GetTimestamp();
        _redactions = new OutboxRedactions(clock);
    }

    /// <summary>Takes the events of a committed transaction, in commit order.</summary>
    public void Committed(IReadOnlyList<ChatRoomEvent> events)
    {
        if (events.Count == 0)
            return;
        Interlocked.Add(ref _pending, events.Count);
        _redactions.Committed(events);
        _committed.Writer.TryWrite([.. events]);
        EnsureRunning();
    }

    /// <summary>Publishes an event that is not stored (typing) to the listeners at once.</summary>
    public async Task PublishUnstoredAsync(ChatEvent chatEvent, CancellationToken cancellationToken)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var listeners = scope.ServiceProvider.GetServices<IChatEventListener>().ToArray();
        if (NeedsRecipients(listeners))
        {
            var recipients = await scope.ServiceProvider.GetRequiredService<IChatRecipients>().OfAsync([chatEvent.RoomId], cancellationToken);
            chatEvent = chatEvent with { Recipients = recipients.GetValueOrDefault(chatEvent.RoomId) ?? [] };
        }

        await NotifyAsync(listeners, chatEvent, cancellationToken);
    }

    /// <summary>Completes once every event handed over so far has been published, to every listener (for tests and shutdown).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (Interlocked.Read(ref _pending) > 0 || Interlocked.Read(ref _listenerPending) > 0)
            await Task.Delay(5, cancellationToken);
    }

    /// <summary>Completes once every event handed over so far has been through the dispatcher (host listeners may still be retrying).</summary>
    private async Task WhenDispatchedAsync(CancellationToken cancellationToken)
    {
        while (Interlocked.Read(ref _pending) > 0)
            await Task.Delay(5, cancellationToken);
    }

    /// <summary>
    /// Publishes the events no dispatcher published, oldest first: those committed at least
    /// <paramref name="olderThan"/> ago (so that events a live node is publishing are left to it).
    /// </summary>
    /// <remarks>
    /// Each pass claims its rows first, with a lease (<see cref="ChatRoomEvent.ClaimedBy"/>, one
    /// conditional <c>UPDATE</c> that only takes rows nobody holds), so that nodes recovering at the same
    /// time never publish the same event; a node that stops holding rows lets them go when the lease
    /// lapses. A room whose earlier unpublished event is held by another node is left alone, so that a
    /// room's events are published in <c>seq</c> order across passes and nodes.
    /// </remarks>
    public async Task<int> RecoverAsync(TimeSpan olderThan, CancellationToken cancellationToken)
    {
        var total = 0;
        long afterId = 0;
        while (true)
        {
            var now = Truncate(_clock.GetUtcNow().UtcDateTime);
            var cutoff = now - olderThan;
            var until = now + ClaimLease;
            List<long> candidates;
            await using (var scope = _scopes.CreateAsyncScope())
            {
                var events = scope.ServiceProvider.GetRequiredService<IChatDbContextProvider>().Context.Set<ChatRoomEvent>();
                candidates = await events.AsNoTracking()
                    .Where(e => e.PublishedAt == null && e.CreatedAt <= cutoff && e.Id > afterId)
                    .OrderBy(e => e.Id).Select(e => e.Id).Take(500).ToListAsync(cancellationToken);
            }

            if (candidates.Count == 0)
                return total;
            afterId = candidates[^1];

            List<ChatRoomEvent> claimed = [];
            await WriteAsync(async db =>
            {
                var events = db.Set<ChatRoomEvent>();
                await events
                    .Where(e => candidates.Contains(e.Id) && e.PublishedAt == null && (e.ClaimedUntil == null || e.ClaimedUntil < now))
                    .ExecuteUpdateAsync(u => u.SetProperty(e => e.ClaimedBy, _node).SetProperty(e => e.ClaimedUntil, until), cancellationToken);
                claimed = await events.AsNoTracking()
                    .Where(e => candidates.Contains(e.Id) && e.ClaimedBy == _node && e.ClaimedUntil == until && e.PublishedAt == null)
                    .ToListAsync(cancellationToken);

                // In seq order per room: nothing of a room after its first unpublished event this pass does not hold.
                var rooms = claimed.Select(e => e.RoomId).Distinct().ToList();
                var firstHeldElsewhere = await events.AsNoTracking()
                    .Where(e => rooms.Contains(e.RoomId) && e.PublishedAt == null && !(e.ClaimedBy == _node && e.ClaimedUntil == until))
                    .GroupBy(e => e.RoomId).Select(g => new { RoomId = g.Key, Seq = g.Min(e => e.Seq) })
                    .ToDictionaryAsync(g => g.RoomId, g => g.Seq, cancellationToken);
                var released = claimed.Where(e => firstHeldElsewhere.TryGetValue(e.RoomId, out var seq) && e.Seq > seq).Select(e => e.Id).ToList();
                if (released.Count > 0)
                {
                    await events.Where(e => released.Contains(e.Id))
                        .ExecuteUpdateAsync(u => u.SetProperty(e => e.ClaimedBy, (string?)null).SetProperty(e => e.ClaimedUntil, (DateTime?)null), cancellationToken);
                    claimed.RemoveAll(e => released.Contains(e.Id));
                }
            });

            if (claimed.Count == 0)
                continue;
            total += claimed.Count;
            LogRecovering(_logger, claimed.Count);
            Committed(claimed.OrderBy(e => e.RoomId).ThenBy(e => e.Seq).ToList());
            await WhenDispatchedAsync(cancellationToken);
            await CheckpointAsync(cancellationToken);
        }
    }

    /// <summary>Marks what was published, so that recovery does not publish it again.</summary>
    public async Task CheckpointAsync(CancellationToken cancellationToken)
    {
        long[] ids;
        lock (_gate)
        {
            ids = [.. _published];
            _published.Clear();
            _lastCheckpoint = _clock.GetTimestamp();
        }

        if (ids.Length == 0)
            return;
        var now = Truncate(_clock.GetUtcNow().UtcDateTime);
        foreach (var chunk in ids.Chunk(500))
        {
            await WriteAsync(async db =>
                await db.Set<ChatRoomEvent>().Where(e => chunk.Contains(e.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(e => e.PublishedAt, now), cancellationToken));
        }
    }

    /// <summary>Removes published events older than the retention period, in chunks.</summary>
    public async Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var cutoff = _clock.GetUtcNow().UtcDateTime - _options.CurrentValue.Events.Retention;
        var total = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var removed = 0;
            await WriteAsync(async db =>
            {
                var events = db.Set<ChatRoomEvent>();
                var old = events.Where(e => e.PublishedAt != null && e.PublishedAt < cutoff).OrderBy(e => e.PublishedAt).Select(e => e.Id).Take(1000);
                removed = await events.Where(e => old.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken);
            });
            total += removed;
            if (removed == 0)
                return total;
        }

        return total;
    }

    /// <summary>Stops taking events; a container disposed synchronously does not wait for the last ones.</summary>
    public void Dispose() => _committed.Writer.TryComplete();

    public async ValueTask DisposeAsync()
    {
        _committed.Writer.TryComplete();
        if (_loop is { } loop)
            await loop.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private void EnsureRunning()
    {
        if (_loop is not null)
            return;
        lock (_gate)
            _loop ??= Task.Run(LoopAsync);
    }

    private async Task LoopAsync()
    {
        var reader = _committed.Reader;
        while (await reader.WaitToReadAsync())
        {
            var batch = new List<ChatRoomEvent>();
            while (batch.Count < 1000 && reader.TryRead(out var next))
                batch.AddRange(next);
            try
            {
                await PublishAsync(batch);
            }
            catch (Exception e)
            {
                // The listeners' own failures are caught one by one: this is the database failing us
                // (recipients, files). The events stay unpublished in the table, for recovery.
                LogDispatchFailed(_logger, e, batch.Count);
            }
            finally
            {
                Interlocked.Add(ref _pending, -batch.Count);
            }

            if (_clock.GetElapsedTime(_lastCheckpoint) >= TimeSpan.FromSeconds(1) || _published.Count >= 1000)
            {
                try
                {
                    await CheckpointAsync(CancellationToken.None);
                }
                catch (Exception e)
                {
                    LogCheckpointFailed(_logger, e);
                }
            }
        }
    }

    private async Task PublishAsync(List<ChatRoomEvent> batch)
    {
        await using var scope = _scopes.CreateAsyncScope();
        var listeners = scope.ServiceProvider.GetServices<IChatEventListener>().ToArray();
        var recipients = NeedsRecipients(listeners)
            ? await scope.ServiceProvider.GetRequiredService<IChatRecipients>().OfAsync(batch.Select(e => RoomKey(e.RoomId)).Distinct().ToArray(), CancellationToken.None)
            : [];
        var media = scope.ServiceProvider.GetRequiredService<IChatMediaStore>();

        // A room whose event could not be delivered publishes none of its later events of this batch: they
        // stay in the outbox with it, so that recovery publishes them all in seq order (a backplane that
        // comes back in the middle of a batch must not let seq 5 out before seq 4).
        var stalled = new HashSet<long>();
        foreach (var row in batch)
        {
            if (stalled.Contains(row.RoomId))
                continue;
            var chatEvent = ToEvent(row, _redactions.PayloadOf(row));
            chatEvent = chatEvent with { Recipients = WithMentions(chatEvent, recipients.GetValueOrDefault(RoomKey(row.RoomId)) ?? []) };
            if (!await NotifyAsync(listeners, chatEvent, CancellationToken.None))
            {
                stalled.Add(row.RoomId);
                continue;
            }

            if (row.FilesToDelete is { } files)
            {
                foreach (var key in JsonSerializer.Deserialize<string[]>(files, WriteBatch.Json) ?? [])
                    await media.DeleteAsync(key, CancellationToken.None);
            }

            lock (_gate)
                _published.Add(row.Id);
        }
    }

    /// <summary>
    /// Hands the event to the built-in delivery at once, and to each of the host's listeners through that
    /// listener's own lane (<see cref="ListenerLane"/>); false when the built-in delivery failed (the
    /// backplane is down), so that the event stays unpublished and recovery delivers it later. A host's
    /// listener that fails is retried and at last parked by its lane: one broken webhook never holds
    /// every client's events back, nor another listener's.
    /// </summary>
    private async Task<bool> NotifyAsync(IChatEventListener[] listeners, ChatEvent chatEvent, CancellationToken cancellationToken)
    {
        foreach (var listener in listeners)
        {
            if (listener is not IRoutesByRoom)
                continue;
            try
            {
                await listener.HandleAsync(chatEvent, cancellationToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Recovery publishes the event again later, to every listener: the host's get it then.
                LogListenerFailed(_logger, e, chatEvent.Name, chatEvent.RoomId, listener.GetType().Name);
                return false;
            }
        }

        foreach (var listener in listeners)
        {
            if (listener is not IRoutesByRoom)
                Lane(listener.GetType()).Enqueue(chatEvent);
        }

        return true;
    }

    private ListenerLane Lane(Type listenerType) =>
        _lanes.GetOrAdd(listenerType, type => new ListenerLane(this, type));

    /// <summary>Members and their muted flags are read only when a listener wants them: the built-in delivery routes by room.</summary>
    private static bool NeedsRecipients(IChatEventListener[] listeners) => listeners.Any(l => l is not IRoutesByRoom);

    /// <summary>The outbox writes through the write pipeline: on SQLite that keeps the database's one writer.</summary>
    private async Task WriteAsync(Func<DbContext, Task> work)
    {
        string lane;
        await using (var scope = _scopes.CreateAsyncScope())
            lane = WriteLanes.Outbox(scope.ServiceProvider.GetRequiredService<IChatDbContextProvider>().Context);
        var queue = _services.GetRequiredService<ChatWriteQueue>();
        var result = await queue.RunAsync(lane, async batch =>
        {
            await work(batch.Db);
            return ChatResult<bool>.Ok(true);
        });
        if (!result.Succeeded)
            throw new InvalidOperationException("The chat outbox could not be updated: " + result.Error!.Message);
    }

    private static ChatEvent ToEvent(ChatRoomEvent row, string json)
    {
        using var payload = JsonDocument.Parse(json);
        return new ChatEvent
        {
            Name = row.Type,
            RoomId = RoomKey(row.RoomId),
            Seq = row.Seq,
            Payload = payload.RootElement.Clone(),
            ActorId = row.ActorId,
            UserIds = row.UserIds is { } ids ? JsonSerializer.Deserialize<string[]>(ids, WriteBatch.Json) ?? [] : [],
            RoomIsPublic = row.RoomIsPublic,
        };
    }

    /// <summary>The recipients, with <see cref="ChatRecipient.Mentioned"/> set for those a new message mentions.</summary>
    private static IReadOnlyList<ChatRecipient> WithMentions(ChatEvent chatEvent, IReadOnlyList<ChatRecipient> recipients)
    {
        if (chatEvent.Name != ChatEventNames.MessageCreated || recipients.Count == 0
            || chatEvent.Payload is not JsonElement { ValueKind: JsonValueKind.Object } payload
            || !payload.TryGetProperty("mentions", out var mentions) || mentions.ValueKind != JsonValueKind.Array || mentions.GetArrayLength() == 0)
            return recipients;
        var mentioned = mentions.EnumerateArray().Select(m => m.GetString()).ToHashSet(StringComparer.Ordinal);
        return [.. recipients.Select(r => mentioned.Contains(r.UserId) ? r with { Mentioned = true } : r)];
    }

    private static string RoomKey(long roomId) => EntityId.Format(roomId);

    private static DateTime Truncate(DateTime time) => new(time.Ticks - (time.Ticks % 10), DateTimeKind.Utc);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Chat event listener {Listener} failed on {EventName} in room {RoomId}.")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, string eventName, string roomId, string listener);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Publishing {Count} chat events failed; they stay in the outbox for recovery.")]
    private static partial void LogDispatchFailed(ILogger logger, Exception exception, int count);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Warning, Message = "Marking published chat events failed; recovery may publish them again.")]
    private static partial void LogCheckpointFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Warning, Message = "Chat event listener {Listener} failed on {EventName} of room {RoomId} (seq {Seq}), attempt {Attempt}; retrying.")]
    private static partial void LogListenerRetrying(ILogger logger, Exception exception, string listener, string eventName, string roomId, long seq, int attempt);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Error, Message = "Chat event listener {Listener} PARKED {EventName} of room {RoomId} (seq {Seq}) after {Attempts} attempts: it will not get this event; read it from the room's events log (GET /rooms/{RoomId}/events?after={Before}) to replay it.")]
    private static partial void LogListenerParked(ILogger logger, Exception? exception, string listener, string eventName, string roomId, long seq, int attempts, long before);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Information, Message = "Publishing {Count} chat events that were committed but never published.")]
    private static partial void LogRecovering(ILogger logger, int count);
    /// <summary>
    /// The events waiting for one host listener, handed over in the dispatcher's order (so in <c>seq</c>
    /// order per room) by a loop of its own. A failing call is retried with a doubling delay
    /// (<see cref="EventOptions.ListenerAttempts"/>, <see cref="EventOptions.ListenerRetryDelay"/>), then
    /// the event is parked: logged as an error with event id 1011 and counted in
    /// <c>dfchat.events.listener_parked</c> (meter <c>DfChat</c>), and the lane moves on.
    /// </summary>
    private sealed class ListenerLane
    {
        /// <summary>Beyond this many waiting events, a lane parks new ones at once rather than grow.</summary>
        private const int Capacity = 100_000;

        private readonly ChatOutbox _outbox;
        private readonly Type _type;
        private readonly Channel<ChatEvent> _events = Channel.CreateUnbounded<ChatEvent>(new UnboundedChannelOptions { SingleReader = true });
        private int _waiting;

        public ListenerLane(ChatOutbox outbox, Type type)
        {
            (_outbox, _type) = (outbox, type);
            _ = Task.Run(RunAsync);
        }

        public void Enqueue(ChatEvent chatEvent)
        {
            if (Volatile.Read(ref _waiting) >= Capacity)
            {
                Park(chatEvent, attempts: 0, null);
                return;
            }

            Interlocked.Increment(ref _waiting);
            Interlocked.Increment(ref _outbox._listenerPending);
            _events.Writer.TryWrite(chatEvent);
        }

        private async Task RunAsync()
        {
            await foreach (var chatEvent in _events.Reader.ReadAllAsync())
            {
                try
                {
                    await DeliverAsync(chatEvent);
                }
                finally
                {
                    Interlocked.Decrement(ref _waiting);
                    Interlocked.Decrement(ref _outbox._listenerPending);
                }
            }
        }

        private async Task DeliverAsync(ChatEvent chatEvent)
        {
            var options = _outbox._options.CurrentValue.Events;
            var delay = options.ListenerRetryDelay;
            Exception? last = null;
            for (var attempt = 1; attempt <= options.ListenerAttempts; attempt++)
            {
                try
                {
                    await using var scope = _outbox._scopes.CreateAsyncScope();
                    var listener = scope.ServiceProvider.GetServices<IChatEventListener>().FirstOrDefault(l => l.GetType() == _type);
                    if (listener is null)
                        return;
                    await listener.HandleAsync(chatEvent, CancellationToken.None);
                    return;
                }
                catch (Exception e)
                {
                    last = e;
                    if (attempt == options.ListenerAttempts)
                        break;
                    LogListenerRetrying(_outbox._logger, e, _type.Name, chatEvent.Name, chatEvent.RoomId, chatEvent.Seq, attempt);
                    await Task.Delay(delay, _outbox._clock);
                    delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
                }
            }

            Park(chatEvent, options.ListenerAttempts, last);
        }

        private void Park(ChatEvent chatEvent, int attempts, Exception? exception)
        {
            LogListenerParked(_outbox._logger, exception, _type.Name, chatEvent.Name, chatEvent.RoomId, chatEvent.Seq, attempts, Math.Max(chatEvent.Seq - 1, 0));
            ListenerParked.Add(1, new KeyValuePair<string, object?>("listener", _type.FullName), new KeyValuePair<string, object?>("event", chatEvent.Name));
        }
    }
}

/// <summary>A listener that delivers by room on its own and needs no recipient list (the built-in SignalR delivery).</summary>
internal interface IRoutesByRoom;

/// <summary>Reads the members of rooms with their muted flags, for the listeners that want them.</summary>
internal interface IChatRecipients
{
    Task<Dictionary<string, IReadOnlyList<ChatRecipient>>> OfAsync(IReadOnlyCollection<string> roomIds, CancellationToken cancellationToken);
}
