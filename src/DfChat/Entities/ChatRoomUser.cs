namespace DfChat.Entities;

/// <summary>A user's membership of a room ("room user").</summary>
/// <typeparam name="TUserKey">The key type of the host's user entity.</typeparam>
public class ChatRoomUser<TUserKey>
    where TUserKey : IEquatable<TUserKey>
{
    /// <summary>The membership's id; memberships page in joining order by it.</summary>
    public long Id { get; set; }

    /// <summary>The room.</summary>
    public long RoomId { get; set; }

    /// <summary>The member.</summary>
    public TUserKey UserId { get; set; } = default!;

    /// <summary>Whether the member owns the room (holds every permission, cannot be removed).</summary>
    public bool IsOwner { get; set; }

    /// <summary>The member's permissions in this room.</summary>
    public ChatPermissions Permissions { get; set; }

    /// <summary>Whether the member asked not to be notified of this room.</summary>
    public bool Muted { get; set; }

    /// <summary>The member's read position (UTC): messages after it are unread.</summary>
    public DateTime LastSeenAt { get; set; }

    /// <summary>
    /// Messages after <see cref="LastSeenAt"/> by others and not deleted, maintained by every send,
    /// delete and read so that listing rooms never counts messages.
    /// </summary>
    public int UnreadCount { get; set; }

    /// <summary>A copy of the room's <see cref="ChatRoom{TUserKey}.LastActivityAt"/>, so that a user's rooms page by one index.</summary>
    public DateTime RoomLastActivityAt { get; set; }

    /// <summary>Who added the member (the member itself when it created or joined the room).</summary>
    public TUserKey CreatedBy { get; set; } = default!;

    /// <summary>When the membership began (UTC).</summary>
    public DateTime CreatedAt { get; set; }
}
