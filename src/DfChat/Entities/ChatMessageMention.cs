namespace DfChat.Entities;

/// <summary>A member mentioned by a top-level message, for the member's mention count.</summary>
/// <typeparam name="TUserKey">The key type of the host's user entity.</typeparam>
/// <remarks>
/// Kept only for mentions that can count: of a top-level message, of a member other than its author. The
/// message's own <see cref="ChatMessage{TUserKey}.Mentions"/> holds what it shows.
/// </remarks>
public class ChatMessageMention<TUserKey>
    where TUserKey : IEquatable<TUserKey>
{
    /// <summary>The room of the message.</summary>
    public long RoomId { get; set; }

    /// <summary>The message.</summary>
    public long MessageId { get; set; }

    /// <summary>The member mentioned.</summary>
    public TUserKey UserId { get; set; } = default!;

    /// <summary>When the message was posted (UTC): a read recounts the mentions after its read position on one index range.</summary>
    public DateTime CreatedAt { get; set; }
}
