using System.Globalization;
using System.Text.Json;
using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Rules;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Services;

/// <summary>The rules of rooms: creation with type defaults, the private-pair rule, public rooms, editing, deleting, joining, reading.</summary>
internal sealed class RoomService<TUser, TKey>(ChatStore<TUser, TKey> store, RoomWrites<TUser, TKey> writes, ChatOutbox outbox) : IChatRoomService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    private const int MaxNameLength = 255;
    private const int MaxDescriptionLength = 2000;
    private const string AvatarRule = "avatarMediaId must be an image you uploaded that no message and no other room uses.";

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
            from m in store.Members.AsNoTracking()
            where m.UserId!.Equals(caller)
            join r in store.Rooms.AsNoTracking() on m.RoomId equals r.Id
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
            query = query.Where(x => x.Room.LastActivityAt < at || (x.Room.LastActivityAt == at && x.Room.Id < c.Id));
        }

        var rows = await query
            .OrderByDescending(x => x.Room.LastActivityAt).ThenByDescending(x => x.Room.Id)
            .Take(limit + 1)
            .ToListAsync(cancellationToken);
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, "rooms", x => (x.Room.LastActivityAt.Ticks, x.Room.Id));
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
            from m in store.Members.Where(m => m.RoomId == r.Id && m.UserId!.Equals(caller)).DefaultIfEmpty()
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
        var existing = await store.Users.FindableAsync(caller, [.. others, caller], cancellationToken);
        foreach (var other in others.Where(o => !existing.Contains(o)))
            return ChatError.Invalid("userIds", $"'{UserKey<TKey>.Format(other)}' is not a user.");
        if (!existing.Contains(caller))
            return ChatError.UserNotFound;

        var pairKey = isPrivate ? PairKey(caller, others[0]) : null;
        return await writes.NewRoomAsync(async w =>
        {
            var db = w.Store;
            if (RoomRules.CanReach(await db.IsBlockedByAnyAsync(others, caller)) is { } blocked)
                return blocked;
            if (pairKey is not null && await FindPrivateRoomAsync(db, pairKey, caller) is { } shared)
                return ChatResult<RoomModel>.Ok(shared);
            long? avatar = null;
            if (request.AvatarMediaId is not null && (avatar = await FindAvatarAsync(db, request.AvatarMediaId, caller, null, w.Now)) is null)
                return ChatError.Invalid("avatarMediaId", AvatarRule);

            var room = new ChatRoom<TKey>
            {
                Type = type,
                Name = string.IsNullOrEmpty(request.Name) ? null : request.Name,
                NormalizedName = Normalize(request.Name),
                Description = string.IsNullOrEmpty(request.Description) ? null : request.Description,
                IsPublic = request.IsPublic,
                AvatarMediaId = avatar,
                CreatedAt = w.Now,
                CreatedBy = caller,
                LastActivityAt = w.Now,
                MemberCount = others.Count + 1,
                PrivatePairKey = pairKey,
            };
            await w.SaveRoomAsync(room);

            var creator = RoomRules.NewMember(room, caller, caller, null, isOwner: !isPrivate, w.Now);
            var members = others.Select(o => RoomRules.NewMember(room, o, caller, null, isOwner: false, w.Now)).Prepend(creator).ToList();
            db.Members.AddRange(members);
            await db.Db.SaveChangesAsync(CancellationToken.None);

            // The first memberAdded concerns every initial member: all were added by this one commit, so
            // each gets every memberAdded of the creation, whichever is delivered first.
            var models = await db.BuildMembersAsync(members, CancellationToken.None);
            var everyone = models.Select(m => m.UserId).ToArray();
            for (var i = 0; i < models.Count; i++)
                w.Record(room, caller, ChatEventNames.MemberAdded, models[i], i == 0 ? everyone : [models[i].UserId]);
            return ChatResult<RoomModel>.New(await db.BuildRoomAsync(room, creator, caller, CancellationToken.None));
        }, cancellationToken);
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
        return await writes.InRoomAsync(caller, roomId, async w =>
        {
            if (RoomRules.Require(w.Access, ChatPermissions.EditRoom, "edit the room") is { } denied)
                return denied;
            if (request.Name is null && request.Description is null && request.IsPublic is null && request.AvatarMediaId is null
                && request.SlowModeSeconds is null && request.Frozen is null)
                return ChatError.Invalid("body", "Name at least one of name, description, isPublic, avatarMediaId, slowModeSeconds and frozen.");
            if (request.SlowModeSeconds is < 0 or > RoomRules.MaxSlowModeSeconds)
                return ChatError.Invalid("slowModeSeconds", $"slowModeSeconds must be between 0 and {RoomRules.MaxSlowModeSeconds}.");
            var room = w.Room;
            if (request.Name is not null)
            {
                if (request.Name.Length > MaxNameLength)
                    return ChatError.Invalid("name", $"name must be at most {MaxNameLength} characters.");
                if (string.IsNullOrWhiteSpace(request.Name) && room.Type != ChatRoomType.PrivateMessages)
                    return ChatError.Invalid("name", "name is required for groups and channels.");
            }

            if (request.Description is { Length: > MaxDescriptionLength })
                return ChatError.Invalid("description", $"description must be at most {MaxDescriptionLength} characters.");
            if (request.IsPublic == true && room.Type == ChatRoomType.PrivateMessages)
                return ChatError.Invalid("isPublic", "A private_messages room is never public.");
            long? avatar = null;
            if (request.AvatarMediaId is not null && (avatar = await FindAvatarAsync(w.Store, request.AvatarMediaId, caller, room.Id, w.Now)) is null)
                return ChatError.Invalid("avatarMediaId", AvatarRule);

            if (request.Name is not null)
            {
                room.Name = request.Name.Length == 0 ? null : request.Name;
                room.NormalizedName = Normalize(room.Name);
            }

            if (request.Description is not null)
                room.Description = request.Description.Length == 0 ? null : request.Description;
            if (request.IsPublic is { } isPublic)
                room.IsPublic = isPublic;
            if (avatar is not null)
                room.AvatarMediaId = avatar;
            if (request.SlowModeSeconds is { } slowMode)
                room.SlowModeSeconds = slowMode;
            if (request.Frozen is { } frozen)
                room.Frozen = frozen;

            var model = await w.Store.BuildRoomAsync(room, w.Member, caller, CancellationToken.None);
            // The room as of this event: its lastSeq is the seq the event was given, in the payload and the answer alike.
            var seq = w.Record(ChatEventNames.RoomUpdated, room.LastMessageId, given => model with { Membership = null, LastSeq = given });
            return ChatResult<RoomModel>.Ok(model with { LastSeq = seq });
        }, cancellationToken);
    }

    public async Task<ChatResult> DeleteAsync(string callerId, string roomId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        var result = await writes.InRoomAsync<bool>(caller, roomId, async w =>
        {
            if (RoomRules.Require(w.Access, ChatPermissions.DeleteRoom, "delete the room") is { } denied)
                return denied;
            await DeleteRoomAsync(w);
            return ChatResult<bool>.Ok(true);
        }, cancellationToken);
        return result.Succeeded ? ChatResult.Ok : result.Error!;
    }

    /// <summary>
    /// Deletes the room <paramref name="w"/> has locked, whoever asks (a member with <c>can_delete_room</c>, or
    /// the erasure of its last member): members, messages, reactions, media (files once committed), its
    /// events, and <c>roomDeleted</c> to every former member. Clears the change tracker: nothing of the room is
    /// used afterwards.
    /// </summary>
    internal static async Task DeleteRoomAsync(RoomWrite<TUser, TKey> w)
    {
        var store = w.Store;
        var id = w.Room.Id;
        var formerMembers = await store.Members.Where(m => m.RoomId == id).Select(m => m.UserId).ToListAsync(CancellationToken.None);

        // The room's media: attached to its messages, or its avatar; never one that another room still
        // shows, as a message's media or as its avatar (rooms made before the avatar rule may share one).
        var attached = store.MessageMedia.Where(l => l.RoomId == id).Select(l => l.MediaId);
        var avatar = w.Room.AvatarMediaId;
        var media = await store.Media
            .Where(m => (attached.Contains(m.Id) || m.Id == avatar)
                && !store.MessageMedia.Any(l => l.MediaId == m.Id && l.RoomId != id)
                && !store.Rooms.Any(r => r.Id != id && r.AvatarMediaId == m.Id))
            .Select(m => new { m.Id, m.StorageKey })
            .ToListAsync(CancellationToken.None);
        var mediaIds = media.Select(m => m.Id).ToArray();

        await store.Reactions.Where(r => r.RoomId == id).ExecuteDeleteAsync(CancellationToken.None);
        await store.MessageMedia.Where(l => l.RoomId == id).ExecuteDeleteAsync(CancellationToken.None);
        await store.Messages.Where(m => m.RoomId == id).ExecuteDeleteAsync(CancellationToken.None);
        await store.Members.Where(m => m.RoomId == id).ExecuteDeleteAsync(CancellationToken.None);
        await store.Db.Set<ChatRoomEvent>().Where(e => e.RoomId == id).ExecuteDeleteAsync(CancellationToken.None);

        // The room's last event outlives it (the events carry no foreign key): it tells every former
        // member, and removes the files once the delete has committed.
        w.Record(ChatEventNames.RoomDeleted, new RoomDeletedPayload(EntityId.Format(id)),
            formerMembers.Select(UserKey<TKey>.Format).ToArray(), media.Select(m => m.StorageKey).ToArray());
        await w.SaveAsync();
        await store.Rooms.Where(r => r.Id == id).ExecuteDeleteAsync(CancellationToken.None);
        await store.Media.Where(m => mediaIds.Contains(m.Id)).ExecuteDeleteAsync(CancellationToken.None);
        store.Db.ChangeTracker.Clear();
    }

    public async Task<ChatResult<RoomModel>> JoinAsync(string callerId, string roomId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await writes.InRoomAsync(caller, roomId, async w =>
        {
            var room = w.Room;
            if (w.Member is { } member)
                return ChatResult<RoomModel>.Ok(await w.Store.BuildRoomAsync(room, member, caller, CancellationToken.None));
            if (await w.Store.IsBannedAsync(room.Id, caller, w.Now))
                return ChatError.BannedFromJoining;

            var joined = RoomRules.NewMember(room, caller, caller, null, isOwner: false, w.Now);
            w.Store.Members.Add(joined);
            room.MemberCount++;
            await w.SaveAsync();
            w.Record(ChatEventNames.MemberAdded, await w.Store.BuildMemberAsync(joined, CancellationToken.None), [UserKey<TKey>.Format(caller)]);
            var model = await w.Store.BuildRoomAsync(room, joined, caller, CancellationToken.None);
            return ChatResult<RoomModel>.Ok(model with { LastSeq = room.LastSeq });
        }, cancellationToken);
    }

    public async Task<ChatResult<MembershipModel>> MarkReadAsync(string callerId, string roomId, string? messageId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await writes.InRoomAsync(caller, roomId, async w =>
        {
            if (w.Member is not { } member)
                return ChatError.Forbidden("Join the room to mark it read.");
            var room = w.Room;
            var seenAt = w.Now;
            if (messageId is not null)
            {
                var id = EntityId.TryParse(messageId, out var parsed) ? parsed : 0;
                var message = await w.Store.Messages.Where(m => m.Id == id && m.RoomId == room.Id)
                    .Select(m => (DateTime?)m.CreatedAt).FirstOrDefaultAsync(CancellationToken.None);
                if (message is not { } createdAt)
                    return ChatError.Invalid("messageId", "messageId must be a message of this room.");
                seenAt = createdAt;
            }

            await UnreadCounts.ReadUntilAsync(w.Db, room, member, seenAt, CancellationToken.None);
            w.Record(ChatEventNames.Read, new ReadPayload(EntityId.Format(room.Id), UserKey<TKey>.Format(caller), member.LastSeenAt));
            return ChatResult<MembershipModel>.Ok(ChatStore<TUser, TKey>.ToMembership(room, member));
        }, cancellationToken);
    }

    public async Task<ChatResult> TypingAsync(string callerId, string roomId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        if ((RoomRules.Require(access, ChatPermissions.CreateMessages, "type in this room") ?? RoomRules.RequireNotFrozen(access)) is { } denied)
            return denied;
        var id = EntityId.Format(access.Room.Id);
        var userId = UserKey<TKey>.Format(caller);
        await outbox.PublishUnstoredAsync(
            new ChatEvent { Name = ChatEventNames.Typing, RoomId = id, Payload = new TypingPayload(id, userId), ActorId = userId, RoomIsPublic = access.Room.IsPublic },
            cancellationToken);
        return ChatResult.Ok;
    }

    public async Task<ChatResult<PageModel<EventModel>>> ListEventsAsync(string callerId, string roomId, string? after, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        var room = access.Room;
        var scope = "events:" + room.Id;
        if (store.ValidatePage(page, scope, out var limit, out var cursor) is { } invalid)
            return invalid;
        long from = 0;
        if (cursor is { } c)
            from = c.Id;
        else if (after is not null && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out from))
            return ChatError.Invalid("after", "after must be a seq: a whole number, 0 or more.");

        var rows = await store.Db.Set<ChatRoomEvent>().AsNoTracking()
            .Where(e => e.RoomId == room.Id && e.Seq > from)
            .OrderBy(e => e.Seq).Take(limit + 1)
            .ToListAsync(cancellationToken);
        if (from < room.LastSeq && (rows.Count == 0 || rows[0].Seq != from + 1))
            return new ChatError(ChatErrorKind.Gone, "events_gone", "Events after this seq are no longer kept: reload the room.");
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, scope, e => (0, e.Seq));
        return ChatResult<PageModel<EventModel>>.Ok(new PageModel<EventModel>
        {
            Items = items.Select(e => new EventModel { Seq = e.Seq, Type = e.Type, Payload = JsonDocument.Parse(e.Payload).RootElement, CreatedAt = e.CreatedAt }).ToList(),
            NextCursor = next,
        });
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

    private static async Task<RoomModel?> FindPrivateRoomAsync(ChatStore<TUser, TKey> store, string pairKey, TKey caller)
    {
        var row = await (
            from r in store.Rooms
            where r.PrivatePairKey == pairKey
            from m in store.Members.Where(m => m.RoomId == r.Id && m.UserId!.Equals(caller)).DefaultIfEmpty()
            select new { Room = r, Member = m }).FirstOrDefaultAsync(CancellationToken.None);
        return row is null ? null : await store.BuildRoomAsync(row.Room, row.Member, caller, CancellationToken.None);
    }

    /// <summary>
    /// The avatar rule: one of the caller's own image uploads that nothing else uses, that is attached to no
    /// message and the avatar of no other room (the room's current avatar may be given again). So an avatar
    /// belongs to one room, and deleting the room, which takes its avatar along, takes nothing another room shows.
    /// An upload left unattached past its lifetime is the sweep's and can no longer become an avatar.
    /// </summary>
    private static async Task<long?> FindAvatarAsync(ChatStore<TUser, TKey> store, string mediaId, TKey caller, long? roomId, DateTime now)
    {
        if (!EntityId.TryParse(mediaId, out var id))
            return null;
        var thisRoom = roomId ?? 0;
        var fresh = now - store.Options.Media.UnattachedLifetime;
        var media = await store.Media
            .Where(m => m.Id == id && m.UploadedBy!.Equals(caller)
                && !store.MessageMedia.Any(l => l.MediaId == m.Id)
                && !store.Rooms.Any(r => r.AvatarMediaId == m.Id && r.Id != thisRoom)
                && (m.CreatedAt > fresh || store.Rooms.Any(r => r.AvatarMediaId == m.Id && r.Id == thisRoom)))
            .Select(m => new { m.Id, m.ContentType }).FirstOrDefaultAsync(CancellationToken.None);
        return media is not null && MediaSignatures.IsImage(media.ContentType) ? media.Id : null;
    }
}
