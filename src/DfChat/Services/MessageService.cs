using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Rules;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Services;

/// <summary>
/// Messages: who posts, edits and deletes (<see cref="RoomRules"/>); media and replies; idempotent
/// sends. Unread counts are kept by <see cref="UnreadCounts"/>.
/// </summary>
internal sealed class MessageService<TUser, TKey>(ChatStore<TUser, TKey> store, RoomWrites<TUser, TKey> writes) : IChatMessageService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    private const int MaxClientMessageIdLength = 100;

    public Task<ChatResult<PageModel<MessageModel>>> ListAsync(string callerId, string roomId, PageRequest page, CancellationToken cancellationToken) =>
        PageAsync(callerId, roomId, afterMessageId: null, page, cancellationToken);

    public Task<ChatResult<PageModel<MessageModel>>> ListAfterAsync(string callerId, string roomId, string afterMessageId, PageRequest page, CancellationToken cancellationToken) =>
        PageAsync(callerId, roomId, afterMessageId ?? "", page, cancellationToken);

    /// <summary>
    /// The newest messages (older than the cursor), or with <paramref name="afterMessageId"/> those after it. The
    /// page's statement also checks that the caller may read the room, so an ordinary page costs that one
    /// statement; the room is read on its own only to tell an outsider's 404 from an empty page or a 400.
    /// </summary>
    private async Task<ChatResult<PageModel<MessageModel>>> PageAsync(string callerId, string roomId, string? afterMessageId, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (!EntityId.TryParse(roomId, out var id))
            return ChatError.RoomNotFound;
        await using var connection = await store.OpenConnectionAsync(cancellationToken);
        var catchUp = afterMessageId is not null;
        var scope = (catchUp ? "after:" : "messages:") + id;
        var refused = store.ValidatePage(page, scope, out var limit, out var cursor);
        long? before = catchUp ? null : cursor?.Id;
        long? after = catchUp ? cursor?.Id : null;
        if (refused is null && catchUp && cursor is null)
        {
            if (EntityId.TryParse(afterMessageId, out var from) && await store.Messages.AnyAsync(m => m.Id == from && m.RoomId == id, cancellationToken))
                after = from;
            else
                refused = ChatError.MessageNotFound;
        }

        // Outsiders learn nothing, not even that their request is wrong.
        if (refused is not null)
            return await store.FindReadableAsync(roomId, caller, cancellationToken) is null ? ChatError.RoomNotFound : refused;

        var rows = await store.ReadablePageAsync(id, caller, before, after, limit + 1, cancellationToken);
        if (rows.Count == 0 && await store.FindReadableAsync(roomId, caller, cancellationToken) is null)
            return ChatError.RoomNotFound;
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, scope, r => (0, r.Message.Id));
        return ChatResult<PageModel<MessageModel>>.Ok(new PageModel<MessageModel>
        {
            Items = await store.BuildPageAsync(id, items, caller, cancellationToken),
            NextCursor = next,
        });
    }

    public async Task<ChatResult<MessageModel>> SendAsync(string callerId, string roomId, SendMessageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await writes.PrepareInRoomAsync<MessageModel>(caller, roomId, async w =>
        {
            if ((RoomRules.Require(w.Access, ChatPermissions.CreateMessages, "post") ?? RoomRules.RequireNotFrozen(w.Access)) is { } denied)
                return denied;
            if (w.Room.Type == ChatRoomType.PrivateMessages && RoomRules.CanReach(await w.Store.IsBlockedInRoomAsync(w.Room.Id, caller)) is { } blocked)
                return blocked;
            if (request.ClientMessageId is { Length: > MaxClientMessageIdLength } or { Length: 0 })
                return ChatError.Invalid("clientMessageId", $"clientMessageId must be 1 to {MaxClientMessageIdLength} characters.");

            var store = w.Store;
            var room = w.Room;
            if (request.ClientMessageId is { } clientId && await FindByClientIdAsync(store, room.Id, caller, clientId) is { } repeated)
                return ChatResult<AfterSave<MessageModel>>.Ok(() => ChatResult<MessageModel>.Ok(repeated));

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

            List<ChatMedia<TKey>> media = [];
            if (mediaIds.Count > 0)
            {
                // An upload left unattached past its lifetime is the sweep's: it can no longer be sent.
                var fresh = w.Now - store.Options.Media.UnattachedLifetime;
                media = await store.Unattached()
                    .Where(m => mediaIds.Contains(m.Id) && m.UploadedBy!.Equals(caller) && m.CreatedAt > fresh)
                    .ToListAsync(CancellationToken.None);
                if (media.Count != mediaIds.Count)
                    return ChatError.Invalid("mediaIds", "Each media id must be one of your own recent uploads, not yet attached to a message or used as a room's avatar.");
                media = mediaIds.Select(id => media.Single(m => m.Id == id)).ToList();
            }

            long? replyToId = null;
            if (request.ReplyToId is not null)
            {
                if (!EntityId.TryParse(request.ReplyToId, out var reply)
                    || !await store.Messages.AnyAsync(m => m.Id == reply && m.RoomId == room.Id, CancellationToken.None))
                    return ChatError.Invalid("replyToId", "replyToId must be a message of this room.");
                replyToId = reply;
            }

            ChatMessage<TKey>? root = null;
            if (request.ThreadId is not null)
            {
                var threadId = EntityId.TryParse(request.ThreadId, out var parsed) ? parsed : 0;
                root = await store.Messages.FirstOrDefaultAsync(m => m.Id == threadId && m.RoomId == room.Id, CancellationToken.None);
                if (root is null)
                    return ChatError.Invalid("threadId", "threadId must be a message of this room.");
                if (root.ThreadId is not null)
                    return ChatError.Invalid("threadId", "threadId must be a top-level message: a reply in a thread starts no thread of its own.");
            }

            // Slow mode paces top-level messages; replies in a thread are not held back by it.
            if (root is null && RoomRules.SlowMode(w.Access, w.Now) is { } tooSoon)
                return tooSoon;

            var mentions = await Mentions<TUser, TKey>.ParseAsync(w, request.Mentions);
            if (mentions.Error is { } badMention)
                return badMention;

            var authorName = w.CallerName;

            // Checked: from here on the send only adds. Its rows are saved with those of the batch's other sends.
            var message = new ChatMessage<TKey>
            {
                RoomId = room.Id,
                UserId = caller,
                Text = string.IsNullOrEmpty(request.Text) ? null : request.Text,
                ReplyToId = replyToId,
                CreatedAt = w.Now,
                ClientMessageId = request.ClientMessageId,
                HasMedia = media.Count > 0,
                ReactionCount = 0,
                ThreadId = root?.Id,
                Mentions = MessageDetails.StoreMentions(mentions.Value!.Ids),
            };
            store.Messages.Add(message);
            var counted = UnreadCounts.CountingMentions(message, mentions.Value!.Keys);
            MessageModel? rootModel = null;
            if (root is null)
            {
                // Slow mode measures top-level sends: a thread reply neither waits for it nor restarts it.
                w.Member!.LastPostedAt = w.Now;
                await UnreadCounts.MessageSentAsync(w.Db, room, w.Member!, message, CancellationToken.None);
                UnreadCounts.Mentioned(message, mentions.Value!.Members.Where(m => counted.Contains(m.UserId)));
                room.LastActivityAt = w.Now;
            }
            else
            {
                // A thread reply stays out of the room's list, its counts and its last message; its root shows it.
                root.ThreadReplyCount++;
                root.ThreadLastReplyAt = w.Now;
                rootModel = await store.BuildMessageAsync(root, caller, CancellationToken.None);
            }

            // Two sends of one batch attaching the same upload: the unique index stops the second, and the
            // batch then runs each send alone, where the check above answers 400.
            return ChatResult<AfterSave<MessageModel>>.Ok(() =>
            {
                store.MessageMedia.AddRange(media.Select((m, i) => new ChatMessageMedia { RoomId = room.Id, MessageId = message.Id, MediaId = m.Id, Sequence = i }));
                if (root is null)
                    room.LastMessageId = Math.Max(room.LastMessageId ?? 0, message.Id);
                var model = new MessageModel
                {
                    Id = Id(message.Id),
                    RoomId = Id(room.Id),
                    UserId = Id(caller),
                    User = new UserModel { Id = Id(caller), DisplayName = authorName },
                    Text = message.Text,
                    Media = media.Select(store.ToModel).ToArray(),
                    Reactions = [],
                    ReplyToId = replyToId is { } r ? Id(r) : null,
                    CreatedAt = message.CreatedAt,
                    ThreadId = root is null ? null : Id(root.Id),
                    Mentions = mentions.Value!.Ids,
                };
                w.Record(ChatEventNames.MessageCreated, message.Id, _ => model);
                if (rootModel is not null)
                    w.Record(ChatEventNames.MessageUpdated, root!.Id, _ => rootModel);
                return ChatResult<MessageModel>.New(model);
            });
        }, cancellationToken, Mentions<TUser, TKey>.ToHint(request.Mentions));
    }

    public async Task<ChatResult<MessageModel>> GetAsync(string callerId, string roomId, string messageId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        if (await FindAsync(store, access.Room.Id, messageId) is not { } message)
            return ChatError.MessageNotFound;
        return ChatResult<MessageModel>.Ok(await store.BuildMessageAsync(message, caller, cancellationToken));
    }

    public Task<ChatResult<MessageModel>> EditAsync(string callerId, string roomId, string messageId, string? text, CancellationToken cancellationToken) =>
        EditAsync(callerId, roomId, messageId, new EditMessageRequest { Text = text }, cancellationToken);

    public async Task<ChatResult<MessageModel>> EditAsync(string callerId, string roomId, string messageId, EditMessageRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await writes.InRoomAsync(caller, roomId, async w =>
        {
            var store = w.Store;
            if (await FindAsync(store, w.Room.Id, messageId) is not { } message)
                return ChatError.MessageNotFound;
            if ((RoomRules.CanEdit(w.Access, message, caller) ?? RoomRules.RequireNotFrozen(w.Access)) is { } denied)
                return denied;
            var text = request.Text;
            if (text is null && request.Mentions is null)
                return ChatError.Invalid("text", "text is required.");
            if (text is not null && text.Length > store.Options.MaxMessageLength)
                return ChatError.Invalid("text", $"text must be at most {store.Options.MaxMessageLength} characters.");
            if (text is not null && string.IsNullOrWhiteSpace(text) && !await store.MessageMedia.AnyAsync(l => l.RoomId == message.RoomId && l.MessageId == message.Id, CancellationToken.None))
                return ChatError.Invalid("text", "A message without media needs text.");
            var mentions = await Mentions<TUser, TKey>.ParseAsync(w, request.Mentions);
            if (mentions.Error is { } badMention)
                return badMention;

            if (text is not null)
            {
                var newText = text.Length == 0 ? null : text;

                // The text it replaces is kept, in this transaction, for GET …/history.
                if (newText != message.Text)
                    store.Edits.Add(new ChatMessageEdit { RoomId = message.RoomId, MessageId = message.Id, Text = message.Text, EditedAt = w.Now });
                message.Text = newText;
            }

            if (request.Mentions is not null)
            {
                var before = UnreadCounts.CountingMentions(message, Mentions<TUser, TKey>.KeysOf(message));
                var after = UnreadCounts.CountingMentions(message, mentions.Value!.Keys);
                await UnreadCounts.UnmentionedAsync(w.Db, message, before.Except(after).ToList(), CancellationToken.None);
                var added = after.Except(before).ToList();
                UnreadCounts.Mentioned(message, mentions.Value!.Members.Where(m => added.Contains(m.UserId)));
                message.Mentions = MessageDetails.StoreMentions(mentions.Value!.Ids);
            }

            message.EditedAt = w.Now;
            await w.SaveAsync();
            var model = await store.BuildMessageAsync(message, caller, CancellationToken.None);
            w.Record(ChatEventNames.MessageUpdated, message.Id, _ => model);
            return ChatResult<MessageModel>.Ok(model);
        }, cancellationToken, Mentions<TUser, TKey>.ToHint(request.Mentions));
    }

    public async Task<ChatResult> DeleteAsync(string callerId, string roomId, string messageId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        var result = await writes.InRoomAsync<bool>(caller, roomId, async w =>
        {
            var store = w.Store;
            var room = w.Room;
            if (await FindAsync(store, room.Id, messageId) is not { } message)
                return ChatError.MessageNotFound;
            if (RoomRules.CanDelete(w.Access, message, caller) is { } denied)
                return denied;

            await DeleteMessageAsync(w, message);
            return ChatResult<bool>.Ok(true);
        }, cancellationToken);
        return result.Succeeded ? ChatResult.Ok : result.Error!;
    }

    /// <summary>
    /// Deletes <paramref name="message"/> of the room <paramref name="w"/> has locked, whoever asks (a member, or
    /// the erasure of its author): its reactions, media (files once committed), replies' links, unread
    /// counts and the room's last message, and <c>messageDeleted</c>. The one place a message is deleted.
    /// </summary>
    internal static async Task DeleteMessageAsync(RoomWrite<TUser, TKey> w, ChatMessage<TKey> message)
    {
        var store = w.Store;
        var room = w.Room;
        var mediaIds = await store.MessageMedia.Where(l => l.RoomId == room.Id && l.MessageId == message.Id).Select(l => l.MediaId).ToListAsync(CancellationToken.None);
        var storageKeys = await store.Media.Where(m => mediaIds.Contains(m.Id)).Select(m => m.StorageKey).ToListAsync(CancellationToken.None);

        await store.Reactions.Where(r => r.RoomId == room.Id && r.MessageId == message.Id).ExecuteDeleteAsync(CancellationToken.None);
        await store.MessageMedia.Where(l => l.RoomId == room.Id && l.MessageId == message.Id).ExecuteDeleteAsync(CancellationToken.None);
        await store.Media.Where(m => mediaIds.Contains(m.Id)).ExecuteDeleteAsync(CancellationToken.None);
        await store.Messages.Where(m => m.RoomId == room.Id && m.ReplyToId == message.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ReplyToId, (long?)null), CancellationToken.None);
        var thread = await Threads<TUser, TKey>.MessageDeletingAsync(store, message, w.Caller);
        await store.Messages.Where(m => m.Id == message.Id).ExecuteDeleteAsync(CancellationToken.None);
        if (message.ThreadId is null)
        {
            await UnreadCounts.MessageDeletedAsync(w.Db, message, CancellationToken.None);
            await UnreadCounts.UnmentionedAsync(w.Db, message, UnreadCounts.CountingMentions(message, Mentions<TUser, TKey>.KeysOf(message)), CancellationToken.None);
        }

        if (room.LastMessageId == message.Id)
        {
            var newest = await store.Messages.Where(m => m.RoomId == room.Id && m.ThreadId == null).OrderByDescending(m => m.Id)
                .Select(m => new { m.Id, m.CreatedAt }).FirstOrDefaultAsync(CancellationToken.None);
            room.LastMessageId = newest?.Id;
            room.LastActivityAt = newest?.CreatedAt ?? room.CreatedAt;
        }

        // Deleted means gone: the events that carried its text keep their seq and type, not the text,
        // and reports of it keep their reason, not the copy of the text.
        long[] gone = [message.Id, .. thread.DeletedReplies];
        await w.RedactAsync(gone);
        await store.Reports.Where(r => r.RoomId == room.Id && gone.Contains(r.MessageId))
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.MessageText, (string?)null), CancellationToken.None);

        // The files go once the delete has committed, by the outbox: a rolled-back delete keeps them.
        w.Record(ChatEventNames.MessageDeleted, message.Id, _ => new MessageDeletedPayload(Id(room.Id), Id(message.Id)), storageKeys);
        thread.Record(w);
    }

    private static Task<ChatMessage<TKey>?> FindAsync(ChatStore<TUser, TKey> store, long roomId, string messageId) =>
        EntityId.TryParse(messageId, out var id)
            ? store.Messages.FirstOrDefaultAsync(m => m.Id == id && m.RoomId == roomId, CancellationToken.None)
            : Task.FromResult<ChatMessage<TKey>?>(null);

    private static async Task<MessageModel?> FindByClientIdAsync(ChatStore<TUser, TKey> store, long roomId, TKey caller, string clientMessageId)
    {
        var message = await store.Messages.AsNoTracking()
            .FirstOrDefaultAsync(m => m.RoomId == roomId && m.UserId!.Equals(caller) && m.ClientMessageId == clientMessageId, CancellationToken.None);
        return message is null ? null : await store.BuildMessageAsync(message, caller, CancellationToken.None);
    }

    private static string Id(long id) => EntityId.Format(id);

    private static string Id(TKey key) => UserKey<TKey>.Format(key);
}
