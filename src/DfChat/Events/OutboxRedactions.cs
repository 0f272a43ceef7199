using DfChat.Entities;
using DfChat.Writes;

namespace DfChat.Events;

/// <summary>
/// Deleted means gone for the events still in memory: an event committed before its message's deletion
/// but published after it (the outbox was behind, a recovery pass read it just before) goes out
/// redacted, as the log already stores it (<see cref="MessageRedaction"/>).
/// </summary>
/// <remarks>
/// The deletions are learnt from the <c>messageDeleted</c> events the outbox takes, so that nothing is
/// redacted for a deletion that rolled back, and kept for <see cref="Kept"/>, far longer than an event
/// waits in memory. Events of another node's outbox are that node's: each redacts what it publishes.
/// </remarks>
internal sealed class OutboxRedactions(TimeProvider clock)
{
    private static readonly TimeSpan Kept = TimeSpan.FromMinutes(10);
    private readonly Lock _gate = new();
    private readonly Dictionary<(long RoomId, long MessageId), long> _deletedAt = [];
    private volatile int _count;

    /// <summary>Learns the deletions among committed events.</summary>
    public void Committed(IReadOnlyList<ChatRoomEvent> events)
    {
        foreach (var row in events)
        {
            if (row.Type != ChatEventNames.MessageDeleted || row.MessageId is not { } id)
                continue;
            lock (_gate)
            {
                if (_deletedAt.Count > 0 && _deletedAt.Count % 64 == 0)
                    Prune();
                _deletedAt[(row.RoomId, id)] = clock.GetTimestamp();
                _count = _deletedAt.Count;
            }
        }
    }

    /// <summary>The payload to publish for <paramref name="row"/>: redacted when its message has been deleted since.</summary>
    public string PayloadOf(ChatRoomEvent row)
    {
        if (_count == 0 || row.MessageId is not { } id || row.Type == ChatEventNames.MessageDeleted)
            return row.Payload;
        lock (_gate)
        {
            if (!_deletedAt.ContainsKey((row.RoomId, id)))
                return row.Payload;
        }

        return MessageRedaction.Redacted(row);
    }

    private void Prune()
    {
        foreach (var (key, at) in _deletedAt)
        {
            if (clock.GetElapsedTime(at) > Kept)
                _deletedAt.Remove(key);
        }
    }
}
