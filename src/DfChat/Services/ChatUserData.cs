using System.Runtime.CompilerServices;
using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Options;
using DfChat.Storage;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace DfChat.Services;

/// <summary>
/// Erasing and exporting a user (API.md §4). Erasing goes room by room, each step one transaction of the
/// write path in the room's lane (at most <see cref="DfChatOptions.ErasureBatchSize"/> reactions and
/// messages), so that the room's members receive every change as events and no erasure holds a room for long.
/// </summary>
internal sealed partial class ChatUserData<TUser, TKey>(
    ChatStore<TUser, TKey> store,
    RoomWrites<TUser, TKey> writes,
    IChatMediaStore files,
    ILogger<ChatUserData<TUser, TKey>> logger) : IChatUserData
    where TUser : class
    where TKey : IEquatable<TKey>
{
    private const int ExportPageSize = 100;

    /// <summary>
    /// Whether a user column can be set to null: string keys can; a value-type key (<c>Guid</c>, <c>int</c>)
    /// cannot, so its rows are given to another user (who created a room, who added a member) or deleted
    /// (messages, uploads).
    /// </summary>
    private static readonly bool KeysCanBeNull = default(TKey) is null;

    public async Task EraseAsync(string userId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(userId, out var user))
            throw new ArgumentException($"'{userId}' is not a user key.", nameof(userId));

        // Rooms in id order, each until it holds nothing of the user; then uploads. A second round catches
        // what the user wrote meanwhile; a third finding anything means they keep writing.
        for (var round = 0; round < 3; round++)
        {
            var changed = false;
            while (await NextRoomAsync(user, cancellationToken) is { } roomId)
            {
                while (!await EraseInRoomAsync(user, roomId, cancellationToken))
                {
                }

                changed = true;
            }

            changed |= await ForgetMentionsAsync(user, cancellationToken);
            changed |= await LiftPinsAsync(user, cancellationToken);
            changed |= await EraseModerationAsync(user, cancellationToken);
            changed |= await EraseUploadsAsync(user, cancellationToken);
            if (!changed)
                return;
            LogErasedRound(logger, round + 1);
        }
    }

    /// <summary>The first room that still holds a row naming the user, or null.</summary>
    private async Task<long?> NextRoomAsync(TKey user, CancellationToken cancellationToken)
    {
        var avatars = store.Media.Where(m => m.UploadedBy!.Equals(user)).Select(m => (long?)m.Id);
        long?[] candidates =
        [
            await store.Members.Where(m => m.UserId.Equals(user)).MinAsync(m => (long?)m.RoomId, cancellationToken),
            await store.Members.Where(m => m.CreatedBy!.Equals(user)).MinAsync(m => (long?)m.RoomId, cancellationToken),
            await store.Rooms.Where(r => r.CreatedBy!.Equals(user)).MinAsync(r => (long?)r.Id, cancellationToken),
            await store.Rooms.Where(r => avatars.Contains(r.AvatarMediaId)).MinAsync(r => (long?)r.Id, cancellationToken),
            await store.Messages.Where(m => m.UserId!.Equals(user)).MinAsync(m => (long?)m.RoomId, cancellationToken),
            await store.Reactions.Where(r => r.UserId.Equals(user)).MinAsync(r => (long?)r.RoomId, cancellationToken),
        ];
        return candidates.Where(c => c is not null).Min();
    }

    /// <summary>One transaction in the room: true once the room holds nothing of the user.</summary>
    private async Task<bool> EraseInRoomAsync(TKey user, long roomId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = await writes.InRoomAsChatAsync(roomId, async w =>
        {
            var budget = w.Store.Options.ErasureBatchSize;
            budget -= await RemoveReactionsAsync(w, user, budget);
            if (budget > 0)
                budget -= await EraseMessagesAsync(w, user, budget);
            if (budget > 0)
                budget -= await ForgetCreatorAsync(w, user, budget);
            if (budget <= 0)
            {
                await w.SaveAsync();
                return ChatResult<bool>.Ok(false);
            }

            await EndMembershipAsync(w, user);
            return ChatResult<bool>.Ok(true);
        }, cancellationToken);

        return DoneInRoom(result, roomId, "Erasing a user");
    }

    /// <summary>Whether a step of an erasure in a room is done: it said so, or the room was deleted meanwhile (it holds nothing of anybody).</summary>
    private static bool DoneInRoom(ChatResult<bool> result, long roomId, string step) =>
        result.Succeeded || result.Error == ChatError.RoomNotFound
            ? result.Value || !result.Succeeded
            : throw new InvalidOperationException($"{step} in room {roomId} failed: {result.Error}");

    /// <summary>Removes up to <paramref name="budget"/> of the user's reactions in the room, as deleting each would.</summary>
    private static async Task<int> RemoveReactionsAsync(RoomWrite<TUser, TKey> w, TKey user, int budget)
    {
        var store = w.Store;
        var reactions = await store.Reactions.Where(r => r.RoomId == w.Room.Id && r.UserId.Equals(user))
            .OrderBy(r => r.Id).Take(budget).ToListAsync(CancellationToken.None);
        if (reactions.Count == 0)
            return 0;
        var messageIds = reactions.Select(r => r.MessageId).Distinct().ToArray();
        var messages = await store.Messages.Where(m => m.RoomId == w.Room.Id && messageIds.Contains(m.Id)).ToDictionaryAsync(m => m.Id, CancellationToken.None);
        foreach (var reaction in reactions)
        {
            store.Reactions.Remove(reaction);
            if (messages.GetValueOrDefault(reaction.MessageId) is { ReactionCount: > 0 } message)
                message.ReactionCount -= 1;
            w.Record(ChatEventNames.ReactionRemoved, reaction.MessageId, _ => new ReactionRemovedPayload(
                EntityId.Format(reaction.RoomId), EntityId.Format(reaction.MessageId),
                EntityId.Format(reaction.Id), UserKey<TKey>.Format(reaction.UserId), reaction.Reaction));
        }

        await w.SaveAsync();
        return reactions.Count;
    }

    /// <summary>Deletes or anonymizes up to <paramref name="budget"/> of the user's messages in the room.</summary>
    private static async Task<int> EraseMessagesAsync(RoomWrite<TUser, TKey> w, TKey user, int budget)
    {
        var store = w.Store;
        var messages = await store.Messages.Where(m => m.RoomId == w.Room.Id && m.UserId!.Equals(user))
            .OrderBy(m => m.Id).Take(budget).ToListAsync(CancellationToken.None);
        if (messages.Count == 0)
            return 0;
        if (!KeysCanBeNull || store.Options.ErasedUserMessages == ErasedUserMessages.Delete)
        {
            foreach (var message in messages)
                await MessageService<TUser, TKey>.DeleteMessageAsync(w, message);
            return messages.Count;
        }

        // Anonymized: kept where they are, with their media, which no longer name their uploader either.
        var ids = messages.ConvertAll(m => m.Id);
        foreach (var message in messages)
            message.UserId = default;
        await w.SaveAsync();
        var attached = store.MessageMedia.Where(l => l.RoomId == w.Room.Id && ids.Contains(l.MessageId)).Select(l => l.MediaId);
        await store.Media.Where(m => attached.Contains(m.Id)).ExecuteUpdateAsync(s => s.SetProperty(m => m.UploadedBy, default(TKey)), CancellationToken.None);
        foreach (var model in await store.BuildMessagesAsync(messages, user, CancellationToken.None))
            w.Record(ChatEventNames.MessageUpdated, EntityId.TryParse(model.Id, out var messageId) ? messageId : null, _ => model);
        return messages.Count;
    }

    /// <summary>
    /// Rooms and memberships the user created no longer name them (null; with value-type keys, a member who
    /// was added by them counts as having joined, and the room counts as created by its earliest member).
    /// Their avatar of the room goes with its file. Returns how many rows changed.
    /// </summary>
    private static async Task<int> ForgetCreatorAsync(RoomWrite<TUser, TKey> w, TKey user, int budget)
    {
        var store = w.Store;
        var room = w.Room;
        var added = await store.Members.Where(m => m.RoomId == room.Id && m.CreatedBy!.Equals(user) && !m.UserId.Equals(user))
            .OrderBy(m => m.Id).Take(budget).ToListAsync(CancellationToken.None);
        foreach (var member in added)
            member.CreatedBy = KeysCanBeNull ? default : member.UserId;
        await w.SaveAsync();
        if (added.Count > 0)
        {
            foreach (var model in await store.BuildMembersAsync(added, CancellationToken.None))
                w.Record(ChatEventNames.MemberUpdated, model);
        }

        var roomChanged = false;
        if (room.CreatedBy is { } creator && creator.Equals(user))
        {
            // With a value-type key, a room nobody else is in keeps its creator until it is deleted below.
            var earliest = KeysCanBeNull ? null : await store.Members.Where(m => m.RoomId == room.Id && !m.UserId.Equals(user))
                .OrderBy(m => m.Id).Select(m => new { m.UserId }).FirstOrDefaultAsync(CancellationToken.None);
            if (KeysCanBeNull || earliest is not null)
            {
                room.CreatedBy = earliest is null ? default : earliest.UserId;
                roomChanged = true;
            }
        }

        string[] files = [];
        if (room.AvatarMediaId is { } avatarId
            && await store.Media.Where(m => m.Id == avatarId && m.UploadedBy!.Equals(user)).Select(m => m.StorageKey).FirstOrDefaultAsync(CancellationToken.None) is { } avatarFile)
        {
            room.AvatarMediaId = null;
            await w.SaveAsync();
            await store.Media.Where(m => m.Id == avatarId).ExecuteDeleteAsync(CancellationToken.None);
            files = [avatarFile];
            roomChanged = true;
        }

        if (roomChanged)
        {
            await w.SaveAsync();
            var model = await store.BuildRoomAsync(room, null, user, CancellationToken.None);
            w.Record(ChatEventNames.RoomUpdated, room.LastMessageId, given => model with { Membership = null, LastSeq = given }, files);
        }

        return added.Count;
    }

    /// <summary>
    /// Ends the user's membership: a room they own passes to the member who joined it earliest, with every
    /// permission; a room left with no member is deleted. A private room keeps its other member, and no
    /// longer keys the pair by the erased user.
    /// </summary>
    private static async Task EndMembershipAsync(RoomWrite<TUser, TKey> w, TKey user)
    {
        var store = w.Store;
        var room = w.Room;
        var member = await store.Members.FirstOrDefaultAsync(m => m.RoomId == room.Id && m.UserId.Equals(user), CancellationToken.None);
        if (member is null)
        {
            // A room nobody is in (with a value-type key, one the user created and everybody left) goes.
            if (room.CreatedBy is { } creator && creator.Equals(user) && !await store.Members.AnyAsync(m => m.RoomId == room.Id, CancellationToken.None))
                await RoomService<TUser, TKey>.DeleteRoomAsync(w);
            else
                await w.SaveAsync();
            return;
        }

        var heir = await store.Members.Where(m => m.RoomId == room.Id && !m.UserId.Equals(user))
            .OrderBy(m => m.Id).FirstOrDefaultAsync(CancellationToken.None);
        if (heir is null)
        {
            await RoomService<TUser, TKey>.DeleteRoomAsync(w);
            return;
        }

        if (member.IsOwner)
        {
            member.IsOwner = false;
            heir.IsOwner = true;
            heir.Permissions = ChatPermissions.All;
            await w.SaveAsync();
            w.Record(ChatEventNames.MemberUpdated, await store.BuildMemberAsync(heir, CancellationToken.None));
        }

        room.PrivatePairKey = null;
        store.Members.Remove(member);
        room.MemberCount--;
        var removedId = UserKey<TKey>.Format(user);
        w.Record(ChatEventNames.MemberRemoved, new MemberRemovedPayload(EntityId.Format(room.Id), removedId), [removedId]);
        await w.SaveAsync();
    }

    /// <summary>
    /// Messages that mention the user no longer do, in every room (a room they left long ago too), in bounded
    /// transactions of the room's lane, each change a <c>messageUpdated</c>. The user has no membership left by
    /// then, so no count moves. Mentions live only in each message's own JSON, so the rooms are found by one scan
    /// of the messages that mention anyone: an erasure pays for it, not every send. Returns whether anything changed.
    /// </summary>
    private async Task<bool> ForgetMentionsAsync(TKey user, CancellationToken cancellationToken)
    {
        var id = UserKey<TKey>.Format(user);
        var (first, later) = MessageDetails.MentionPatterns(id);
        var rooms = await store.Messages.Where(m => m.Mentions != null && (m.Mentions.Contains(first) || m.Mentions.Contains(later)))
            .Select(m => m.RoomId).Distinct().OrderBy(r => r).ToListAsync(cancellationToken);
        return await InEachRoomAsync(rooms, roomId => ForgetMentionsInRoomAsync(user, id, roomId, cancellationToken));
    }

    /// <summary>Runs <paramref name="step"/> in each room until it says the room is done; returns whether there was any room.</summary>
    private static async Task<bool> InEachRoomAsync(List<long> rooms, Func<long, Task<bool>> step)
    {
        foreach (var roomId in rooms)
        {
            while (!await step(roomId))
            {
            }
        }

        return rooms.Count > 0;
    }

    /// <summary>One transaction in the room: true once no message of the room mentions the user.</summary>
    private async Task<bool> ForgetMentionsInRoomAsync(TKey user, string id, long roomId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var (first, later) = MessageDetails.MentionPatterns(id);
        var result = await writes.InRoomAsChatAsync(roomId, async w =>
        {
            var budget = w.Store.Options.ErasureBatchSize;
            var messages = await w.Store.Messages
                .Where(m => m.RoomId == roomId && m.Mentions != null && (m.Mentions.Contains(first) || m.Mentions.Contains(later)))
                .OrderBy(m => m.Id).Take(budget).ToListAsync(CancellationToken.None);
            foreach (var message in messages)
                message.Mentions = MessageDetails.StoreMentions(MessageDetails.MentionsOf(message).Where(m => m != id).ToArray());
            await w.SaveAsync();
            foreach (var model in await w.Store.BuildMessagesAsync(messages, user, CancellationToken.None))
                w.Record(ChatEventNames.MessageUpdated, EntityId.TryParse(model.Id, out var messageId) ? messageId : null, _ => model);
            return ChatResult<bool>.Ok(messages.Count < budget);
        }, cancellationToken);

        return DoneInRoom(result, roomId, "Erasing the mentions of a user");
    }

    /// <summary>
    /// The pins the user made are lifted, in bounded transactions of the room's lane, each message a
    /// <c>messageUpdated</c> without <c>pinnedAt</c> as an unpin sends (a pin names who made it). Returns whether
    /// anything changed.
    /// </summary>
    private async Task<bool> LiftPinsAsync(TKey user, CancellationToken cancellationToken)
    {
        var rooms = await store.Pins.Where(p => p.PinnedBy.Equals(user)).Select(p => p.RoomId).Distinct().OrderBy(r => r)
            .ToListAsync(cancellationToken);
        return await InEachRoomAsync(rooms, roomId => LiftPinsInRoomAsync(user, roomId, cancellationToken));
    }

    /// <summary>One transaction in the room: true once the room holds no pin the user made.</summary>
    private async Task<bool> LiftPinsInRoomAsync(TKey user, long roomId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var result = await writes.InRoomAsChatAsync(roomId, async w =>
        {
            var budget = w.Store.Options.ErasureBatchSize;
            var pins = await w.Store.Pins.Where(p => p.RoomId == roomId && p.PinnedBy.Equals(user))
                .OrderBy(p => p.MessageId).Take(budget).ToListAsync(CancellationToken.None);
            var pinned = pins.Select(p => p.MessageId).ToArray();
            var messages = await w.Store.Messages.Where(m => m.RoomId == roomId && pinned.Contains(m.Id))
                .OrderBy(m => m.Id).ToListAsync(CancellationToken.None);
            w.Store.Pins.RemoveRange(pins);
            foreach (var message in messages)
                message.PinnedAt = null;
            await w.SaveAsync();
            foreach (var model in await w.Store.BuildMessagesAsync(messages, user, CancellationToken.None))
                w.Record(ChatEventNames.MessageUpdated, EntityId.TryParse(model.Id, out var messageId) ? messageId : null, _ => model);
            return ChatResult<bool>.Ok(pins.Count < budget);
        }, cancellationToken);

        return DoneInRoom(result, roomId, "Lifting the pins of a user");
    }

    /// <summary>
    /// The other rows that name the user: their blocks (made and received), their bans and the reports
    /// they filed go; invitations they made are revoked; bans they made stay, made by the room's owner
    /// (without an owner they go); reports of their messages keep no author.
    /// </summary>
    private async Task<bool> EraseModerationAsync(TKey user, CancellationToken cancellationToken)
    {
        var userText = UserKey<TKey>.Format(user);
        var result = await writes.OutsideRoomsAsync(async store =>
        {
            var count = await store.Blocks.Where(b => b.UserId.Equals(user) || b.BlockedUserId.Equals(user)).ExecuteDeleteAsync(CancellationToken.None);
            count += await store.Bans.Where(b => b.UserId.Equals(user)).ExecuteDeleteAsync(CancellationToken.None);
            count += await store.Bans.Where(b => b.CreatedBy.Equals(user) && store.Members.Any(m => m.RoomId == b.RoomId && m.IsOwner))
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.CreatedBy, b => store.Members.Where(m => m.RoomId == b.RoomId && m.IsOwner).Select(m => m.UserId).First()), CancellationToken.None);
            count += await store.Bans.Where(b => b.CreatedBy.Equals(user)).ExecuteDeleteAsync(CancellationToken.None);
            count += await store.Invites.Where(i => i.CreatedBy.Equals(user)).ExecuteDeleteAsync(CancellationToken.None);
            count += await store.Reports.Where(r => r.ReporterId.Equals(user)).ExecuteDeleteAsync(CancellationToken.None);
            count += await store.Reports.Where(r => r.MessageUserId == userText).ExecuteUpdateAsync(s => s.SetProperty(r => r.MessageUserId, (string?)null), CancellationToken.None);
            return ChatResult<int>.Ok(count);
        }, cancellationToken);
        if (!result.Succeeded)
            throw new InvalidOperationException($"Erasing a user's moderation rows failed: {result.Error}");
        return result.Value > 0;
    }

    /// <summary>
    /// The user's uploads outside rooms, in bounded transactions: those on a kept (anonymized) message no
    /// longer name them; the rest are deleted, then their files. Returns whether anything changed.
    /// </summary>
    private async Task<bool> EraseUploadsAsync(TKey user, CancellationToken cancellationToken)
    {
        var changed = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var result = await writes.OutsideRoomsAsync(async store =>
            {
                var batch = await store.Media.Where(m => m.UploadedBy!.Equals(user)
                        && !store.Rooms.Any(r => r.AvatarMediaId == m.Id))
                    .OrderBy(m => m.Id).Take(store.Options.ErasureBatchSize)
                    .Select(m => new { m.Id, m.StorageKey, Attached = store.MessageMedia.Any(l => l.MediaId == m.Id) })
                    .ToListAsync(CancellationToken.None);
                var kept = batch.Where(m => m.Attached && KeysCanBeNull).Select(m => m.Id).ToArray();
                var deleted = batch.Where(m => !m.Attached || !KeysCanBeNull).Select(m => m.Id).ToArray();
                if (kept.Length > 0)
                    await store.Media.Where(m => kept.Contains(m.Id)).ExecuteUpdateAsync(s => s.SetProperty(m => m.UploadedBy, default(TKey)), CancellationToken.None);
                if (deleted.Length > 0)
                    await store.Media.Where(m => deleted.Contains(m.Id)).ExecuteDeleteAsync(CancellationToken.None);
                return ChatResult<(int Count, string[] Files)>.Ok((batch.Count, batch.Where(m => deleted.Contains(m.Id)).Select(m => m.StorageKey).ToArray()));
            }, cancellationToken);
            if (!result.Succeeded)
                throw new InvalidOperationException($"Erasing a user's uploads failed: {result.Error}");

            var (count, keys) = result.Value;
            foreach (var key in keys)
            {
                try
                {
                    await files.DeleteAsync(key, CancellationToken.None);
                }
                catch (IOException e)
                {
                    LogFileNotDeleted(logger, key, e);
                }
            }

            changed |= count > 0;
            if (count == 0)
                return changed;
        }
    }

    public async Task<ChatResult<ChatUserExport>> ExportAsync(string callerId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.Users.FindAsync(caller, cancellationToken) is not { } me)
            return ChatError.UserNotFound;
        return ChatResult<ChatUserExport>.Ok(new ChatUserExport
        {
            User = me,
            Memberships = PagesAsync(
                last => store.Members.AsNoTracking().Where(m => m.UserId.Equals(caller) && m.Id > last).OrderBy(m => m.Id),
                m => m.Id,
                (page, ct) => store.BuildMembersAsync(page, ct),
                CancellationToken.None),
            Messages = PagesAsync(
                last => store.Messages.AsNoTracking().Where(m => m.UserId!.Equals(caller) && m.Id > last).OrderBy(m => m.Id),
                m => m.Id,
                (page, ct) => store.BuildMessagesAsync(page, caller, ct),
                CancellationToken.None),
            Reactions = PagesAsync(
                last => store.Reactions.AsNoTracking().Where(r => r.UserId.Equals(caller) && r.Id > last).OrderBy(r => r.Id),
                r => r.Id,
                (page, _) => Task.FromResult(page.ConvertAll(ChatStore<TUser, TKey>.ToModel)),
                CancellationToken.None),
            Media = PagesAsync(
                last => store.Media.AsNoTracking().Where(m => m.UploadedBy!.Equals(caller) && m.Id > last).OrderBy(m => m.Id),
                m => m.Id,
                (page, _) => Task.FromResult(page.ConvertAll(store.ToModel)),
                CancellationToken.None),
        });
    }

    /// <summary>The rows of <paramref name="after"/>, read one keyset page at a time as they are enumerated.</summary>
    private static async IAsyncEnumerable<TModel> PagesAsync<TRow, TModel>(
        Func<long, IQueryable<TRow>> after,
        Func<TRow, long> idOf,
        Func<List<TRow>, CancellationToken, Task<List<TModel>>> build,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        long last = 0;
        while (true)
        {
            var page = await after(last).Take(ExportPageSize).ToListAsync(cancellationToken);
            foreach (var model in await build(page, cancellationToken))
                yield return model;
            if (page.Count < ExportPageSize)
                yield break;
            last = idOf(page[^1]);
        }
    }

    [LoggerMessage(EventId = 2301, Level = LogLevel.Information, Message = "Erasing a user: round {Round} changed rows; looking again.")]
    private static partial void LogErasedRound(ILogger logger, int round);

    [LoggerMessage(EventId = 2302, Level = LogLevel.Warning, Message = "The file {StorageKey} of an erased user's upload could not be deleted.")]
    private static partial void LogFileNotDeleted(ILogger logger, string storageKey, Exception exception);
}
