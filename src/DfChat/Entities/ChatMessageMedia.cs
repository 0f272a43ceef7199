namespace DfChat.Entities;

/// <summary>Attaches a media to a message, at a position.</summary>
public class ChatMessageMedia
{
    /// <summary>The room of the message (rows that grow with traffic carry their room).</summary>
    public long RoomId { get; set; }

    /// <summary>The message.</summary>
    public long MessageId { get; set; }

    /// <summary>The media; attached to one message at most.</summary>
    public long MediaId { get; set; }

    /// <summary>The position in the order the sender gave, from 0.</summary>
    public int Sequence { get; set; }
}
