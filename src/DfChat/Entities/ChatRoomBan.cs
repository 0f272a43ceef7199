namespace DfChat.Entities;

/// <summary>A user kept out of a room until unbanned or until <see cref="ExpiresAt"/>.</summary>
/// <typeparam name="TUserKey">The key type of the host's user entity.</typeparam>
public class ChatRoomBan<TUserKey>
    where TUserKey : IEquatable<TUserKey>
{
    /// <summary>The ban's id; bans page in the order they were made by it.</summary>
    public long Id { get; set; }

    /// <summary>The room.</summary>
    public long RoomId { get; set; }

    /// <summary>The banned user.</summary>
    public TUserKey UserId { get; set; } = default!;

    /// <summary>Why, as the moderator wrote it, or null.</summary>
    public string? Reason { get; set; }

    /// <summary>When the ban ends (UTC), or null for a ban that lasts until it is lifted.</summary>
    public DateTime? ExpiresAt { get; set; }

    /// <summary>Who banned the user.</summary>
    public TUserKey CreatedBy { get; set; } = default!;

    /// <summary>When the ban was made (UTC).</summary>
    public DateTime CreatedAt { get; set; }
}
