using DfChat.Events;

namespace DfChat.AspNetCore.RealTime;

/// <summary>
/// A committed event as it travels to every node: what a node needs to pick its local recipients,
/// without the per-member recipient list (its size would grow with the room).
/// </summary>
/// <param name="Name">The event's name, one of <see cref="ChatEventNames"/>.</param>
/// <param name="RoomId">The room, as the routes write its id.</param>
/// <param name="Seq">The event's number in its room; 0 for typing.</param>
/// <param name="UserIds">Users the event concerns beyond the room's members: the added or removed member, the former members of a deleted room.</param>
/// <param name="RoomIsPublic">Whether watchers of the room receive it.</param>
/// <param name="Payload">The payload: the object the services built, or its JSON (a <see cref="System.Text.Json.JsonElement"/>) when it came from another node.</param>
/// <param name="ActorId">The user whose action caused it: users who blocked them do not get it.</param>
internal sealed record ChatBusEvent(string Name, string RoomId, long Seq, IReadOnlyList<string> UserIds, bool RoomIsPublic, object Payload, string? ActorId = null)
{
    /// <summary>Not an event of a room: <see cref="UserIds"/> [blocker, blocked] changed, for every node's <see cref="ChatConnectionRegistry"/>.</summary>
    public const string Blocked = "dfchat:blocked";

    /// <summary>Like <see cref="Blocked"/>, for an unblock.</summary>
    public const string Unblocked = "dfchat:unblocked";

    public static ChatBusEvent From(ChatEvent chatEvent) =>
        new(chatEvent.Name, chatEvent.RoomId, chatEvent.Seq, chatEvent.UserIds, chatEvent.RoomIsPublic, chatEvent.Payload, chatEvent.ActorId);
}

/// <summary>Carries each block and unblock to every node, so that the blocker's connections there stop (or resume) getting the blocked user's events.</summary>
internal sealed class BlockChangesToBus(IChatEventBus bus) : DfChat.IChatBlockObserver
{
    private static readonly object NoPayload = new();

    public void Changed(string blockerId, string blockedUserId, bool blocked) =>
        bus.Publish(new ChatBusEvent(blocked ? ChatBusEvent.Blocked : ChatBusEvent.Unblocked, "", 0, [blockerId, blockedUserId], false, NoPayload));
}

/// <summary>
/// Carries each committed event to every node of the deployment, this one included, as one message
/// per event whatever the size of its room. Each node then delivers it to its own connections
/// (<see cref="ChatEventDelivery"/>).
/// </summary>
/// <remarks>
/// What a bus receives, from this node or another, goes into the node's <see cref="ChatEventQueue"/>:
/// that queue is every node's subscription. Implementations: <see cref="InProcessChatEventBus"/>
/// (one node, the default) and <see cref="RedisChatEventBus"/> (Redis pub/sub, <c>UseRedisBackplane</c>).
/// </remarks>
internal interface IChatEventBus
{
    /// <summary>
    /// Sends <paramref name="chatEvent"/> to every node. Returns at once (nothing waits for the network):
    /// false when it could not reach the other nodes (the backplane is down), so that the outbox keeps
    /// the event for recovery to deliver again.
    /// </summary>
    bool Publish(ChatBusEvent chatEvent);
}

/// <summary>The bus of a single node: an event goes straight into this node's queue.</summary>
internal sealed class InProcessChatEventBus(ChatEventQueue queue) : IChatEventBus
{
    public bool Publish(ChatBusEvent chatEvent)
    {
        queue.Enqueue(chatEvent);
        return true;
    }
}
