using DfChat.Services;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Logging;

namespace DfChat.AspNetCore.RealTime;

/// <summary>
/// The chat's SignalR hub. Each connection joins its user's group, and every room event is sent to
/// the groups of the room's members as committed; so adding or removing a member changes what its
/// open connections receive at once, on every node, with no per-connection bookkeeping.
/// </summary>
internal sealed partial class ChatHub(IChatRoomService rooms, TypingThrottle typingThrottle, ILogger<ChatHub> logger) : Hub
{
    public static string UserGroup(string userId) => "dfchat:user:" + userId;

    public static string WatchGroup(string roomId) => "dfchat:watch:" + roomId;

    public override async Task OnConnectedAsync()
    {
        if (ChatHttp.CallerId(Context.GetHttpContext()!) is not { Length: > 0 } caller)
        {
            Context.Abort();
            return;
        }

        Context.Items["caller"] = caller;
        await Groups.AddToGroupAsync(Context.ConnectionId, UserGroup(caller), Context.ConnectionAborted);
        LogConnected(logger, caller);
    }

    /// <summary>Tells the room that the caller is typing: members who may post, one event per user and room every 2 seconds.</summary>
    public async Task Typing(string roomId)
    {
        var caller = Caller();
        if (!typingThrottle.TryEnter(caller, roomId))
            return;
        var result = await rooms.TypingAsync(caller, roomId, Context.ConnectionAborted);
        if (!result.Succeeded)
            throw new HubException(result.Error!.Message);
    }

    /// <summary>Follows a room the caller may read without joining it (public rooms).</summary>
    public async Task Watch(string roomId)
    {
        var result = await rooms.CanWatchAsync(Caller(), roomId, Context.ConnectionAborted);
        if (!result.Succeeded)
            throw new HubException(result.Error!.Message);
        await Groups.AddToGroupAsync(Context.ConnectionId, WatchGroup(result.Value!), Context.ConnectionAborted);
    }

    /// <summary>Stops following a room.</summary>
    public Task Unwatch(string roomId) =>
        Groups.RemoveFromGroupAsync(Context.ConnectionId, WatchGroup(roomId), Context.ConnectionAborted);

    private string Caller() => Context.Items["caller"] as string ?? throw new HubException("Not authenticated.");

    [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Chat connection of user {UserId} opened.")]
    private static partial void LogConnected(ILogger logger, string userId);
}
