using System.Text.Json;
using System.Text.Json.Nodes;
using DfChat.Entities;
using DfChat.Events;
using DfChat.Services;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Writes;

/// <summary>
/// Deleted means gone: when messages are deleted, the stored events that carried their content keep
/// their <c>seq</c> and <c>type</c> but no longer their text, in the transaction that deletes them.
/// </summary>
/// <remarks>
/// The events of a message (<c>messageCreated</c>, <c>messageUpdated</c>, <c>reactionAdded</c>,
/// <c>reactionRemoved</c>) become <c>{ seq, roomId, messageId, redacted: true }</c>; a <c>roomUpdated</c>
/// whose room showed one of them as its <c>lastMessage</c> keeps the room with <c>lastMessage: null</c>.
/// Events are found by <see cref="ChatRoomEvent.MessageId"/>, set when they were recorded. Events
/// committed earlier but still in the outbox's memory are redacted as they are published
/// (<see cref="OutboxRedactions"/>).
/// </remarks>
internal static class MessageRedaction
{
    /// <summary>The events whose payload is the message or one of its reactions: redacted whole.</summary>
    private static readonly string[] OfTheMessage =
        [ChatEventNames.MessageCreated, ChatEventNames.MessageUpdated, ChatEventNames.ReactionAdded, ChatEventNames.ReactionRemoved];

    /// <summary>
    /// Redacts the events of room <paramref name="roomId"/> that carry the content of
    /// <paramref name="messageIds"/>, messages deleted in this transaction: one statement for the
    /// messages' own events, one read of the few <c>roomUpdated</c> that showed one of them (saved with
    /// the write's other changes), per 500 messages.
    /// </summary>
    public static async Task RedactAsync(WriteBatch batch, long roomId, IReadOnlyCollection<long> messageIds, CancellationToken cancellationToken)
    {
        if (messageIds.Count == 0)
            return;
        var events = batch.Db.Set<ChatRoomEvent>();
        var head = ",\"roomId\":\"" + EntityId.Format(roomId) + "\",\"messageId\":\"";
        foreach (var chunk in messageIds.Distinct().Chunk(500))
        {
            // ToString() is SQL's cast of a number to text here, which no culture affects.
#pragma warning disable CA1305
            await events
                .Where(e => e.RoomId == roomId && e.MessageId != null && chunk.Contains(e.MessageId.Value) && OfTheMessage.Contains(e.Type))
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.Payload, e => "{\"seq\":" + e.Seq.ToString() + head + e.MessageId!.Value.ToString() + "\",\"redacted\":true}"), cancellationToken);
#pragma warning restore CA1305

            var rooms = await events
                .Where(e => e.RoomId == roomId && e.MessageId != null && chunk.Contains(e.MessageId.Value) && e.Type == ChatEventNames.RoomUpdated)
                .ToListAsync(cancellationToken);
            foreach (var row in rooms)
            {
                row.Payload = Redacted(row);
                row.MessageId = null;
            }
        }

        // The statement above bypasses the change tracker: events this batch recorded earlier (an edit,
        // then the delete) are redacted in memory too, where the batch's save and the outbox read them.
        var deleted = messageIds.ToHashSet();
        foreach (var row in batch.Events)
        {
            if (row.RoomId == roomId && row.MessageId is { } id && deleted.Contains(id) && OfTheMessage.Contains(row.Type))
                row.Payload = Redacted(row);
        }
    }

    /// <summary>The payload of <paramref name="row"/> once its message is deleted.</summary>
    public static string Redacted(ChatRoomEvent row)
    {
        if (OfTheMessage.Contains(row.Type) && row.MessageId is { } id)
            return "{\"seq\":" + EntityId.Format(row.Seq) + ",\"roomId\":\"" + EntityId.Format(row.RoomId) + "\",\"messageId\":\"" + EntityId.Format(id) + "\",\"redacted\":true}";
        if (row.Type == ChatEventNames.RoomUpdated && JsonNode.Parse(row.Payload) is JsonObject room)
        {
            room["lastMessage"] = null;
            return room.ToJsonString(WriteBatch.Json);
        }

        return row.Payload;
    }
}
