using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Rules;
using DfChat.Services;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;

namespace DfChat;

/// <summary>
/// Threads, pins, edit history and read receipts of API.md §8: readers list, members with the right
/// permission pin. Sends and edits with threads and mentions are <see cref="MessageService{TUser, TKey}"/>'s.
/// </summary>
internal sealed class ConversationService<TUser, TKey>(ChatStore<TUser, TKey> store, RoomWrites<TUser, TKey> writes) : IChatConversationService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    /// <summary>The most pinned messages a room holds.</summary>
    public const int MaxPins = 50;

    public async Task<ChatResult<PageModel<MessageModel>>> ListThreadAsync(string callerId, string roomId, string messageId, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await FindMessageAsync(roomId, messageId, caller, cancellationToken) is not { } found)
            return await NotFoundAsync(roomId, caller, cancellationToken);
        var (roomKey, rootId) = (found.Access.Room.Id, found.Message.Id);
        var scope = "thread:" + rootId;
        if (store.ValidatePage(page, scope, out var limit, out var cursor) is { } invalid)
            return invalid;

        // Oldest first along the (room, thread, id) index; a reply has no thread of its own, so its list is empty.
        var after = cursor?.Id ?? 0;
        var rows = await store.Messages.AsNoTracking()
            .Where(m => m.RoomId == roomKey && m.ThreadId == rootId && m.Id > after)
            .OrderBy(m => m.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, scope, m => (0, m.Id));
        return ChatResult<PageModel<MessageModel>>.Ok(new PageModel<MessageModel>
        {
            Items = await store.BuildMessagesAsync(items, caller, cancellationToken),
            NextCursor = next,
        });
    }

    public Task<ChatResult<MessageModel>> PinAsync(string callerId, string roomId, string messageId, CancellationToken cancellationToken) =>
        SetPinAsync(callerId, roomId, messageId, pin: true, cancellationToken);

    public Task<ChatResult<MessageModel>> UnpinAsync(string callerId, string roomId, string messageId, CancellationToken cancellationToken) =>
        SetPinAsync(callerId, roomId, messageId, pin: false, cancellationToken);

    /// <summary>
    /// Pins or unpins under the room's lock, so that the limit holds however many pin at once. Pinning a pinned
    /// message, or unpinning one that is not, changes nothing and sends no event.
    /// </summary>
    private async Task<ChatResult<MessageModel>> SetPinAsync(string callerId, string roomId, string messageId, bool pin, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await writes.InRoomAsync(caller, roomId, async w =>
        {
            var s = w.Store;
            var roomKey = w.Room.Id;
            var id = EntityId.TryParse(messageId, out var parsed) ? parsed : 0;
            if (await s.Messages.FirstOrDefaultAsync(m => m.Id == id && m.RoomId == roomKey, CancellationToken.None) is not { } message)
                return ChatError.MessageNotFound;
            if (RoomRules.CanPin(w.Access) is { } denied)
                return denied;

            var existing = await s.Pins.FirstOrDefaultAsync(p => p.MessageId == id, CancellationToken.None);
            if (pin == (existing is not null))
                return ChatResult<MessageModel>.Ok(await s.BuildMessageAsync(message, caller, CancellationToken.None));
            if (pin)
            {
                if (await s.Pins.CountAsync(p => p.RoomId == roomKey, CancellationToken.None) >= MaxPins)
                    return ChatError.Conflict("too_many_pins", $"A room holds at most {MaxPins} pinned messages: unpin one first.");
                s.Pins.Add(new ChatMessagePin<TKey> { MessageId = id, RoomId = roomKey, PinnedBy = caller, PinnedAt = w.Now });
                message.PinnedAt = w.Now;
            }
            else
            {
                s.Pins.Remove(existing!);
                message.PinnedAt = null;
            }

            await w.SaveAsync();
            var model = await s.BuildMessageAsync(message, caller, CancellationToken.None);
            w.Record(ChatEventNames.MessageUpdated, message.Id, _ => model);
            return ChatResult<MessageModel>.Ok(model);
        }, cancellationToken);
    }

    public async Task<ChatResult<PageModel<MessageModel>>> ListPinsAsync(string callerId, string roomId, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        var roomKey = access.Room.Id;
        var scope = "pins:" + roomKey;
        if (store.ValidatePage(page, scope, out var limit, out var cursor) is { } invalid)
            return invalid;

        // Newest pin first, along the (room, pinned at, message) index.
        var pins = store.Pins.AsNoTracking().Where(p => p.RoomId == roomKey);
        if (cursor is { } c)
        {
            var at = c.Time;
            pins = pins.Where(p => p.PinnedAt < at || (p.PinnedAt == at && p.MessageId < c.Id));
        }

        var rows = await pins.OrderByDescending(p => p.PinnedAt).ThenByDescending(p => p.MessageId).Take(limit + 1)
            .Join(store.Messages.AsNoTracking(), p => p.MessageId, m => m.Id, (p, m) => m)
            .ToListAsync(cancellationToken);
        rows = [.. rows.OrderByDescending(m => m.PinnedAt).ThenByDescending(m => m.Id)];
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, scope, m => (m.PinnedAt!.Value.Ticks, m.Id));
        return ChatResult<PageModel<MessageModel>>.Ok(new PageModel<MessageModel>
        {
            Items = await store.BuildMessagesAsync(items, caller, cancellationToken),
            NextCursor = next,
        });
    }

    public async Task<ChatResult<PageModel<MessageVersionModel>>> ListHistoryAsync(string callerId, string roomId, string messageId, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await FindMessageAsync(roomId, messageId, caller, cancellationToken) is not { } found)
            return await NotFoundAsync(roomId, caller, cancellationToken);
        var id = found.Message.Id;
        var scope = "history:" + id;
        if (store.ValidatePage(page, scope, out var limit, out var cursor) is { } invalid)
            return invalid;
        var before = cursor?.Id ?? long.MaxValue;
        var rows = await store.Edits.AsNoTracking().Where(e => e.MessageId == id && e.Id < before)
            .OrderByDescending(e => e.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, scope, e => (0, e.Id));
        return ChatResult<PageModel<MessageVersionModel>>.Ok(new PageModel<MessageVersionModel>
        {
            Items = items.Select(e => new MessageVersionModel { Text = e.Text, EditedAt = e.EditedAt }).ToList(),
            NextCursor = next,
        });
    }

    public async Task<ChatResult<PageModel<MemberModel>>> ListReadersAsync(string callerId, string roomId, string messageId, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await FindMessageAsync(roomId, messageId, caller, cancellationToken) is not { } found)
            return await NotFoundAsync(roomId, caller, cancellationToken);
        var (roomKey, message) = (found.Access.Room.Id, found.Message);
        var scope = "readers:" + message.Id;
        if (store.ValidatePage(page, scope, out var limit, out var cursor) is { } invalid)
            return invalid;

        // Members whose read position is at or after the message, in read order: one range of the
        // (room, last seen at, id) index, whatever the size of the room.
        var (at, author) = (message.CreatedAt, message.UserId);
        var readers = store.Members.AsNoTracking().Where(m => m.RoomId == roomKey && m.LastSeenAt >= at && !m.UserId.Equals(author));
        if (cursor is { } c)
        {
            var seen = c.Time;
            readers = readers.Where(m => m.LastSeenAt > seen || (m.LastSeenAt == seen && m.Id > c.Id));
        }

        var rows = await readers.OrderBy(m => m.LastSeenAt).ThenBy(m => m.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, scope, m => (m.LastSeenAt.Ticks, m.Id));
        return ChatResult<PageModel<MemberModel>>.Ok(new PageModel<MemberModel>
        {
            Items = await store.BuildMembersAsync(items, cancellationToken),
            NextCursor = next,
        });
    }

    private async Task<(RoomAccess<TKey> Access, ChatMessage<TKey> Message)?> FindMessageAsync(string roomId, string messageId, TKey caller, CancellationToken cancellationToken)
    {
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access || !EntityId.TryParse(messageId, out var id))
            return null;
        var roomKey = access.Room.Id;
        var message = await store.Messages.AsNoTracking().FirstOrDefaultAsync(m => m.Id == id && m.RoomId == roomKey, cancellationToken);
        return message is null ? null : (access, message);
    }

    /// <summary>Outsiders learn nothing: the room's 404 unless the caller may read it, then the message's.</summary>
    private async Task<ChatError> NotFoundAsync(string roomId, TKey caller, CancellationToken cancellationToken) =>
        await store.FindReadableAsync(roomId, caller, cancellationToken) is null ? ChatError.RoomNotFound : ChatError.MessageNotFound;
}
