using System.Threading.Channels;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace DfChat.AspNetCore.RealTime;

/// <summary>
/// One connection's outgoing events: a bounded queue that the node's event loop only adds to, and a
/// loop of its own that writes them to the connection one after the other. A client that stops
/// reading its socket stalls only this loop; once its queue overflows, or a write stays stuck for
/// longer than <see cref="DfChat.Options.RealTimeOptions.ConnectionStallTimeout"/> while events wait,
/// the connection is closed, and its client catches up from the events log when it reconnects.
/// </summary>
/// <remarks>
/// A connection is never left open after an event addressed to it was dropped: the only way an event
/// does not reach an open connection is that connection being closed. SignalR's close message would
/// queue behind the stuck writes, so the connection is aborted and the reason logged.
/// </remarks>
internal sealed partial class ChatConnectionSender
{
    private readonly HubConnectionContext _connection;
    private readonly Channel<SerializedHubMessage> _queue;
    private readonly int _capacity;
    private readonly TimeSpan _stallTimeout;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private long _writeStartedAt;
    private int _closed;

    public ChatConnectionSender(HubConnectionContext connection, int capacity, TimeSpan stallTimeout, TimeProvider clock, ILogger logger)
    {
        _connection = connection;
        _capacity = capacity;
        _stallTimeout = stallTimeout;
        _clock = clock;
        _logger = logger;
        _queue = Channel.CreateBounded<SerializedHubMessage>(new BoundedChannelOptions(capacity)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
        });
        _ = PumpAsync();
    }

    public string ConnectionId => _connection.ConnectionId;

    /// <summary>How many events wait for this connection; never more than its capacity.</summary>
    public int Count => _queue.Reader.Count;

    /// <summary>Whether the connection was closed for falling behind.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0;

    /// <summary>Queues an event for the connection, without waiting; closes the connection if it cannot keep up.</summary>
    public void Enqueue(SerializedHubMessage message)
    {
        if (IsClosed)
            return;
        if (!_queue.Writer.TryWrite(message))
        {
            Close($"its outgoing queue is full ({_capacity} events)");
            return;
        }

        var startedAt = Volatile.Read(ref _writeStartedAt);
        if (startedAt != 0 && _clock.GetElapsedTime(startedAt) > _stallTimeout)
            Close($"a write has not completed for {_stallTimeout.TotalSeconds:0.#} s while events wait");
    }

    /// <summary>Closes the connection because an event addressed to it could not be queued anywhere.</summary>
    public void Close(string reason)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
            return;
        LogClosed(_logger, _connection.ConnectionId, _connection.UserIdentifier, reason);
        _queue.Writer.TryComplete();
        _connection.Abort();
    }

    /// <summary>Stops the loop once the connection is gone.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    private async Task PumpAsync()
    {
        var aborted = _connection.ConnectionAborted;
        try
        {
            await foreach (var message in _queue.Reader.ReadAllAsync(aborted))
            {
                var write = _connection.WriteAsync(message, aborted);
                if (write.IsCompletedSuccessfully)
                    continue;
                Volatile.Write(ref _writeStartedAt, _clock.GetTimestamp());
                await write;
                Volatile.Write(ref _writeStartedAt, 0);
            }
        }
        catch (Exception e) when (e is OperationCanceledException || aborted.IsCancellationRequested)
        {
            // The connection is gone: its client catches up when it reconnects.
        }
        catch (Exception e)
        {
            LogWriteFailed(_logger, e, _connection.ConnectionId);
            Close("a write failed");
        }
    }

    [LoggerMessage(EventId = 2020, Level = LogLevel.Warning, Message = "Closed chat connection {ConnectionId} of user {UserId}: {Reason}. Its client catches up from the events log when it reconnects.")]
    private static partial void LogClosed(ILogger logger, string connectionId, string? userId, string reason);

    [LoggerMessage(EventId = 2021, Level = LogLevel.Warning, Message = "Writing to chat connection {ConnectionId} failed.")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string connectionId);
}
