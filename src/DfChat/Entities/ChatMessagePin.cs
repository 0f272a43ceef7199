namespace DfChat.Entities;

/// <summary>A pinned message of a room.</summary>
/// <typeparam name="TUserKey">The key type of the host's user entity.</typeparam>
public class ChatMessagePin<TUserKey>
    where TUserKey : IEquatable<TUserKey>
{
    /// <summary>The message; pinned once at most.</summary>
    public long MessageId { get; set; }

    /// <summary>The room of the message.</summary>
    public long RoomId { get; set; }

    /// <summary>Who pinned it.</summary>
    public TUserKey PinnedBy { get; set; } = default!;

    /// <summary>When (UTC).</summary>
    public DateTime PinnedAt { get; set; }
}
