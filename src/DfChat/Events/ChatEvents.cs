namespace DfChat.Events;

/// <summary>A change in a room, published from the outbox once it is committed.</summary>
/// <remarks>
/// The SignalR hub delivers these to clients; a host adds push notifications or webhooks by
/// registering its own <see cref="IChatEventListener"/>. Delivery is at least once, in <see cref="Seq"/>
/// order per room: a listener that must act once dedupes by (<see cref="RoomId"/>, <see cref="Seq"/>).
/// </remarks>
public sealed record ChatEvent
{
    /// <summary>The event's name, one of <see cref="ChatEventNames"/>.</summary>
    public required string Name { get; init; }

    /// <summary>The room it happened in.</summary>
    public required string RoomId { get; init; }

    /// <summary>
    /// The payload, shaped as the routes return it, with <c>seq</c>: a <see cref="System.Text.Json.JsonElement"/>
    /// for the stored events, exactly as clients receive it.
    /// </summary>
    public required object Payload { get; init; }

    /// <summary>The event's number in its room (1, 2, 3, … without gaps, in commit order); 0 for events that are not stored (typing).</summary>
    public long Seq { get; init; }

    /// <summary>The user whose action caused it.</summary>
    public required string ActorId { get; init; }

    /// <summary>
    /// Users the event concerns beyond the room's current members: the member added or removed,
    /// or every former member of a deleted room.
    /// </summary>
    /// <remarks>
    /// The first <see cref="ChatEventNames.MemberAdded"/> of a room's creation names every initial
    /// member: they were all added by one commit, so a deliverer that follows memberships event by event
    /// sends every memberAdded of the creation to all of them.
    /// </remarks>
    public IReadOnlyList<string> UserIds { get; init; } = [];

    /// <summary>The room's members once the change was committed, with their muted flag: whom to deliver to, and whom not to notify.</summary>
    public IReadOnlyList<ChatRecipient> Recipients { get; init; } = [];

    /// <summary>Whether the room is public, so that users watching it without joining receive the event too.</summary>
    public bool RoomIsPublic { get; init; }
}

/// <summary>A member who receives a room's events.</summary>
/// <param name="UserId">The member.</param>
/// <param name="Muted">Whether the member muted the room: deliver, but do not notify.</param>
public sealed record ChatRecipient(string UserId, bool Muted)
{
    /// <summary>
    /// Whether the event's new message mentions the member (<see cref="ChatEventNames.MessageCreated"/> only):
    /// a host may notify a member who muted the room when it is mentioned.
    /// </summary>
    /// <example>
    /// <code>
    /// foreach (var recipient in chatEvent.Recipients.Where(r => (!r.Muted || r.Mentioned) &amp;&amp; r.UserId != chatEvent.ActorId))
    ///     await push.NotifyAsync(recipient.UserId, chatEvent, cancellationToken);
    /// </code>
    /// </example>
    public bool Mentioned { get; init; }
}

/// <summary>The names of the events of the contract.</summary>
public static class ChatEventNames
{
    /// <summary>A message was posted; payload: the message.</summary>
    public const string MessageCreated = "messageCreated";

    /// <summary>A message was edited; payload: the message.</summary>
    public const string MessageUpdated = "messageUpdated";

    /// <summary>A message was deleted; payload: <see cref="MessageDeletedPayload"/>.</summary>
    public const string MessageDeleted = "messageDeleted";

    /// <summary>A reaction was added; payload: the reaction.</summary>
    public const string ReactionAdded = "reactionAdded";

    /// <summary>A reaction was removed; payload: <see cref="ReactionRemovedPayload"/>.</summary>
    public const string ReactionRemoved = "reactionRemoved";

    /// <summary>A member was added; payload: the member.</summary>
    public const string MemberAdded = "memberAdded";

    /// <summary>A membership changed; payload: the member.</summary>
    public const string MemberUpdated = "memberUpdated";

    /// <summary>A member left or was removed; payload: <see cref="MemberRemovedPayload"/>.</summary>
    public const string MemberRemoved = "memberRemoved";

    /// <summary>The room changed; payload: the room without membership.</summary>
    public const string RoomUpdated = "roomUpdated";

    /// <summary>The room was deleted; payload: <see cref="RoomDeletedPayload"/>.</summary>
    public const string RoomDeleted = "roomDeleted";

    /// <summary>A member moved its read position; payload: <see cref="ReadPayload"/>.</summary>
    public const string Read = "read";

    /// <summary>A user's first hub connection opened or its last one closed (no <c>seq</c>); payload: <see cref="Models.PresenceModel"/>.</summary>
    public const string Presence = "presence";

    /// <summary>A member is typing; payload: <see cref="TypingPayload"/>.</summary>
    public const string Typing = "typing";
}

/// <summary>Payload of <see cref="ChatEventNames.MessageDeleted"/>.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="MessageId">The deleted message.</param>
public sealed record MessageDeletedPayload(string RoomId, string MessageId);

/// <summary>Payload of <see cref="ChatEventNames.ReactionRemoved"/>.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="MessageId">The message.</param>
/// <param name="ReactionId">The removed reaction.</param>
/// <param name="UserId">Who had reacted.</param>
/// <param name="Reaction">The value.</param>
public sealed record ReactionRemovedPayload(string RoomId, string MessageId, string ReactionId, string UserId, string Reaction);

/// <summary>Payload of <see cref="ChatEventNames.MemberRemoved"/>.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="UserId">The removed member.</param>
public sealed record MemberRemovedPayload(string RoomId, string UserId);

/// <summary>Payload of <see cref="ChatEventNames.RoomDeleted"/>.</summary>
/// <param name="RoomId">The deleted room.</param>
public sealed record RoomDeletedPayload(string RoomId);

/// <summary>Payload of <see cref="ChatEventNames.Read"/>.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="UserId">The member.</param>
/// <param name="LastSeenAt">The new read position.</param>
public sealed record ReadPayload(string RoomId, string UserId, DateTime LastSeenAt);

/// <summary>Payload of <see cref="ChatEventNames.Typing"/>.</summary>
/// <param name="RoomId">The room.</param>
/// <param name="UserId">Who is typing.</param>
public sealed record TypingPayload(string RoomId, string UserId);

/// <summary>Receives every committed chat event, in process.</summary>
/// <remarks>
/// Handlers run after the change is committed, on the chat's dispatcher rather than the request;
/// an exception is logged and never fails the change. Delivery is at least once (after a crash,
/// events committed but not yet marked published are published again): dedupe by room and
/// <see cref="ChatEvent.Seq"/>. Register with <c>services.AddScoped&lt;IChatEventListener, MyHandler&gt;()</c>.
/// </remarks>
public interface IChatEventListener
{
    /// <summary>Handles one event.</summary>
    /// <param name="chatEvent">The event.</param>
    /// <param name="cancellationToken">Cancels the handling.</param>
    Task HandleAsync(ChatEvent chatEvent, CancellationToken cancellationToken);
}
