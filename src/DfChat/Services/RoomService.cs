using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Services;
using DfChat.Storage;
using Microsoft.EntityFrameworkCore;

namespace DfChat;

/// <summary>The rules of rooms: creation with type defaults, the private-pair rule, public rooms, editing, deleting, joining, reading.</summary>
internal sealed class RoomService<TUser, TKey>(ChatStore<TUser, TKey> store, IChatMediaStore mediaStore) : IChatRoomService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    private const int MaxNameLength = 255;
    private const int MaxDescriptionLength = 2000;

    public async Task<ChatResult<PageModel<RoomModel>>> ListMineAsync(string callerId, string? type, string? search, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        ChatRoomType? roomType = null;
        if (!string.IsNullOrEmpty(type))
        {
            if (!ChatPermissionNames.TryParseRoomType(type, out var parsed))
                return ChatError.Invalid("type", "type must be private_messages, group or channel.");
            roomType = parsed;
        }

        if (store.ValidatePage(page, "rooms", out var limit, out var cursor) is { } invalid)
            return invalid;

        var query =
            from m in store.Members
            where m.UserId.Equals(caller)
            join r in store.Rooms on m.RoomId equals r.Id
            select new { Room = r, Member = m };
        if (roomType is { } t)
            query = query.Where(x => x.Room.Type == t);
        if (!string.IsNullOrEmpty(search))
        {
            var term = search.ToLowerInvariant();
            query = query.Where(x => x.Room.NormalizedName != null && x.Room.NormalizedName.Contains(term));
        }

        if (cursor is { } c)
        {
            var at = c.Time;
            query = query.Where(x => x.Member.RoomLastActivityAt < at || (x.Member.RoomLastActivityAt == at && x.Member.RoomId < c.Id));
        }

        var rows = await query
            .OrderByDescending(x => x.Member.RoomLastActivityAt).ThenByDescending(x => x.Member.RoomId)
            .Take(limit + 1)
            .ToListAsync(cancellationToken);
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, "rooms", x => (x.Member.RoomLastActivityAt.Ticks, x.Member.RoomId));
        var models = await store.BuildRoomsAsync(items.Select(x => (x.Room, (ChatRoomUser<TKey>?)x.Member)).ToList(), caller, cancellationToken);
        return ChatResult<PageModel<RoomModel>>.Ok(new PageModel<RoomModel> { Items = models, NextCursor = next });
    }

    public async Task<ChatResult<PageModel<RoomModel>>> ListPublicAsync(string callerId, string? search, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (store.ValidatePage(page, "public", out var limit, out var cursor) is { } invalid)
            return invalid;

        var rooms = store.Rooms.Where(r => r.IsPublic);
        if (!string.IsNullOrEmpty(search))
        {
            var term = search.ToLowerInvariant();
            rooms = rooms.Where(r => r.NormalizedName != null && r.NormalizedName.Contains(term));
        }

        if (cursor is { } c)
        {
            var at = c.Time;
            rooms = rooms.Where(r => r.LastActivityAt < at || (r.LastActivityAt == at && r.Id < c.Id));
        }

        var rows = await (
            from r in rooms.OrderByDescending(r => r.LastActivityAt).ThenByDescending(r => r.Id).Take(limit + 1)
            from m in store.Members.Where(m => m.RoomId == r.Id && m.UserId.Equals(caller)).DefaultIfEmpty()
            select new { Room = r, Member = m })
            .ToListAsync(cancellationToken);
        rows = rows.OrderByDescending(x => x.Room.LastActivityAt).ThenByDescending(x => x.Room.Id).ToList();
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, "public", x => (x.Room.LastActivityAt.Ticks, x.Room.Id));
        var models = await store.BuildRoomsAsync(items.Select(x => (x.Room, (ChatRoomUser<TKey>?)x.Member)).ToList(), caller, cancellationToken);
        return ChatResult<PageModel<RoomModel>>.Ok(new PageModel<RoomModel> { Items = models, NextCursor = next });
    }

    public async Task<ChatResult<RoomModel>> CreateAsync(string callerId, CreateRoomRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (string.IsNullOrEmpty(request.Type))
            return ChatError.Invalid("type", "type is required.");
        if (!ChatPermissionNames.TryParseRoomType(request.Type, out var type))
            return ChatError.Invalid("type", "type must be private_messages, group or channel.");
        var isPrivate = type == ChatRoomType.PrivateMessages;
        if (!isPrivate && string.IsNullOrWhiteSpace(request.Name))
            return ChatError.Invalid("name", "name is required for groups and channels.");
        if (request.Name is { Length: > MaxNameLength })
            return ChatError.Invalid("name", $"name must be at most {MaxNameLength} characters.");
        if (request.Description is { Length: > MaxDescriptionLength })
            return ChatError.Invalid("description", $"description must be at most {MaxDescriptionLength} characters.");
        if (isPrivate && request.IsPublic)
            return ChatError.Invalid("isPublic", "A private_messages room is never public.");

        var others = new List<TKey>();
        foreach (var text in request.UserIds ?? [])
        {
            if (!UserKey<TKey>.TryParse(text, out var id))
                return ChatError.Invalid("userIds", $"'{text}' is not a user.");
            if (!id.Equals(caller) && !others.Contains(id))
                others.Add(id);
        }

        if (isPrivate && others.Count != 1)
            return ChatError.Invalid("userIds", "A private_messages room needs exactly one other user in userIds.");
        var existing = await store.Users.ExistingAsync([.. others, caller], cancellationToken);
        foreach (var other in others.Where(o => !existing.Contains(o)))
            return ChatError.Invalid("userIds", $"'{UserKey<TKey>.Format(other)}' is not a user.");
        if (!existing.Contains(caller))
            return ChatError.UserNotFound;

        long? avatarId = null;
        if (request.AvatarMediaId is not null)
        {
            if (await FindOwnImageAsync(request.AvatarMediaId, caller, cancellationToken) is not { } avatar)
                return ChatError.Invalid("avatarMediaId", "avatarMediaId must be an image you uploaded.");
            avatarId = avatar;
        }

        var pairKey = isPrivate ? PairKey(caller, others[0]) : null;
        if (pairKey is not null && await FindPrivateRoomAsync(pairKey, caller, cancellationToken) is { } shared)
            return ChatResult<RoomModel>.Ok(shared);

        try
        {
            return await store.WriteAsync(async () =>
            {
                var now = store.Now();
                var room = new ChatRoom<TKey>
                {
                    Type = type,
                    Name = string.IsNullOrEmpty(request.Name) ? null : request.Name,
                    NormalizedName = Normalize(request.Name),
                    Description = string.IsNullOrEmpty(request.Description) ? null : request.Description,
                    IsPublic = request.IsPublic,
                    AvatarMediaId = avatarId,
                    CreatedAt = now,
                    CreatedBy = caller,
                    LastActivityAt = now,
                    MemberCount = others.Count + 1,
                    PrivatePairKey = pairKey,
                };
                store.Rooms.Add(room);
                await store.Db.SaveChangesAsync(cancellationToken);

                var creator = ChatStore<TUser, TKey>.NewMember(room, caller, caller, null, isOwner: !isPrivate, now);
                var members = others.Select(o => ChatStore<TUser, TKey>.NewMember(room, o, caller, null, isOwner: false, now)).Prepend(creator).ToList();
                store.Members.AddRange(members);
                await store.Db.SaveChangesAsync(cancellationToken);

                // The first memberAdded concerns every initial member: all were added by this one commit, so
                // each gets every memberAdded of the creation, whichever is delivered first.
                var models = await store.BuildMembersAsync(members, cancellationToken);
                var everyone = models.Select(m => m.UserId).ToArray();
                for (var i = 0; i < models.Count; i++)
                    store.Raise(ChatEventNames.MemberAdded, room.Id, models[i], caller, i == 0 ? everyone : [models[i].UserId]);
                return ChatResult<RoomModel>.New(await store.BuildRoomAsync(room, creator, caller, cancellationToken));
            }, cancellationToken);
        }
        catch (DbUpdateException) when (pairKey is not null)
        {
            // Both users created their private room at the same moment: the unique pair key let one through.
            if (await FindPrivateRoomAsync(pairKey, caller, cancellationToken) is { } raced)
                return ChatResult<RoomModel>.Ok(raced);
            throw;
        }
    }

    public async Task<ChatResult<RoomModel>> GetAsync(string callerId, string roomId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        return ChatResult<RoomModel>.Ok(await store.BuildRoomAsync(access.Room, access.Member, caller, cancellationToken));
    }

    public async Task<ChatResult<RoomModel>> UpdateAsync(string callerId, string roomId, UpdateRoomRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await store.WriteAsync(async () =>
        {
            if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
                return ChatError.RoomNotFound;
            if (ChatStore<TUser, TKey>.Require(access, ChatPermissions.EditRoom, "edit the room") is { } denied)
                return denied;
            var room = access.Room;
            if (request.Name is not null)
            {
                if (request.Name.Length > MaxNameLength)
                    return ChatError.Invalid("name", $"name must be at most {MaxNameLength} characters.");
                if (string.IsNullOrWhiteSpace(request.Name) && room.Type != ChatRoomType.PrivateMessages)
                    return ChatError.Invalid("name", "name is required for groups and channels.");
                room.Name = request.Name.Length == 0 ? null : request.Name;
                room.NormalizedName = Normalize(room.Name);
            }

            if (request.Description is not null)
            {
                if (request.Description.Length > MaxDescriptionLength)
                    return ChatError.Invalid("description", $"description must be at most {MaxDescriptionLength} characters.");
                room.Description = request.Description.Length == 0 ? null : request.Description;
            }

            if (request.IsPublic is { } isPublic)
            {
                if (isPublic && room.Type == ChatRoomType.PrivateMessages)
                    return ChatError.Invalid("isPublic", "A private_messages room is never public.");
                room.IsPublic = isPublic;
            }

            if (request.AvatarMediaId is not null)
            {
                if (await FindOwnImageAsync(request.AvatarMediaId, caller, cancellationToken) is not { } avatar)
                    return ChatError.Invalid("avatarMediaId", "avatarMediaId must be an image you uploaded.");
                room.AvatarMediaId = avatar;
            }

            await store.Db.SaveChangesAsync(cancellationToken);
            var model = await store.BuildRoomAsync(room, access.Member, caller, cancellationToken);
            store.Raise(ChatEventNames.RoomUpdated, room.Id, model with { Membership = null }, caller);
            return ChatResult<RoomModel>.Ok(model);
        }, cancellationToken);
    }

    public async Task<ChatResult> DeleteAsync(string callerId, string roomId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        List<string> storageKeys = [];
        var result = await store.WriteAsync<bool>(async () =>
        {
            if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
                return ChatError.RoomNotFound;
            if (ChatStore<TUser, TKey>.Require(access, ChatPermissions.DeleteRoom, "delete the room") is { } denied)
                return denied;
            var id = access.Room.Id;
            var formerMembers = await store.Members.Where(m => m.RoomId == id).Select(m => m.UserId).ToListAsync(cancellationToken);

            // The room's media: attached to its messages, or its avatar when no other room shows it.
            var attached = store.MessageMedia.Where(l => l.RoomId == id).Select(l => l.MediaId);
            var avatar = access.Room.AvatarMediaId;
            var mediaIds = await store.Media
                .Where(m => attached.Contains(m.Id)
                    || (m.Id == avatar && !store.Rooms.Any(r => r.Id != id && r.AvatarMediaId == avatar)))
                .Select(m => new { m.Id, m.StorageKey })
                .ToListAsync(cancellationToken);
            storageKeys = mediaIds.Select(m => m.StorageKey).ToList();
            var ids = mediaIds.Select(m => m.Id).ToArray();

            await store.Reactions.Where(r => r.RoomId == id).ExecuteDeleteAsync(cancellationToken);
            await store.MessageMedia.Where(l => l.RoomId == id).ExecuteDeleteAsync(cancellationToken);
            await store.Messages.Where(m => m.RoomId == id).ExecuteDeleteAsync(cancellationToken);
            await store.Members.Where(m => m.RoomId == id).ExecuteDeleteAsync(cancellationToken);
            await store.Rooms.Where(r => r.Id == id).ExecuteDeleteAsync(cancellationToken);
            await store.Media.Where(m => ids.Contains(m.Id)).ExecuteDeleteAsync(cancellationToken);

            store.Raise(ChatEventNames.RoomDeleted, id, new RoomDeletedPayload(ChatStore<TUser, TKey>.Id(id)), caller,
                formerMembers.Select(ChatStore<TUser, TKey>.Id).ToArray());
            return ChatResult<bool>.Ok(true);
        }, cancellationToken);
        if (!result.Succeeded)
            return result.Error!;

        // Files go after the commit: a rolled-back delete must not lose them.
        foreach (var key in storageKeys)
            await mediaStore.DeleteAsync(key, CancellationToken.None);
        return ChatResult.Ok;
    }

    public async Task<ChatResult<RoomModel>> JoinAsync(string callerId, string roomId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        try
        {
            return await store.WriteAsync(async () =>
            {
                if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
                    return ChatError.RoomNotFound;
                if (access.Member is { } member)
                    return ChatResult<RoomModel>.Ok(await store.BuildRoomAsync(access.Room, member, caller, cancellationToken));

                var room = access.Room;
                var joined = ChatStore<TUser, TKey>.NewMember(room, caller, caller, null, isOwner: false, store.Now());
                store.Members.Add(joined);
                await store.Db.SaveChangesAsync(cancellationToken);
                await store.AddToMemberCountAsync(room, 1, cancellationToken);
                store.Raise(ChatEventNames.MemberAdded, room.Id, await store.BuildMemberAsync(joined, cancellationToken), caller, [ChatStore<TUser, TKey>.Id(caller)]);
                return ChatResult<RoomModel>.Ok(await store.BuildRoomAsync(room, joined, caller, cancellationToken));
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent join of the same user won: the membership exists now.
            return await GetAsync(callerId, roomId, cancellationToken);
        }
    }

    public async Task<ChatResult<MembershipModel>> MarkReadAsync(string callerId, string roomId, string? messageId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await store.WriteAsync(async () =>
        {
            if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
                return ChatError.RoomNotFound;
            if (access.Member is not { } member)
                return ChatError.Forbidden("Join the room to mark it read.");
            await store.LockRoomAsync(access.Room.Id, cancellationToken);

            var seenAt = store.Now();
            if (messageId is not null)
            {
                var id = EntityId.TryParse(messageId, out var parsed) ? parsed : 0;
                var message = await store.Messages.Where(m => m.Id == id && m.RoomId == access.Room.Id)
                    .Select(m => (DateTime?)m.CreatedAt).FirstOrDefaultAsync(cancellationToken);
                if (message is not { } createdAt)
                    return ChatError.Invalid("messageId", "messageId must be a message of this room.");
                seenAt = createdAt;
            }

            await MemberReads.SetReadPositionAsync(store, member, seenAt, cancellationToken);
            store.Raise(ChatEventNames.Read, member.RoomId,
                new ReadPayload(ChatStore<TUser, TKey>.Id(member.RoomId), ChatStore<TUser, TKey>.Id(caller), member.LastSeenAt), caller);
            return ChatResult<MembershipModel>.Ok(ChatStore<TUser, TKey>.ToMembership(member));
        }, cancellationToken);
    }

    public async Task<ChatResult> TypingAsync(string callerId, string roomId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        if (ChatStore<TUser, TKey>.Require(access, ChatPermissions.CreateMessages, "type in this room") is { } denied)
            return denied;
        var id = access.Room.Id;
        await store.PublishAsync(
            [ChatStore<TUser, TKey>.Event(ChatEventNames.Typing, id, new TypingPayload(ChatStore<TUser, TKey>.Id(id), ChatStore<TUser, TKey>.Id(caller)), caller)],
            cancellationToken);
        return ChatResult.Ok;
    }

    public async Task<ChatResult<string>> CanWatchAsync(string callerId, string roomId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await store.FindReadableAsync(roomId, caller, cancellationToken) is { } access
            ? ChatResult<string>.Ok(ChatStore<TUser, TKey>.Id(access.Room.Id))
            : ChatError.RoomNotFound;
    }

    private static string? Normalize(string? name) => string.IsNullOrEmpty(name) ? null : name.ToLowerInvariant();

    /// <summary>The two users' ids in a fixed order, so that either user creating the room finds the same key.</summary>
    private static string PairKey(TKey a, TKey b)
    {
        var (first, second) = (UserKey<TKey>.Format(a), UserKey<TKey>.Format(b));
        if (string.CompareOrdinal(first, second) > 0)
            (first, second) = (second, first);
        return $"{first.Length}:{first}|{second}";
    }

    private async Task<RoomModel?> FindPrivateRoomAsync(string pairKey, TKey caller, CancellationToken cancellationToken)
    {
        var row = await (
            from r in store.Rooms
            where r.PrivatePairKey == pairKey
            from m in store.Members.Where(m => m.RoomId == r.Id && m.UserId.Equals(caller)).DefaultIfEmpty()
            select new { Room = r, Member = m }).FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : await store.BuildRoomAsync(row.Room, row.Member, caller, cancellationToken);
    }

    private async Task<long?> FindOwnImageAsync(string mediaId, TKey caller, CancellationToken cancellationToken)
    {
        if (!EntityId.TryParse(mediaId, out var id))
            return null;
        var media = await store.Media.Where(m => m.Id == id && m.UploadedBy.Equals(caller))
            .Select(m => new { m.Id, m.ContentType }).FirstOrDefaultAsync(cancellationToken);
        return media is not null && MediaSignatures.IsImage(media.ContentType) ? media.Id : null;
    }
}

/// <summary>Moving a member's read position, shared by mark-read and the member's own PATCH.</summary>
internal static class MemberReads
{
    /// <summary>
    /// Sets the read position and recounts the member's unread messages once, here: sends and deletes then
    /// keep the count in step (see <see cref="MessageService{TUser, TKey}"/>), so listing rooms never counts.
    /// The caller holds the room lock, so no send can slip between the count and the new position.
    /// </summary>
    public static async Task SetReadPositionAsync<TUser, TKey>(ChatStore<TUser, TKey> store, ChatRoomUser<TKey> member, DateTime seenAt, CancellationToken cancellationToken)
        where TUser : class
        where TKey : IEquatable<TKey>
    {
        member.LastSeenAt = ChatStore<TUser, TKey>.Truncate(seenAt);
        member.UnreadCount = await store.CountUnreadAsync(member.RoomId, member.UserId, member.LastSeenAt, cancellationToken);

        // The row was read before the lock: a send may have changed the stored count since, so write
        // both values even where they equal what was read.
        var entry = store.Db.Entry(member);
        entry.Property(m => m.LastSeenAt).IsModified = true;
        entry.Property(m => m.UnreadCount).IsModified = true;
        await store.Db.SaveChangesAsync(cancellationToken);
    }
}
