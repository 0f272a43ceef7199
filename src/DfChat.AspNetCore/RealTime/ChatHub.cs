using DfChat.Services;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace DfChat.AspNetCore.RealTime;

/// <summary>
/// The chat's SignalR hub. Each connection is registered in this node's
/// <see cref="ChatConnectionRegistry"/> with its user's rooms, and <see cref="ChatEventDelivery"/> sends
/// every event the bus brings to the connections of the room's members here; membership events keep
/// the registry current on every node, so adding or removing a member takes effect at once.
/// </summary>
internal sealed partial class ChatHub(
    IChatRoomService rooms, IChatUserService users, IChatMembershipQueries memberships, TypingThrottle typingThrottle, ChatConnectionRegistry registry, PresenceTracker presence, ILogger<ChatHub> logger) : Hub
{
    /// <summary>
    /// Registers the connection; it is open (its first hub call is served) once its user's rooms are
    /// known. A caller that is not a user of the host (an id that is not a key of its user type, or a
    /// deleted user) is closed at once, as the routes answer it 401.
    /// </summary>
    public override async Task OnConnectedAsync()
    {
        if (ChatHttp.CallerId(Context.GetHttpContext()!) is not { Length: > 0 } caller
            || memberships.CanonicalUserId(caller) is null
            || !(await users.GetMeAsync(caller, Context.ConnectionAborted)).Succeeded)
        {
            Context.Abort();
            return;
        }

        Context.Items["caller"] = caller;
        var userId = memberships.CanonicalUserId(caller) ?? caller;
        await registry.AddConnectionAsync(userId, Context.ConnectionId, Context.ConnectionAborted);
        await presence.ConnectedAsync(userId, Context.ConnectionId);
        LogConnected(logger, caller);
    }

    /// <summary>Counts the connection out of its user's presence (after the grace period if it was the last).</summary>
    public override Task OnDisconnectedAsync(Exception? exception)
    {
        presence.Disconnected(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }

    /// <summary>
    /// Tells the room that the caller is typing: members who may post, one event per user and room every 2
    /// seconds. The throttle knows the room by its id as the routes read it, so <c>012</c> and <c>12</c> are one room.
    /// </summary>
    public async Task Typing(string roomId)
    {
        var caller = Caller();
        if (EntityId.TryParse(roomId, out var id) && !typingThrottle.TryEnter(memberships.CanonicalUserId(caller) ?? caller, EntityId.Format(id)))
            return;
        var result = await rooms.TypingAsync(caller, roomId, Context.ConnectionAborted);
        if (!result.Succeeded)
            throw new HubException(result.Error!.Message);
    }

    /// <summary>Follows a room the caller may read without joining it (public rooms); its events come while it stays public.</summary>
    public async Task Watch(string roomId)
    {
        var result = await rooms.CanWatchAsync(Caller(), roomId, Context.ConnectionAborted);
        if (!result.Succeeded)
            throw new HubException(result.Error!.Message);
        registry.Watch(Context.ConnectionId, result.Value!);
    }

    /// <summary>Stops following a room; the id is read as <see cref="Watch"/> reads it, so <c>0012</c> and <c>12</c> are one room.</summary>
    public void Unwatch(string roomId)
    {
        if (EntityId.TryParse(roomId, out var id))
            registry.Unwatch(Context.ConnectionId, EntityId.Format(id));
    }

    private string Caller() => Context.Items["caller"] as string ?? throw new HubException("Not authenticated.");

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Chat connection of user {UserId} opened.")]
    private static partial void LogConnected(ILogger logger, string userId);
}
