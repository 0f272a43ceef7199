using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Rules;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Services;

/// <summary>The rules of reactions: members react within the configured policy, once per value; authors or moderators remove them.</summary>
internal sealed class ReactionService<TUser, TKey>(ChatStore<TUser, TKey> store, RoomWrites<TUser, TKey> writes) : IChatReactionService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public async Task<ChatResult<PageModel<ReactionModel>>> ListForMessageAsync(string callerId, string roomId, string messageId, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        var roomKey = access.Room.Id;
        if (!EntityId.TryParse(messageId, out var messageKey)
            || !await store.Messages.AnyAsync(m => m.Id == messageKey && m.RoomId == roomKey, cancellationToken))
            return ChatError.MessageNotFound;
        var scope = "reactions:" + messageKey;
        if (store.ValidatePage(page, scope, out var limit, out var cursor) is { } invalid)
            return invalid;

        var query = store.Reactions.Where(r => r.RoomId == roomKey && r.MessageId == messageKey);
        if (cursor is { } c)
            query = query.Where(r => r.Id > c.Id);
        var rows = await query.OrderBy(r => r.Id).Take(limit + 1).AsNoTracking().ToListAsync(cancellationToken);
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, scope, r => (0, r.Id));
        return ChatResult<PageModel<ReactionModel>>.Ok(new PageModel<ReactionModel>
        {
            Items = items.Select(ChatStore<TUser, TKey>.ToModel).ToList(),
            NextCursor = next,
        });
    }

    public async Task<ChatResult<PageModel<ReactionModel>>> ListMineAsync(string callerId, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (store.ValidatePage(page, "my-reactions", out var limit, out var cursor) is { } invalid)
            return invalid;
        var query = store.Reactions.Where(r => r.UserId.Equals(caller));
        if (cursor is { } c)
            query = query.Where(r => r.Id < c.Id);
        var rows = await query.OrderByDescending(r => r.Id).Take(limit + 1).AsNoTracking().ToListAsync(cancellationToken);
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, "my-reactions", r => (0, r.Id));
        return ChatResult<PageModel<ReactionModel>>.Ok(new PageModel<ReactionModel>
        {
            Items = items.Select(ChatStore<TUser, TKey>.ToModel).ToList(),
            NextCursor = next,
        });
    }

    public async Task<ChatResult<ReactionModel>> AddAsync(string callerId, string roomId, string messageId, string? reaction, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await writes.InRoomAsync(caller, roomId, async w =>
        {
            var store = w.Store;
            var roomKey = w.Room.Id;
            if (!EntityId.TryParse(messageId, out var messageKey)
                || await store.Messages.FirstOrDefaultAsync(m => m.Id == messageKey && m.RoomId == roomKey, CancellationToken.None) is not { } message)
                return ChatError.MessageNotFound;
            if ((RoomRules.RequireMember(w.Access, "react") ?? RoomRules.RequireNotFrozen(w.Access)) is { } denied)
                return denied;
            if (!ReactionPolicy.Accepts(store.Options.Reactions, reaction))
                return ChatError.Invalid("reaction", "This reaction is not allowed here.");
            if (await FindExistingAsync(store, messageKey, caller, reaction!) is { } existing)
                return ChatResult<ReactionModel>.Ok(existing);

            var entity = new ChatMessageReaction<TKey>
            {
                RoomId = roomKey,
                MessageId = messageKey,
                UserId = caller,
                Reaction = reaction!,
                CreatedAt = w.Now,
            };
            store.Reactions.Add(entity);
            message.ReactionCount += 1;
            await w.SaveAsync();
            var model = ChatStore<TUser, TKey>.ToModel(entity);
            w.Record(ChatEventNames.ReactionAdded, messageKey, _ => model);
            return ChatResult<ReactionModel>.New(model);
        }, cancellationToken);
    }

    public async Task<ChatResult<ReactionModel>> GetAsync(string callerId, string reactionId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await FindReadableAsync(reactionId, caller, cancellationToken) is not { } found)
            return ChatError.ReactionNotFound;
        return ChatResult<ReactionModel>.Ok(ChatStore<TUser, TKey>.ToModel(found.Reaction));
    }

    public async Task<ChatResult> DeleteAsync(string callerId, string reactionId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await FindReadableAsync(reactionId, caller, cancellationToken) is not { } found)
            return ChatError.ReactionNotFound;

        // Found outside to learn its room; found again under the room's lock, where it may be gone.
        var id = found.Reaction.Id;
        var result = await writes.InRoomAsync<bool>(caller, EntityId.Format(found.Reaction.RoomId), async w =>
        {
            var reaction = await w.Store.Reactions.FirstOrDefaultAsync(r => r.Id == id && r.RoomId == w.Room.Id, CancellationToken.None);
            if (reaction is null)
                return ChatError.ReactionNotFound;
            if (RoomRules.CanDeleteReaction(w.Access, reaction, caller) is { } denied)
                return denied;
            w.Store.Reactions.Remove(reaction);
            if (await w.Store.Messages.FirstOrDefaultAsync(m => m.Id == reaction.MessageId, CancellationToken.None) is { ReactionCount: > 0 } message)
                message.ReactionCount -= 1;
            w.Record(ChatEventNames.ReactionRemoved, reaction.MessageId, _ => new ReactionRemovedPayload(
                EntityId.Format(reaction.RoomId), EntityId.Format(reaction.MessageId),
                EntityId.Format(reaction.Id), UserKey<TKey>.Format(reaction.UserId), reaction.Reaction));
            return ChatResult<bool>.Ok(true);
        }, cancellationToken);
        if (result.Error == ChatError.RoomNotFound)
            return ChatError.ReactionNotFound;
        return result.Succeeded ? ChatResult.Ok : result.Error!;
    }

    private async Task<(ChatMessageReaction<TKey> Reaction, RoomAccess<TKey> Access)?> FindReadableAsync(string reactionId, TKey caller, CancellationToken cancellationToken)
    {
        if (!EntityId.TryParse(reactionId, out var id))
            return null;
        var reaction = await store.Reactions.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (reaction is null || await store.FindReadableAsync(ChatStore<TUser, TKey>.Id(reaction.RoomId), caller, cancellationToken) is not { } access)
            return null;
        return (reaction, access);
    }

    private static async Task<ReactionModel?> FindExistingAsync(ChatStore<TUser, TKey> store, long messageId, TKey caller, string reaction)
    {
        var existing = await store.Reactions.AsNoTracking()
            .FirstOrDefaultAsync(r => r.MessageId == messageId && r.UserId.Equals(caller) && r.Reaction == reaction, CancellationToken.None);
        return existing is null ? null : ChatStore<TUser, TKey>.ToModel(existing);
    }
}
