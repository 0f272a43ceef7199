namespace DfChat.Entities;

/// <summary>A user's report of a message, kept until the host's report listeners have received it.</summary>
/// <typeparam name="TUserKey">The key type of the host's user entity.</typeparam>
public class ChatMessageReport<TUserKey>
    where TUserKey : IEquatable<TUserKey>
{
    /// <summary>The report's id.</summary>
    public long Id { get; set; }

    /// <summary>The room of the message.</summary>
    public long RoomId { get; set; }

    /// <summary>The reported message (not a foreign key: a report outlives the message it is about).</summary>
    public long MessageId { get; set; }

    /// <summary>Who reported it.</summary>
    public TUserKey ReporterId { get; set; } = default!;

    /// <summary>Why, in the reporter's words.</summary>
    public string Reason { get; set; } = "";

    /// <summary>The message's author when it was reported, as the chat writes user ids.</summary>
    public string? MessageUserId { get; set; }

    /// <summary>The message's text when it was reported, so that moderators see what was reported even if it is edited or deleted.</summary>
    public string? MessageText { get; set; }

    /// <summary>When it was reported (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>When the listeners received it (UTC); null until then.</summary>
    public DateTime? DeliveredAt { get; set; }

    /// <summary>How many times delivery was tried.</summary>
    public int Attempts { get; set; }
}
