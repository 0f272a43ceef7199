namespace DfChat.Entities;

/// <summary>A user's reaction to a message.</summary>
/// <typeparam name="TUserKey">The key type of the host's user entity.</typeparam>
public class ChatMessageReaction<TUserKey>
    where TUserKey : IEquatable<TUserKey>
{
    /// <summary>The reaction's id.</summary>
    public long Id { get; set; }

    /// <summary>The room of the message.</summary>
    public long RoomId { get; set; }

    /// <summary>The message.</summary>
    public long MessageId { get; set; }

    /// <summary>Who reacted.</summary>
    public TUserKey UserId { get; set; } = default!;

    /// <summary>The value, such as <c>like</c> or an emoji; unique per user and message.</summary>
    public string Reaction { get; set; } = "";

    /// <summary>When (UTC).</summary>
    public DateTime CreatedAt { get; set; }
}
