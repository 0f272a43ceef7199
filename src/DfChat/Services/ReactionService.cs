using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Services;
using Microsoft.EntityFrameworkCore;

namespace DfChat;

/// <summary>The rules of reactions: members react within the configured policy, once per value; authors or moderators remove them.</summary>
internal sealed class ReactionService<TUser, TKey>(ChatStore<TUser, TKey> store) : IChatReactionService
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
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        var roomKey = access.Room.Id;
        if (!EntityId.TryParse(messageId, out var messageKey)
            || !await store.Messages.AnyAsync(m => m.Id == messageKey && m.RoomId == roomKey, cancellationToken))
            return ChatError.MessageNotFound;
        if (access.Member is null)
            return ChatError.Forbidden("Join the room to react.");
        if (!ReactionPolicy.Accepts(store.Options.Reactions, reaction))
            return ChatError.Invalid("reaction", "This reaction is not allowed here.");

        if (await FindExistingAsync(messageKey, caller, reaction!, cancellationToken) is { } existing)
            return ChatResult<ReactionModel>.Ok(existing);
        try
        {
            return await store.WriteAsync(async () =>
            {
                if (!await store.Messages.AnyAsync(m => m.Id == messageKey && m.RoomId == roomKey, cancellationToken))
                    return ChatError.MessageNotFound;
                var entity = new ChatMessageReaction<TKey>
                {
                    RoomId = roomKey,
                    MessageId = messageKey,
                    UserId = caller,
                    Reaction = reaction!,
                    CreatedAt = store.Now(),
                };
                store.Reactions.Add(entity);
                await store.Db.SaveChangesAsync(cancellationToken);
                var model = ChatStore<TUser, TKey>.ToModel(entity);
                store.Raise(ChatEventNames.ReactionAdded, roomKey, model, caller);
                return ChatResult<ReactionModel>.New(model);
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // The same reaction raced in: the unique index let the first one through.
            if (await FindExistingAsync(messageKey, caller, reaction!, cancellationToken) is { } first)
                return ChatResult<ReactionModel>.Ok(first);

            // Or the message was deleted in the meantime.
            if (!await store.Messages.AnyAsync(m => m.Id == messageKey, cancellationToken))
                return ChatError.MessageNotFound;
            throw;
        }
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
        var result = await store.WriteAsync<bool>(async () =>
        {
            if (await FindReadableAsync(reactionId, caller, cancellationToken) is not { } found)
                return ChatError.ReactionNotFound;
            var reaction = found.Reaction;
            if (!reaction.UserId.Equals(caller)
                && ChatStore<TUser, TKey>.Require(found.Access, ChatPermissions.DeleteMessages, "delete others' reactions") is { } denied)
                return denied;
            store.Reactions.Remove(reaction);
            await store.Db.SaveChangesAsync(cancellationToken);
            store.Raise(ChatEventNames.ReactionRemoved, reaction.RoomId, new ReactionRemovedPayload(
                ChatStore<TUser, TKey>.Id(reaction.RoomId), ChatStore<TUser, TKey>.Id(reaction.MessageId),
                ChatStore<TUser, TKey>.Id(reaction.Id), ChatStore<TUser, TKey>.Id(reaction.UserId), reaction.Reaction), caller);
            return ChatResult<bool>.Ok(true);
        }, cancellationToken);
        return result.Succeeded ? ChatResult.Ok : result.Error!;
    }

    private async Task<(ChatMessageReaction<TKey> Reaction, RoomAccess<TKey> Access)?> FindReadableAsync(string reactionId, TKey caller, CancellationToken cancellationToken)
    {
        if (!EntityId.TryParse(reactionId, out var id))
            return null;
        var reaction = await store.Reactions.FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (reaction is null || await store.FindReadableAsync(ChatStore<TUser, TKey>.Id(reaction.RoomId), caller, cancellationToken) is not { } access)
            return null;
        return (reaction, access);
    }

    private async Task<ReactionModel?> FindExistingAsync(long messageId, TKey caller, string reaction, CancellationToken cancellationToken)
    {
        var existing = await store.Reactions.AsNoTracking()
            .FirstOrDefaultAsync(r => r.MessageId == messageId && r.UserId.Equals(caller) && r.Reaction == reaction, cancellationToken);
        return existing is null ? null : ChatStore<TUser, TKey>.ToModel(existing);
    }
}
