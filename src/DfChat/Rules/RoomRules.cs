using DfChat.Entities;

namespace DfChat.Rules;

/// <summary>A room as one caller sees it: the room and the caller's membership, if any.</summary>
/// <param name="Room">The room.</param>
/// <param name="Member">The caller's membership, or null when the caller is not a member.</param>
internal sealed record RoomAccess<TKey>(ChatRoom<TKey> Room, ChatRoomUser<TKey>? Member)
    where TKey : IEquatable<TKey>
{
    /// <summary>What the caller may do: every permission for the owner, none for a non-member.</summary>
    public ChatPermissions Permissions => RoomRules.PermissionsOf(Member);

    public bool Has(ChatPermissions permission) => (Permissions & permission) == permission;
}

/// <summary>
/// The rules of API.md §3 in one place: the type defaults, who may see a room (the 404-versus-403
/// decision), what a member may do, granting only what one holds, and the owner's protection.
/// </summary>
internal static class RoomRules
{
    /// <summary>The permissions of a member added or joining without explicit ones.</summary>
    public static ChatPermissions DefaultPermissions(ChatRoomType type) => type switch
    {
        ChatRoomType.PrivateMessages => ChatPermissions.CreateMessages | ChatPermissions.EditOwnMessages
            | ChatPermissions.DeleteOwnMessages | ChatPermissions.DeleteRoom,
        ChatRoomType.Group => ChatPermissions.CreateMessages | ChatPermissions.AddUsers
            | ChatPermissions.EditOwnMessages | ChatPermissions.DeleteOwnMessages,
        _ => ChatPermissions.AddUsers,
    };

    /// <summary>The owner holds every permission, whatever is stored; a non-member holds none.</summary>
    public static ChatPermissions PermissionsOf<TKey>(ChatRoomUser<TKey>? member)
        where TKey : IEquatable<TKey> =>
        member is null ? ChatPermissions.None : member.IsOwner ? ChatPermissions.All : member.Permissions;

    /// <summary>
    /// Members read their rooms, and anyone reads a public room. Everyone else must not learn that the
    /// room exists: every route answers them 404, never 403. A page of messages checks the same rule in
    /// its own SQL (<see cref="Services.ChatReadQueries{TUser, TKey}"/>).
    /// </summary>
    public static bool CanRead<TKey>(ChatRoom<TKey> room, ChatRoomUser<TKey>? member)
        where TKey : IEquatable<TKey> => member is not null || room.IsPublic;

    /// <summary>403 unless the caller is a member holding <paramref name="permission"/> (the caller can read the room).</summary>
    public static ChatError? Require<TKey>(RoomAccess<TKey> access, ChatPermissions permission, string action)
        where TKey : IEquatable<TKey>
    {
        if (access.Member is null)
            return ChatError.Forbidden($"Join the room to {action}.");
        return access.Has(permission)
            ? null
            : ChatError.Forbidden($"You need {string.Join(", ", ChatPermissionNames.ToNames(permission))} to {action}.");
    }

    /// <summary>Reacting needs membership, no permission.</summary>
    public static ChatError? RequireMember<TKey>(RoomAccess<TKey> access, string action)
        where TKey : IEquatable<TKey> =>
        access.Member is null ? ChatError.Forbidden($"Join the room to {action}.") : null;

    /// <summary>Adding needs <c>can_add_users</c>; nobody adds to a private room.</summary>
    public static ChatError? CanAdd<TKey>(RoomAccess<TKey> access)
        where TKey : IEquatable<TKey> =>
        access.Room.Type == ChatRoomType.PrivateMessages
            ? ChatError.Forbidden("Nobody can add users to a private_messages room.")
            : Require(access, ChatPermissions.AddUsers, "add users");

    /// <summary>The caller may grant only permissions it holds.</summary>
    public static ChatError? CanGrant<TKey>(RoomAccess<TKey> access, ChatPermissions granted)
        where TKey : IEquatable<TKey> =>
        (granted & ~access.Permissions) != 0 ? ChatError.Forbidden("You can grant only permissions you hold.") : null;

    /// <summary>Only the owner changes permissions, and the owner's own cannot be reduced.</summary>
    public static ChatError? CanChangePermissions<TKey>(RoomAccess<TKey> access, ChatRoomUser<TKey> target, ChatPermissions permissions)
        where TKey : IEquatable<TKey>
    {
        if (access.Member is not { IsOwner: true })
            return ChatError.Forbidden("Only the owner changes permissions.");
        return target.IsOwner && permissions != ChatPermissions.All
            ? ChatError.Conflict("owner_permissions", "The owner's permissions cannot be reduced.")
            : null;
    }

    /// <summary>A member's muted flag and read position are its own.</summary>
    public static ChatError? CanChangeOwnSettings<TKey>(RoomAccess<TKey> access, ChatRoomUser<TKey> target)
        where TKey : IEquatable<TKey> =>
        access.Member is { } self && self.UserId.Equals(target.UserId)
            ? null
            : ChatError.Forbidden("Only the member itself changes its muted flag and read position.");

    /// <summary>
    /// A member leaves, or is removed by one holding <c>can_remove_users</c>; nobody leaves a private
    /// room, and the owner can be neither removed nor leave.
    /// </summary>
    public static ChatError? CanRemove<TKey>(RoomAccess<TKey> access, ChatRoomUser<TKey> target)
        where TKey : IEquatable<TKey>
    {
        if (access.Room.Type == ChatRoomType.PrivateMessages)
            return ChatError.Forbidden("Nobody can leave or be removed from a private_messages room.");
        var isSelf = access.Member is { } self && self.UserId.Equals(target.UserId);
        if (!isSelf && Require(access, ChatPermissions.RemoveUsers, "remove users") is { } denied)
            return denied;
        return target.IsOwner ? ChatError.Conflict("owner_cannot_leave", "The owner cannot be removed or leave.") : null;
    }

    /// <summary>Editing: the author with <c>can_edit_own_messages</c>, anyone else with <c>can_edit_messages</c>.</summary>
    public static ChatError? CanEdit<TKey>(RoomAccess<TKey> access, ChatMessage<TKey> message, TKey caller)
        where TKey : IEquatable<TKey> =>
        Require(access, caller.Equals(message.UserId) ? ChatPermissions.EditOwnMessages : ChatPermissions.EditMessages, "edit this message");

    /// <summary>Deleting: the author with <c>can_delete_own_messages</c>, anyone else with <c>can_delete_messages</c>.</summary>
    public static ChatError? CanDelete<TKey>(RoomAccess<TKey> access, ChatMessage<TKey> message, TKey caller)
        where TKey : IEquatable<TKey> =>
        Require(access, caller.Equals(message.UserId) ? ChatPermissions.DeleteOwnMessages : ChatPermissions.DeleteMessages, "delete this message");

    /// <summary>Pinning and unpinning: a member with <c>can_edit_room</c>; in a private room, either member.</summary>
    public static ChatError? CanPin<TKey>(RoomAccess<TKey> access)
        where TKey : IEquatable<TKey> =>
        access.Room.Type == ChatRoomType.PrivateMessages
            ? RequireMember(access, "pin messages")
            : Require(access, ChatPermissions.EditRoom, "pin messages");

    /// <summary>A reaction goes with its author, or with a member holding <c>can_delete_messages</c>.</summary>
    public static ChatError? CanDeleteReaction<TKey>(RoomAccess<TKey> access, ChatMessageReaction<TKey> reaction, TKey caller)
        where TKey : IEquatable<TKey> =>
        reaction.UserId.Equals(caller) ? null : Require(access, ChatPermissions.DeleteMessages, "delete others' reactions");

    /// <summary>The longest slow mode a room may have, in seconds.</summary>
    public const int MaxSlowModeSeconds = 3600;

    /// <summary>While a room is frozen, only the owner and members with <c>can_edit_room</c> send, edit or react (403 <c>room_frozen</c>).</summary>
    public static ChatError? RequireNotFrozen<TKey>(RoomAccess<TKey> access)
        where TKey : IEquatable<TKey> =>
        access.Room.Frozen && !access.Has(ChatPermissions.EditRoom) ? ChatError.RoomFrozen : null;

    /// <summary>
    /// Slow mode: a member without <c>can_edit_room</c> sends one top-level message per
    /// <see cref="ChatRoom{TUserKey}.SlowModeSeconds"/>, measured from its last one (429 with the wait otherwise).
    /// </summary>
    public static ChatError? SlowMode<TKey>(RoomAccess<TKey> access, DateTime now)
        where TKey : IEquatable<TKey>
    {
        var seconds = access.Room.SlowModeSeconds;
        if (seconds <= 0 || access.Has(ChatPermissions.EditRoom) || access.Member?.LastPostedAt is not { } last)
            return null;
        var next = last.AddSeconds(seconds);
        return now < next
            ? new ChatError(ChatErrorKind.TooManyRequests, "slow_mode", $"Slow mode: one message every {seconds} seconds in this room.") { RetryAfter = next - now }
            : null;
    }

    /// <summary>A ban keeps the user out until it is lifted or expires.</summary>
    public static bool IsInForce<TKey>(ChatRoomBan<TKey>? ban, DateTime now)
        where TKey : IEquatable<TKey> => ban is not null && (ban.ExpiresAt is null || ban.ExpiresAt > now);

    /// <summary>Bans are made, listed and lifted by members with <c>can_remove_users</c>; private rooms have none.</summary>
    public static ChatError? CanManageBans<TKey>(RoomAccess<TKey> access)
        where TKey : IEquatable<TKey> =>
        access.Room.Type == ChatRoomType.PrivateMessages
            ? ChatError.Forbidden("A private_messages room has no bans.")
            : Require(access, ChatPermissions.RemoveUsers, "manage bans");

    /// <summary>The owner cannot be banned, and nobody bans itself.</summary>
    public static ChatError? CanBan<TKey>(RoomAccess<TKey> access, TKey target, ChatRoomUser<TKey>? targetMember)
        where TKey : IEquatable<TKey>
    {
        if (target.Equals(access.Member!.UserId))
            return ChatError.Invalid("userId", "You cannot ban yourself.");
        return targetMember is { IsOwner: true } ? ChatError.Conflict("owner_cannot_be_banned", "The owner cannot be banned.") : null;
    }

    /// <summary>Invitations are made, listed and revoked by members with <c>can_add_users</c>; private rooms have none.</summary>
    public static ChatError? CanManageInvites<TKey>(RoomAccess<TKey> access)
        where TKey : IEquatable<TKey> =>
        access.Room.Type == ChatRoomType.PrivateMessages
            ? ChatError.Forbidden("Nobody can invite users to a private_messages room.")
            : Require(access, ChatPermissions.AddUsers, "manage invitations");

    /// <summary>Only the owner hands the room over, and only to a member.</summary>
    public static ChatError? CanTransferOwnership<TKey>(RoomAccess<TKey> access, ChatRoomUser<TKey>? target)
        where TKey : IEquatable<TKey>
    {
        if (access.Member is not { IsOwner: true })
            return ChatError.Forbidden("Only the owner can hand the room over.");
        return target is null ? ChatError.Invalid("userId", "userId must be a member of the room.") : null;
    }

    /// <summary>A user who blocked the caller cannot be reached by it: no private room with them, no adding them, no posting to them.</summary>
    public static ChatError? CanReach(bool blockedByOther) => blockedByOther ? ChatError.Blocked : null;

    /// <summary>A new membership with the type's defaults (or <paramref name="permissions"/>), reading from now on.</summary>
    public static ChatRoomUser<TKey> NewMember<TKey>(ChatRoom<TKey> room, TKey userId, TKey createdBy, ChatPermissions? permissions, bool isOwner, DateTime now)
        where TKey : IEquatable<TKey>
    {
        var member = new ChatRoomUser<TKey>
        {
            RoomId = room.Id,
            UserId = userId,
            IsOwner = isOwner,
            Permissions = isOwner ? ChatPermissions.All : permissions ?? DefaultPermissions(room.Type),
            CreatedBy = createdBy,
            CreatedAt = now,
        };
        UnreadCounts.Joined(room, member, now);
        return member;
    }
}
