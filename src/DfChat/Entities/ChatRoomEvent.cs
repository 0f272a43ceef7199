namespace DfChat.Entities;

/// <summary>
/// One committed change of a room, in the room's order: the chat's outbox and its event log. Written in
/// the same transaction as the change it describes, published to listeners after the commit, and kept
/// for catch-up (<c>GET /rooms/{roomId}/events?after=</c>) until the retention period has passed.
/// </summary>
/// <remarks>Not linked to the room by a foreign key: a room's last event, <c>roomDeleted</c>, outlives it.</remarks>
public class ChatRoomEvent
{
    /// <summary>The row's id.</summary>
    public long Id { get; set; }

    /// <summary>The room.</summary>
    public long RoomId { get; set; }

    /// <summary>The event's number in its room: 1 for the first, one more for each next, without gaps.</summary>
    public long Seq { get; internal set; }

    /// <summary>The event's name, such as <c>messageCreated</c>.</summary>
    public string Type { get; set; } = "";

    /// <summary>The payload as JSON, as the hub sends it (with <c>seq</c>).</summary>
    public string Payload { get; set; } = "";

    /// <summary>
    /// The message whose content the payload carries (the message of a message or reaction event, the
    /// room's last message in a <c>roomUpdated</c>), or null: deleting that message redacts the payload.
    /// </summary>
    public long? MessageId { get; set; }

    /// <summary>The id of the user whose action caused it.</summary>
    public string ActorId { get; set; } = "";

    /// <summary>
    /// Users the event concerns beyond the room's members, as a JSON array of ids (the member added or
    /// removed, the former members of a deleted room), or null.
    /// </summary>
    public string? UserIds { get; set; }

    /// <summary>Whether the room was public, so that watchers receive the event too.</summary>
    public bool RoomIsPublic { get; set; }

    /// <summary>Storage keys of files to remove once the change is committed (a deleted message's or room's media), as a JSON array, or null.</summary>
    public string? FilesToDelete { get; set; }

    /// <summary>When the change was committed (UTC).</summary>
    public DateTime CreatedAt { get; set; }

    /// <summary>The node whose outbox recovery holds the event to publish it, while <see cref="ClaimedUntil"/> lasts; null otherwise.</summary>
    public string? ClaimedBy { get; internal set; }

    /// <summary>When the claim of <see cref="ClaimedBy"/> lapses (UTC), so that another node may recover the event if that one stopped.</summary>
    public DateTime? ClaimedUntil { get; internal set; }

    /// <summary>When the event was handed to the listeners (UTC); null until then.</summary>
    public DateTime? PublishedAt { get; internal set; }
}
