namespace DfChat.Entities;

/// <summary>A chat room: private messages between two users, a group or a channel.</summary>
/// <typeparam name="TUserKey">The key type of the host's user entity.</typeparam>
public class ChatRoom<TUserKey>
    where TUserKey : IEquatable<TUserKey>
{
    /// <summary>The room's id.</summary>
    public long Id { get; set; }

    /// <summary>The room's type.</summary>
    public ChatRoomType Type { get; set; }

    /// <summary>The room's name (required for groups and channels).</summary>
    public string? Name { get; set; }

    /// <summary>
    /// <see cref="Name"/> lowercased in .NET, which search matches against: SQLite's own <c>lower()</c>
    /// only folds ASCII, so folding in SQL would miss "Équipe" for "équipe".
    /// </summary>
    public string? NormalizedName { get; internal set; }

    /// <summary>A longer description.</summary>
    public string? Description { get; set; }

    /// <summary>The media shown as the room's avatar.</summary>
    public long? AvatarMediaId { get; set; }

    /// <summary>Whether any authenticated user may find, read and join the room.</summary>
    public bool IsPublic { get; set; }

    /// <summary>When the room was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>The user who created the room; null once that user was erased.</summary>
    public TUserKey? CreatedBy { get; set; }

    /// <summary>The newest message of the room, kept in step with sends and deletes.</summary>
    public long? LastMessageId { get; internal set; }

    /// <summary>The time of the newest message, else the room's creation (UTC).</summary>
    public DateTime LastActivityAt { get; internal set; }

    /// <summary>The number given to the newest message; numbers grow by one with every message and are never reused.</summary>
    public long LastMessageNumber { get; internal set; }

    /// <summary>
    /// The latest read position (<see cref="ChatRoomUser{TUserKey}.LastSeenAt"/>) any member has had: a send
    /// at or before it must check for members who have read it in advance; later sends need not.
    /// </summary>
    public DateTime LatestLastSeenAt { get; internal set; }

    /// <summary>The <see cref="ChatRoomEvent.Seq"/> of the room's newest event: a client holding it has seen everything.</summary>
    public long LastSeq { get; internal set; }

    /// <summary>The number of members, kept in step with joins and removals.</summary>
    public int MemberCount { get; internal set; }

    /// <summary>
    /// Slow mode: a member without <c>can_edit_room</c> may send one top-level message per this many
    /// seconds (0 to 3,600; 0 is off).
    /// </summary>
    public int SlowModeSeconds { get; set; }

    /// <summary>Whether the room is frozen: only the owner and members with <c>can_edit_room</c> send, edit or react.</summary>
    public bool Frozen { get; set; }

    /// <summary>For private rooms, the two users' ids in a fixed order: unique, so that two users share at most one private room.</summary>
    public string? PrivatePairKey { get; internal set; }
}
