using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Rules;
using DfChat.Writes;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Services;

/// <summary>Membership: adding, listing, changing and removing members, by the rules of <see cref="RoomRules"/>.</summary>
internal sealed class MemberService<TUser, TKey>(ChatStore<TUser, TKey> store, RoomWrites<TUser, TKey> writes) : IChatMemberService
    where TUser : class
    where TKey : IEquatable<TKey>
{
    public async Task<ChatResult<PageModel<MemberModel>>> ListAsync(string callerId, string roomId, PageRequest page, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        var scope = "members:" + access.Room.Id;
        if (store.ValidatePage(page, scope, out var limit, out var cursor) is { } invalid)
            return invalid;

        var query = store.Members.Where(m => m.RoomId == access.Room.Id);
        if (cursor is { } c)
            query = query.Where(m => m.Id > c.Id);
        var rows = await query.OrderBy(m => m.Id).Take(limit + 1).ToListAsync(cancellationToken);
        var (items, next) = ChatStore<TUser, TKey>.Paginate(rows, limit, scope, m => (0, m.Id));
        return ChatResult<PageModel<MemberModel>>.Ok(new PageModel<MemberModel>
        {
            Items = await store.BuildMembersAsync(items, cancellationToken),
            NextCursor = next,
        });
    }

    public async Task<ChatResult<MemberModel>> AddAsync(string callerId, string roomId, AddMemberRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;

        // The host's filter is asked here, in the request's scope: the write runs in a batch of its own.
        var findable = await store.Users.FilterOfAsync(caller, cancellationToken);
        return await writes.InRoomAsync(caller, roomId, async w =>
        {
            var store = w.Store;
            var room = w.Room;
            if (RoomRules.CanAdd(w.Access) is { } denied)
                return denied;
            if (!UserKey<TKey>.TryParse(request.UserId, out var userId))
                return ChatError.Invalid("userId", "userId must be a user.");

            ChatPermissions? permissions = null;
            if (request.Permissions is not null)
            {
                if (!ChatPermissionNames.TryParse(request.Permissions, out var parsed, out var unknown))
                    return ChatError.Invalid("permissions", $"'{unknown}' is not a permission.");
                permissions = parsed;
            }

            if ((await store.Users.FindableAsync(caller, [userId], findable, CancellationToken.None)).Count == 0)
                return ChatError.Invalid("userId", "userId must be a user.");
            if (await store.Members.AnyAsync(m => m.RoomId == room.Id && m.UserId.Equals(userId), CancellationToken.None))
                return ChatError.Conflict("already_member", "The user is already a member of the room.");
            if (await store.IsBannedAsync(room.Id, userId, w.Now))
                return ChatError.Banned;
            if (RoomRules.CanReach(await store.IsBlockedByAnyAsync([userId], caller)) is { } blocked)
                return blocked;
            if (permissions is { } granted && RoomRules.CanGrant(w.Access, granted) is { } refused)
                return refused;

            var member = RoomRules.NewMember(room, userId, caller, permissions, isOwner: false, w.Now);
            store.Members.Add(member);
            room.MemberCount++;
            await w.SaveAsync();
            var model = await store.BuildMemberAsync(member, CancellationToken.None);
            w.Record(ChatEventNames.MemberAdded, model, [model.UserId]);
            return ChatResult<MemberModel>.New(model);
        }, cancellationToken);
    }

    public async Task<ChatResult<MemberModel>> GetAsync(string callerId, string roomId, string userId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        if (await FindMemberAsync(store, access, caller, userId) is not { } member)
            return ChatError.MemberNotFound;
        return ChatResult<MemberModel>.Ok(await store.BuildMemberAsync(member, cancellationToken));
    }

    public async Task<ChatResult<MemberModel>> UpdateAsync(string callerId, string roomId, string userId, UpdateMemberRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await writes.InRoomAsync(caller, roomId, async w =>
        {
            var store = w.Store;
            if (await FindMemberAsync(store, w.Access, caller, userId) is not { } member)
                return ChatError.MemberNotFound;
            if (request.Muted is null && request.LastSeenAt is null && request.Permissions is null)
                return ChatError.Invalid("body", "Name at least one of muted, lastSeenAt and permissions.");
            if ((request.Muted is not null || request.LastSeenAt is not null) && RoomRules.CanChangeOwnSettings(w.Access, member) is { } notOwn)
                return notOwn;

            if (request.Permissions is not null)
            {
                if (!ChatPermissionNames.TryParse(request.Permissions, out var permissions, out var unknown))
                    return ChatError.Invalid("permissions", $"'{unknown}' is not a permission.");
                if (RoomRules.CanChangePermissions(w.Access, member, permissions) is { } denied)
                    return denied;
                member.Permissions = permissions;
            }

            if (request.Muted is { } muted)
                member.Muted = muted;
            if (request.LastSeenAt is { } lastSeenAt)
                await UnreadCounts.ReadUntilAsync(w.Db, w.Room, member, ChatStore<TUser, TKey>.Truncate(lastSeenAt), CancellationToken.None);

            await w.SaveAsync();
            var model = await store.BuildMemberAsync(member, CancellationToken.None);
            w.Record(ChatEventNames.MemberUpdated, model);
            return ChatResult<MemberModel>.Ok(model);
        }, cancellationToken);
    }

    public async Task<ChatResult> RemoveAsync(string callerId, string roomId, string userId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        var result = await writes.InRoomAsync<bool>(caller, roomId, async w =>
        {
            var store = w.Store;
            if (await FindMemberAsync(store, w.Access, caller, userId) is not { } member)
                return ChatError.MemberNotFound;
            if (RoomRules.CanRemove(w.Access, member) is { } denied)
                return denied;

            store.Members.Remove(member);
            w.Room.MemberCount--;
            var removedId = UserKey<TKey>.Format(member.UserId);
            w.Record(ChatEventNames.MemberRemoved, new MemberRemovedPayload(EntityId.Format(w.Room.Id), removedId), [removedId]);
            return ChatResult<bool>.Ok(true);
        }, cancellationToken);
        return result.Succeeded ? ChatResult.Ok : result.Error!;
    }

    private static async Task<ChatRoomUser<TKey>?> FindMemberAsync(ChatStore<TUser, TKey> store, RoomAccess<TKey> access, TKey caller, string userId)
    {
        TKey id;
        if (userId == "me")
            id = caller;
        else if (!UserKey<TKey>.TryParse(userId, out id))
            return null;
        if (access.Member is { } own && own.UserId.Equals(id))
            return own;
        return await store.Members.FirstOrDefaultAsync(m => m.RoomId == access.Room.Id && m.UserId.Equals(id), CancellationToken.None);
    }
}
