namespace DfChat.Entities;

/// <summary>A message posted to a room.</summary>
/// <typeparam name="TUserKey">The key type of the host's user entity.</typeparam>
public class ChatMessage<TUserKey>
    where TUserKey : IEquatable<TUserKey>
{
    /// <summary>The message's id; ids grow with time, which orders a room's history.</summary>
    public long Id { get; set; }

    /// <summary>The room.</summary>
    public long RoomId { get; set; }

    /// <summary>The message's place in its room: 1 for the first message, one more for each next one, never reused.</summary>
    public long Number { get; set; }

    /// <summary>The author; null once the author was erased and the message kept (<c>ErasedUserMessages.Anonymize</c>).</summary>
    public TUserKey? UserId { get; set; }

    /// <summary>The text, if any.</summary>
    public string? Text { get; set; }

    /// <summary>The message of the same room this one answers.</summary>
    public long? ReplyToId { get; set; }

    /// <summary>When it was posted (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When it was last edited (UTC), if ever.</summary>
    public DateTime? EditedAt { get; set; }

    /// <summary>The sender's idempotency key: unique per room and sender.</summary>
    public string? ClientMessageId { get; set; }

    /// <summary>
    /// Whether media was attached when the message was sent; null for a message stored before this column
    /// existed (unknown). Lets a page skip reading media for the messages that have none.
    /// </summary>
    public bool? HasMedia { get; set; }

    /// <summary>
    /// How many reactions the chat has added to the message and not removed since; null for a message stored
    /// before this column existed (unknown). Kept in step with every addition and removal of a reaction
    /// (erasing a user included). Lets a page skip reading
    /// reactions for the messages that have none.
    /// </summary>
    public int? ReactionCount { get; set; }
}
