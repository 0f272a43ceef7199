using DfChat.Entities;
using DfChat.Events;
using DfChat.Models;
using DfChat.Services;
using Microsoft.EntityFrameworkCore;

namespace DfChat;

/// <summary>The rules of membership: who adds and removes whom, the owner's protection, granting only what one holds.</summary>
internal sealed class MemberService<TUser, TKey>(ChatStore<TUser, TKey> store) : IChatMemberService
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
        try
        {
            return await store.WriteAsync(async () =>
            {
                if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
                    return ChatError.RoomNotFound;
                var room = access.Room;
                if (room.Type == ChatRoomType.PrivateMessages)
                    return ChatError.Forbidden("Nobody can add users to a private_messages room.");
                if (ChatStore<TUser, TKey>.Require(access, ChatPermissions.AddUsers, "add users") is { } denied)
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

                if ((await store.Users.ExistingAsync([userId], cancellationToken)).Count == 0)
                    return ChatError.Invalid("userId", "userId must be a user.");
                if (await store.Members.AnyAsync(m => m.RoomId == room.Id && m.UserId.Equals(userId), cancellationToken))
                    return ChatError.Conflict("already_member", "The user is already a member of the room.");
                if (permissions is { } granted && (granted & ~access.Permissions) != 0)
                    return ChatError.Forbidden("You can grant only permissions you hold.");

                var member = ChatStore<TUser, TKey>.NewMember(room, userId, caller, permissions, isOwner: false, store.Now());
                store.Members.Add(member);
                await store.Db.SaveChangesAsync(cancellationToken);
                await store.AddToMemberCountAsync(room, 1, cancellationToken);
                var model = await store.BuildMemberAsync(member, cancellationToken);
                store.Raise(ChatEventNames.MemberAdded, room.Id, model, caller, [model.UserId]);
                return ChatResult<MemberModel>.New(model);
            }, cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent add of the same user won.
            return ChatError.Conflict("already_member", "The user is already a member of the room.");
        }
    }

    public async Task<ChatResult<MemberModel>> GetAsync(string callerId, string roomId, string userId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
            return ChatError.RoomNotFound;
        if (await FindMemberAsync(access, caller, userId, cancellationToken) is not { } member)
            return ChatError.MemberNotFound;
        return ChatResult<MemberModel>.Ok(await store.BuildMemberAsync(member, cancellationToken));
    }

    public async Task<ChatResult<MemberModel>> UpdateAsync(string callerId, string roomId, string userId, UpdateMemberRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        return await store.WriteAsync(async () =>
        {
            if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
                return ChatError.RoomNotFound;
            if (await FindMemberAsync(access, caller, userId, cancellationToken) is not { } member)
                return ChatError.MemberNotFound;
            var isSelf = member.UserId.Equals(caller);
            if ((request.Muted is not null || request.LastSeenAt is not null) && !isSelf)
                return ChatError.Forbidden("Only the member itself changes its muted flag and read position.");

            if (request.Permissions is not null)
            {
                if (access.Member is not { IsOwner: true })
                    return ChatError.Forbidden("Only the owner changes permissions.");
                if (!ChatPermissionNames.TryParse(request.Permissions, out var permissions, out var unknown))
                    return ChatError.Invalid("permissions", $"'{unknown}' is not a permission.");
                if (member.IsOwner && permissions != ChatPermissions.All)
                    return ChatError.Conflict("owner_permissions", "The owner's permissions cannot be reduced.");
                member.Permissions = permissions;
            }

            if (request.Muted is { } muted)
                member.Muted = muted;
            if (request.LastSeenAt is { } lastSeenAt)
            {
                await store.LockRoomAsync(member.RoomId, cancellationToken);
                await MemberReads.SetReadPositionAsync(store, member, lastSeenAt, cancellationToken);
            }

            await store.Db.SaveChangesAsync(cancellationToken);
            var model = await store.BuildMemberAsync(member, cancellationToken);
            store.Raise(ChatEventNames.MemberUpdated, member.RoomId, model, caller);
            return ChatResult<MemberModel>.Ok(model);
        }, cancellationToken);
    }

    public async Task<ChatResult> RemoveAsync(string callerId, string roomId, string userId, CancellationToken cancellationToken)
    {
        if (!UserKey<TKey>.TryParse(callerId, out var caller))
            return ChatError.UserNotFound;
        var result = await store.WriteAsync<bool>(async () =>
        {
            if (await store.FindReadableAsync(roomId, caller, cancellationToken) is not { } access)
                return ChatError.RoomNotFound;
            if (await FindMemberAsync(access, caller, userId, cancellationToken) is not { } member)
                return ChatError.MemberNotFound;
            var room = access.Room;
            var isSelf = member.UserId.Equals(caller);
            if (room.Type == ChatRoomType.PrivateMessages)
                return ChatError.Forbidden("Nobody can leave or be removed from a private_messages room.");
            if (!isSelf && ChatStore<TUser, TKey>.Require(access, ChatPermissions.RemoveUsers, "remove users") is { } denied)
                return denied;
            if (member.IsOwner)
                return ChatError.Conflict("owner_cannot_leave", "The owner cannot be removed or leave.");

            store.Members.Remove(member);
            try
            {
                await store.Db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateConcurrencyException)
            {
                // A concurrent removal of the same member won (PostgreSQL runs both side by side).
                return ChatError.MemberNotFound;
            }

            await store.AddToMemberCountAsync(room, -1, cancellationToken);
            var removedId = ChatStore<TUser, TKey>.Id(member.UserId);
            store.Raise(ChatEventNames.MemberRemoved, room.Id, new MemberRemovedPayload(ChatStore<TUser, TKey>.Id(room.Id), removedId), caller, [removedId]);
            return ChatResult<bool>.Ok(true);
        }, cancellationToken);
        return result.Succeeded ? ChatResult.Ok : result.Error!;
    }

    private async Task<ChatRoomUser<TKey>?> FindMemberAsync(RoomAccess<TKey> access, TKey caller, string userId, CancellationToken cancellationToken)
    {
        TKey id;
        if (userId == "me")
            id = caller;
        else if (!UserKey<TKey>.TryParse(userId, out id))
            return null;
        if (access.Member is { } own && own.UserId.Equals(id))
            return own;
        return await store.Members.FirstOrDefaultAsync(m => m.RoomId == access.Room.Id && m.UserId.Equals(id), cancellationToken);
    }
}
