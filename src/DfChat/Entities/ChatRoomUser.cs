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
    /// The <see cref="ChatMessage{TUserKey}.Number"/> of the newest message at or before <see cref="LastSeenAt"/>:
    /// messages numbered after it are the candidates for unread.
    /// </summary>
    public long ReadNumber { get; internal set; }

    /// <summary>
    /// How many messages numbered after <see cref="ReadNumber"/> do not count as unread: the member's own,
    /// and deleted ones. The unread count is the room's <see cref="ChatRoom{TUserKey}.LastMessageNumber"/>
    /// minus <see cref="ReadNumber"/> minus this, so a send touches only its sender's membership, never
    /// every member of the room.
    /// </summary>
    public long ReadExclusions { get; internal set; }

    /// <summary>
    /// How many unread messages (by the rule of the unread count) mention the member: kept in step by sends,
    /// edits and deletes of messages that mention it, recounted when it reads, so listing it costs nothing.
    /// </summary>
    public int MentionCount { get; internal set; }

    /// <summary>
    /// When the member last sent a top-level message (UTC), or null: slow mode measures from it. Kept on the
    /// membership, in the database, so that it holds whichever node the member's requests reach.
    /// </summary>
    public DateTime? LastPostedAt { get; internal set; }

    /// <summary>Who added the member (the member itself when it created or joined the room); null once that user was erased.</summary>
    public TUserKey? CreatedBy { get; set; }

    /// <summary>When the membership began (UTC).</summary>
    public DateTime CreatedAt { get; set; }
}
