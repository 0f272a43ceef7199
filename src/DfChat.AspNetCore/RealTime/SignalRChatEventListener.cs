using DfChat.Events;
using Microsoft.AspNetCore.SignalR;

namespace DfChat.AspNetCore.RealTime;

/// <summary>
/// Delivers committed chat events to the hub's clients: to every member's connections, to the users
/// the event concerns (an added or removed member, former members of a deleted room), and to watchers
/// of public rooms. With a Redis backplane, groups span every node.
/// </summary>
internal sealed class SignalRChatEventListener(IHubContext<ChatHub> hub) : IChatEventListener
{
    public Task HandleAsync(ChatEvent chatEvent, CancellationToken cancellationToken)
    {
        var groups = chatEvent.Recipients.Select(r => r.UserId)
            .Concat(chatEvent.UserIds)
            .Distinct(StringComparer.Ordinal)
            .Select(ChatHub.UserGroup)
            .ToList();
        if (chatEvent.RoomIsPublic)
            groups.Add(ChatHub.WatchGroup(chatEvent.RoomId));
        return hub.Clients.Groups(groups).SendAsync(chatEvent.Name, chatEvent.Payload, cancellationToken);
    }
}
