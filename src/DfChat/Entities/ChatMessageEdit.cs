namespace DfChat.Entities;

/// <summary>An earlier version of a message's text, stored by the edit that replaced it.</summary>
public class ChatMessageEdit
{
    /// <summary>The row's id; a message's versions are listed newest first by it.</summary>
    public long Id { get; set; }

    /// <summary>The room of the message.</summary>
    public long RoomId { get; set; }

    /// <summary>The message.</summary>
    public long MessageId { get; set; }

    /// <summary>The text the message had before the edit, or null when it had none (media only).</summary>
    public string? Text { get; set; }

    /// <summary>When the edit replaced this text (UTC).</summary>
    public DateTime EditedAt { get; set; }
}
