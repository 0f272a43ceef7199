namespace DfChat.Entities;

/// <summary>An invitation to a room: whoever holds its token may join, until it expires or is used up.</summary>
/// <remarks>
/// The token itself is never stored, only its SHA-256 hash: a copy of the database does not let anyone in.
/// The token is shown once, when the invitation is created.
/// </remarks>
/// <typeparam name="TUserKey">The key type of the host's user entity.</typeparam>
public class ChatRoomInvite<TUserKey>
    where TUserKey : IEquatable<TUserKey>
{
    /// <summary>The invitation's id.</summary>
    public long Id { get; set; }

    /// <summary>The room.</summary>
    public long RoomId { get; set; }

    /// <summary>The SHA-256 hash of the token (32 bytes).</summary>
    public byte[] TokenHash { get; set; } = [];

    /// <summary>When the invitation stops working (UTC), or null.</summary>
    public DateTime? ExpiresAt { get; set; }

    /// <summary>How many users may accept it, or null for no limit.</summary>
    public int? MaxUses { get; set; }

    /// <summary>How many users have accepted it.</summary>
    public int Uses { get; set; }

    /// <summary>Who created it.</summary>
    public TUserKey CreatedBy { get; set; } = default!;

    /// <summary>When it was created (UTC).</summary>
    public DateTime CreatedAt { get; set; }
}
