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
    public long Number { get; internal set; }

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
    public bool? HasMedia { get; internal set; }

    /// <summary>
    /// How many reactions the chat has added to the message and not removed since; null for a message stored
    /// before this column existed (unknown). Kept in step with every addition and removal of a reaction
    /// (erasing a user included). Lets a page skip reading
    /// reactions for the messages that have none.
    /// </summary>
    public int? ReactionCount { get; internal set; }

    /// <summary>The top-level message of the same room whose thread this message replies in; null for a message of the room's own list.</summary>
    public long? ThreadId { get; set; }

    /// <summary>For a top-level message, how many replies its thread holds, kept in step with thread sends and deletes.</summary>
    public int ThreadReplyCount { get; internal set; }

    /// <summary>For a top-level message, the time of its thread's newest reply (UTC), or null when it has none.</summary>
    public DateTime? ThreadLastReplyAt { get; internal set; }

    /// <summary>
    /// The ids of the members the message mentions, as a JSON array of strings in the order given, or null when
    /// it mentions nobody: the page reads them with the message, and a read recounts its member's mention count from
    /// them (so a mention costs a send no row of its own).
    /// </summary>
    public string? Mentions { get; set; }

    /// <summary>
    /// When the message was pinned (UTC), or null: whether a page must read its pin (<see cref="ChatMessagePin{TUserKey}"/>),
    /// as <see cref="HasMedia"/> tells for media.
    /// </summary>
    public DateTime? PinnedAt { get; internal set; }
}
