using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Services;
using DfChat.Storage;
using Microsoft.EntityFrameworkCore;

namespace DfChat;

/// <summary>
/// The rules of messages: who posts, edits and deletes; media and replies; idempotent sends; and the
/// upkeep of unread counts.
/// </summary>
/// <remarks>
/// Unread counts are kept on each membership rather than counted when rooms are listed. A send adds
/// one to every other member whose read position is before it; a delete takes one from the same
/// members; a read recounts that one member. All three hold the room's row lock (one writer on
/// SQLite), so they apply in one order and the count equals "messages by others after my read
/// position, not deleted" whatever runs concurrently. Listing rooms then costs O(1) per room.
/// </remarks>
internal sealed class MessageService<TUser, TKey>(ChatStore<TUser, TKey> store, IChatMediaStore mediaStore) : IChatMessageService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    private const int MaxClientMessageIdLength = 100;

    public async Task<ChatResult<PageModel<MessageModel>>> ListAsync(string callerId, string roomId, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        var scope = "messages:" + access.Room.Id;
        if (store.ValidatePage(page, scope, out var limit, out var cursor) is { } invalid)
            return invalid;

        var query = store.Messages.Where(m => m.RoomId == access.Room.Id);
        if (cursor is { } c)
            query = query.Where(m => m.Id < c.Id);
        var rows = await query.OrderByDescending(m => m.Id).Take(limit + 1).AsNoTracking().ToListAsync(cancellationToken);
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, scope, m => (0, m.Id));
        return ChatResult<PageModel<MessageModel>>.Ok(new PageModel<MessageModel>
        {
            Items = await store.BuildMessagesAsync(items, caller, cancellationToken),
            NextCursor = next,
        });
    }

    public async Task<ChatResult<PageModel<MessageModel>>> ListAfterAsync(string callerId, string roomId, string afterMessageId, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        var scope = "after:" + access.Room.Id;
        if (store.ValidatePage(page, scope, out var limit, out var cursor) is { } invalid)
            return invalid;

        long after;
        if (cursor is { } c)
        {
            after = c.Id;
        }
        else
        {
            if (!EntityId.TryParse(afterMessageId, out after)
                || !await store.Messages.AnyAsync(m => m.Id == after && m.RoomId == access.Room.Id, cancellationToken))
                return ChatError.MessageNotFound;
        }

        var rows = await store.Messages.Where(m => m.RoomId == access.Room.Id && m.Id > after)
            .OrderBy(m => m.Id).Take(limit + 1).AsNoTracking().ToListAsync(cancellationToken);
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, scope, m => (0, m.Id));
        return ChatResult<PageModel<MessageModel>>.Ok(new PageModel<MessageModel>
        {
            Items = await store.BuildMessagesAsync(items, caller, cancellationToken),
            NextCursor = next,
        });
    }

    public async Task<ChatResult<MessageModel>> SendAsync(string callerId, string roomId, SendMessageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        if (ChatStore<TUser, TKey>.Require(access, ChatPermissions.CreateMessages, "post") is { } denied)
            return denied;
        if (request.ClientMessageId is { Length: > MaxClientMessageIdLength } or { Length: 0 })
            return ChatError.Invalid("clientMessageId", $"clientMessageId must be 1 to {MaxClientMessageIdLength} characters.");

        var roomKey = access.Room.Id;
        if (request.ClientMessageId is { } clientId && await FindByClientIdAsync(roomKey, caller, clientId, cancellationToken) is { } repeated)
            return ChatResult<MessageModel>.Ok(repeated);

        var mediaIds = new List<long>();
        foreach (var text in request.MediaIds ?? [])
        {
            if (!EntityId.TryParse(text, out var id) || mediaIds.Contains(id))
                return ChatError.Invalid("mediaIds", $"'{text}' is not one of your unattached uploads.");
            mediaIds.Add(id);
        }

        if (string.IsNullOrWhiteSpace(request.Text) && mediaIds.Count == 0)
            return ChatError.Invalid("text", "A message needs text or at least one media id.");
        if (request.Text is { } messageText && messageText.Length > store.Options.MaxMessageLength)
            return ChatError.Invalid("text", $"text must be at most {store.Options.MaxMessageLength} characters.");

        long? replyToId = null;
        if (request.ReplyToId is not null)
        {
            if (!EntityId.TryParse(request.ReplyToId, out var reply)
                || !await store.Messages.AnyAsync(m => m.Id == reply && m.RoomId == roomKey, cancellationToken))
                return ChatError.Invalid("replyToId", "replyToId must be a message of this room.");
            replyToId = reply;
        }

        try
        {
            return await store.WriteAsync(async () =>
            {
                if (mediaIds.Count > 0)
                {
                    var usable = await store.Media
                        .Where(m => mediaIds.Contains(m.Id) && m.UploadedBy.Equals(caller)
                            && !store.MessageMedia.Any(l => l.MediaId == m.Id))
                        .CountAsync(cancellationToken);
                    if (usable != mediaIds.Count)
                        return ChatError.Invalid("mediaIds", "Each media id must be one of your own uploads, not yet attached to a message.");
                }

                await store.LockRoomAsync(roomKey, cancellationToken);
                var now = store.Now();
                var message = new ChatMessage<TKey>
                {
                    RoomId = roomKey,
                    UserId = caller,
                    Text = string.IsNullOrEmpty(request.Text) ? null : request.Text,
                    ReplyToId = replyToId,
                    CreatedAt = now,
                    ClientMessageId = request.ClientMessageId,
                };
                store.Messages.Add(message);
                await store.Db.SaveChangesAsync(cancellationToken);
                store.MessageMedia.AddRange(mediaIds.Select((id, i) => new ChatMessageMedia { RoomId = roomKey, MessageId = message.Id, MediaId = id, Sequence = i }));

                await store.Rooms.Where(r => r.Id == roomKey).ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.LastMessageId, message.Id)
                    .SetProperty(r => r.LastActivityAt, now), cancellationToken);
                await store.Members.Where(m => m.RoomId == roomKey).ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.RoomLastActivityAt, now)
                    .SetProperty(m => m.UnreadCount, m => !m.UserId.Equals(caller) && m.LastSeenAt < now ? m.UnreadCount + 1 : m.UnreadCount),
                    cancellationToken);
                await store.Db.SaveChangesAsync(cancellationToken);

                var model = await store.BuildMessageAsync(message, caller, cancellationToken);
                store.Raise(ChatEventNames.MessageCreated, roomKey, model, caller);
                return ChatResult<MessageModel>.New(model);
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent request won a race that the checks above could not see (PostgreSQL runs
            // requests side by side); the constraint that stopped this one tells which.
            if (request.ClientMessageId is not null && await FindByClientIdAsync(roomKey, caller, request.ClientMessageId, cancellationToken) is { } first)
                return ChatResult<MessageModel>.Ok(first);
            if (!await store.Rooms.AnyAsync(r => r.Id == roomKey, cancellationToken))
                return ChatError.RoomNotFound;
            if (mediaIds.Count > 0 && await store.MessageMedia.AnyAsync(l => mediaIds.Contains(l.MediaId), cancellationToken))
                return ChatError.Invalid("mediaIds", "Each media id must be one of your own uploads, not yet attached to a message.");
            if (replyToId is { } reply && !await store.Messages.AnyAsync(m => m.Id == reply, cancellationToken))
                return ChatError.Invalid("replyToId", "replyToId must be a message of this room.");
            throw;
        }
    }

    public async Task<ChatResult<MessageModel>> GetAsync(string callerId, string roomId, string messageId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        if (await FindAsync(access, messageId, cancellationToken) is not { } message)
            return ChatError.MessageNotFound;
        return ChatResult<MessageModel>.Ok(await store.BuildMessageAsync(message, caller, cancellationToken));
    }

    public async Task<ChatResult<MessageModel>> EditAsync(string callerId, string roomId, string messageId, string? text, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await store.WriteAsync(async () =>
        {
            if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
                return ChatError.RoomNotFound;
            if (await FindAsync(access, messageId, cancellationToken) is not { } message)
                return ChatError.MessageNotFound;
            var own = message.UserId.Equals(caller);
            if (ChatStore<TUser, TKey>.Require(access, own ? ChatPermissions.EditOwnMessages : ChatPermissions.EditMessages, "edit this message") is { } denied)
                return denied;
            if (text is null)
                return ChatError.Invalid("text", "text is required.");
            if (text.Length > store.Options.MaxMessageLength)
                return ChatError.Invalid("text", $"text must be at most {store.Options.MaxMessageLength} characters.");
            if (string.IsNullOrWhiteSpace(text) && !await store.MessageMedia.AnyAsync(l => l.MessageId == message.Id, cancellationToken))
                return ChatError.Invalid("text", "A message without media needs text.");

            message.Text = text.Length == 0 ? null : text;
            message.EditedAt = store.Now();
            await store.Db.SaveChangesAsync(cancellationToken);
            var model = await store.BuildMessageAsync(message, caller, cancellationToken);
            store.Raise(ChatEventNames.MessageUpdated, message.RoomId, model, caller);
            return ChatResult<MessageModel>.Ok(model);
        }, cancellationToken);
    }

    public async Task<ChatResult> DeleteAsync(string callerId, string roomId, string messageId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        List<string> storageKeys = [];
        var result = await store.WriteAsync<bool>(async () =>
        {
            if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
                return ChatError.RoomNotFound;
            if (await FindAsync(access, messageId, cancellationToken) is not { } message)
                return ChatError.MessageNotFound;
            var own = message.UserId.Equals(caller);
            if (ChatStore<TUser, TKey>.Require(access, own ? ChatPermissions.DeleteOwnMessages : ChatPermissions.DeleteMessages, "delete this message") is { } denied)
                return denied;

            var roomKey = message.RoomId;
            await store.LockRoomAsync(roomKey, cancellationToken);
            var mediaIds = await store.MessageMedia.Where(l => l.RoomId == roomKey && l.MessageId == message.Id).Select(l => l.MediaId).ToListAsync(cancellationToken);
            storageKeys = await store.Media.Where(m => mediaIds.Contains(m.Id)).Select(m => m.StorageKey).ToListAsync(cancellationToken);

            await store.Reactions.Where(r => r.RoomId == roomKey && r.MessageId == message.Id).ExecuteDeleteAsync(cancellationToken);
            await store.MessageMedia.Where(l => l.RoomId == roomKey && l.MessageId == message.Id).ExecuteDeleteAsync(cancellationToken);
            await store.Media.Where(m => mediaIds.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);
            await store.Messages.Where(m => m.ReplyToId == message.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ReplyToId, (long?)null), cancellationToken);
            await store.Messages.Where(m => m.Id == message.Id).ExecuteDeleteAsync(cancellationToken);

            var author = message.UserId;
            var createdAt = message.CreatedAt;
            await store.Members.Where(m => m.RoomId == roomKey && !m.UserId.Equals(author) && m.LastSeenAt < createdAt && m.UnreadCount > 0)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.UnreadCount, m => m.UnreadCount - 1), cancellationToken);

            if (access.Room.LastMessageId == message.Id)
            {
                var newest = await store.Messages.Where(m => m.RoomId == roomKey).OrderByDescending(m => m.Id)
                    .Select(m => new { m.Id, m.CreatedAt }).FirstOrDefaultAsync(cancellationToken);
                var activity = newest?.CreatedAt ?? access.Room.CreatedAt;
                await store.Rooms.Where(r => r.Id == roomKey).ExecuteUpdateAsync(s => s
                    .SetProperty(r => r.LastMessageId, newest == null ? null : newest.Id)
                    .SetProperty(r => r.LastActivityAt, activity), cancellationToken);
                await store.Members.Where(m => m.RoomId == roomKey)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.RoomLastActivityAt, activity), cancellationToken);
            }

            store.Raise(ChatEventNames.MessageDeleted, roomKey,
                new MessageDeletedPayload(ChatStore<TUser, TKey>.Id(roomKey), ChatStore<TUser, TKey>.Id(message.Id)), caller);
            return ChatResult<bool>.Ok(true);
        }, cancellationToken);
        if (!result.Succeeded)
            return result.Error!;

        // Files go after the commit: a rolled-back delete must not lose them.
        foreach (var key in storageKeys)
            await mediaStore.DeleteAsync(key, CancellationToken.None);
        return ChatResult.Ok;
    }

    private Task<ChatMessage<TKey>?> FindAsync(RoomAccess<TKey> access, string messageId, CancellationToken cancellationToken) =>
        EntityId.TryParse(messageId, out var id)
            ? store.Messages.FirstOrDefaultAsync(m => m.Id == id && m.RoomId == access.Room.Id, cancellationToken)
            : Task.FromResult<ChatMessage<TKey>?>(null);

    private async Task<MessageModel?> FindByClientIdAsync(long roomId, TKey caller, string clientMessageId, CancellationToken cancellationToken)
    {
        var message = await store.Messages.AsNoTracking()
            .FirstOrDefaultAsync(m => m.RoomId == roomId && m.UserId.Equals(caller) && m.ClientMessageId == clientMessageId, cancellationToken);
        return message is null ? null : await store.BuildMessageAsync(message, caller, cancellationToken);
    }
}
